/**
 * Supervision of one tool call, whatever runs it (route or handler): the
 * circuit breaker, the class deadline (also over body reading), client
 * cancellation, progress, the long-call budget with its hand-off to the
 * background, and caps on the result. Free of MCP types.
 *
 * @module
 */

import { transportFailure } from "../engine/errors.ts";
import { type BerthError, isBerthError } from "../errors/mod.ts";
import {
  capStructured,
  type CircuitBreaker,
  countsAsEngineFailure,
  DEFAULT_LONG_BUDGET_MS,
  type Operations,
  ProgressRelay,
  raceAbort,
  startDeadline,
  suggestedStatusWait,
} from "../guard/mod.ts";
import type { TimeoutClass, ToolSpec } from "../manifest/types.ts";
import type { Shaped } from "./contract.ts";
import type { JsonSchema } from "./input.ts";
import { errorResult, type Progress, type ToolResult } from "./result.ts";

/** Largest text block sent back; larger output is cut with a marker. */
export const MAX_TEXT_BYTES = 64 * 1024;

export { DEFAULT_LONG_BUDGET_MS };

/** Timeout classes whose calls may go on in the background after the budget. */
export const BACKGROUND_CLASSES: readonly TimeoutClass[] = ["long", "compose"];

/** How often long work without progress of its own reports that it still runs. */
const HEARTBEAT_MS = 5_000;

/** What supervision needs (all optional guards may be absent). */
export interface SupervisorOptions {
  timeouts: Record<TimeoutClass, number>;
  breaker?: CircuitBreaker;
  operations?: Operations;
  /** Budget of long and compose calls; 0 never hands off. */
  longBudgetMs?: number;
  /** Cap of a result's structured content (config `max_result_bytes`). */
  maxResultBytes?: number;
}

/** Per-call options from the transport. */
export interface SuperviseOptions {
  /** Aborts when the client cancels the call. */
  signal?: AbortSignal;
  /** Sends one notification; a promise it answers is waited for before the result. */
  onProgress?: (progress: Progress) => unknown;
  /** False keeps the caller waiting to the end (one-shot CLI calls). Default true. */
  background?: boolean;
  /** Called with the final result of work that went on in the background (audit). */
  onBackgroundDone?: (result: ToolResult) => void;
}

/** The supervised work: gets the call's signal and progress function. */
export type Work = (signal: AbortSignal, progress: (p: Progress) => void) => Promise<Shaped>;

const HANDED_OFF = Symbol("handed off");

/** Cuts text at the byte cap with a marker that says what happened. */
export function capText(text: string, max = MAX_TEXT_BYTES): string {
  if (text.length <= max) return text;
  return `${
    text.slice(0, max)
  }\n[truncated: output exceeded ${max} characters; narrow the call with filters, tail or limit]`;
}

/** Runs tool calls under the guards. */
export class Supervisor {
  readonly #options: SupervisorOptions;

  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  /** Runs one call; expected failures come back as `isError` results. */
  async run(
    spec: ToolSpec,
    work: Work,
    call: SuperviseOptions = {},
    usesEngine = true,
  ): Promise<ToolResult> {
    const breaker = usesEngine ? this.#options.breaker : undefined;
    const admission = await breaker?.admit();
    if (admission && !admission.ok) return errorResult(admission.error);

    // The client's cancel reaches the work through a link we can cut at hand-off.
    const cancel = new AbortController();
    const onCancel = () => cancel.abort(call.signal?.reason);
    if (call.signal?.aborted) onCancel();
    else call.signal?.addEventListener("abort", onCancel, { once: true });
    const detach = () => call.signal?.removeEventListener("abort", onCancel);

    const background = this.#mayHandOff(spec, call);
    const relay = new ProgressRelay(call.onProgress, background ? HEARTBEAT_MS : 0);
    const startedAt = Date.now();
    const done = this.#execute(spec, work, cancel.signal, relay).then(async (outcome) => {
      if (admission) breaker!.record(admission.ticket, outcome.engineFailed, outcome.summary);
      // The answer follows the call's last notification; work that runs on
      // past its deadline sends no more (the client would not know the token).
      relay.stop();
      await relay.settle();
      relay.detach();
      return outcome.result;
    }).finally(() => {
      relay.stop();
      detach();
    });
    if (!background) return await done;

    const budget = this.#options.longBudgetMs ?? DEFAULT_LONG_BUDGET_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const first = await Promise.race([
      done,
      new Promise<typeof HANDED_OFF>((resolve) => {
        timer = setTimeout(() => resolve(HANDED_OFF), budget);
      }),
    ]).finally(() => clearTimeout(timer));
    if (first !== HANDED_OFF) return first;

    // The registry reports the final outcome (also when the server exits
    // first) and may stop the work through the call's own cancel link.
    const operation = this.#options.operations!.adopt(
      spec.name,
      done,
      () => relay.last,
      startedAt,
      {
        onFinish: call.onBackgroundDone,
        abort: (reason) => cancel.abort(reason),
      },
    );
    if (!operation) return await done; // registry full of running work: keep waiting
    // From here the work belongs to the registry: the client's cancel of this
    // (answered) call no longer reaches it; its class deadline still does.
    detach();
    relay.detach();
    await relay.settle();
    // docker_operation_status runs in the read class: suggest a wait that fits it.
    const wait = suggestedStatusWait(this.#options.timeouts.read);
    return runningResult(spec, operation.operation_id, budget, relay.last, wait);
  }

  #mayHandOff(spec: ToolSpec, call: SuperviseOptions): boolean {
    const budget = this.#options.longBudgetMs ?? DEFAULT_LONG_BUDGET_MS;
    return call.background !== false && this.#options.operations !== undefined && budget > 0 &&
      BACKGROUND_CLASSES.includes(spec.timeout) && budget < this.#options.timeouts[spec.timeout];
  }

  async #execute(
    spec: ToolSpec,
    work: Work,
    cancelSignal: AbortSignal,
    relay: ProgressRelay,
  ): Promise<{ result: ToolResult; engineFailed: boolean; summary?: string }> {
    const deadline = startDeadline(
      spec.timeout,
      this.#options.timeouts[spec.timeout],
      cancelSignal,
    );
    try {
      // raceAbort: a handler that ignores its signal still answers at the deadline.
      const shaped = await raceAbort(work(deadline.signal, relay.report), deadline.signal);
      const structured = capStructured(
        shaped.structured,
        this.#options.maxResultBytes,
        spec.output.list,
      );
      return {
        result: { structured, text: capText(shaped.text), isError: false },
        engineFailed: false,
      };
    } catch (error) {
      const reason = deadline.signal.aborted ? deadline.signal.reason : undefined;
      const failure = isBerthError(reason) ? reason : asBerthError(error);
      if (!failure) throw error;
      const engineFailed = countsAsEngineFailure(failure, spec.timeout, cancelSignal.aborted);
      return {
        result: errorResult(failure),
        engineFailed,
        summary: `${failure.code} ${failure.message}`,
      };
    } finally {
      deadline.dispose();
    }
  }
}

/** Engine methods whose first argument is an operation that may carry a signal. */
const REQUEST_METHODS = new Set<PropertyKey>(["request", "json", "text", "statsSample"]);
/** Engine methods whose first argument is an optional signal. */
const SIGNAL_METHODS = new Set<PropertyKey>(["apiVersion", "ping"]);

/**
 * The engine as one call's handler sees it: a request sent without a signal
 * gets the call's (deadline + client cancel), so no engine request can outlive
 * its call by omission. A request with its own signal keeps it (cleanup after
 * the deadline, such as ending an exec, needs that).
 */
export function withCallSignal<E extends object>(engine: E, signal: AbortSignal): E {
  return new Proxy(engine, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (REQUEST_METHODS.has(prop)) {
        return (req: { signal?: AbortSignal }, ...rest: unknown[]) =>
          value.call(target, req.signal ? req : { ...req, signal }, ...rest);
      }
      if (SIGNAL_METHODS.has(prop)) {
        return (own?: AbortSignal, ...rest: unknown[]) =>
          value.call(target, own ?? signal, ...rest);
      }
      return value.bind(target);
    },
  });
}

/** Expected failures as BerthError; a broken connection while reading a body is one too. */
function asBerthError(error: unknown): BerthError | undefined {
  if (isBerthError(error)) return error;
  return transportFailure(error);
}

/** The answer of a long call handed to the background at the budget. */
function runningResult(
  spec: ToolSpec,
  operationId: string,
  budgetMs: number,
  progress: Progress | undefined,
  waitS: number,
): ToolResult {
  const seconds = Math.round(budgetMs / 100) / 10;
  const last = progress?.message ? ` Last progress: ${progress.message}.` : "";
  const wait = waitS > 0 ? `, "wait": ${waitS}` : "";
  return {
    structured: {
      operation_id: operationId,
      status: "running",
      tool: spec.name,
      progress: progress ?? null,
    },
    text: `${spec.name} is still running after ${seconds}s and goes on in the background ` +
      `(operation ${operationId}).${last} Get its result with docker_operation_status ` +
      `{"operation_id": "${operationId}"${wait}}`,
    isError: false,
  };
}

/**
 * The outputSchema of a tool that may answer `status: running` (timeout
 * classes long and compose): its own fields plus `operation_id` and `status`.
 * Output schemas declare no required fields, so both answers fit. (The
 * running answer's `tool` and `progress` are left undeclared to keep
 * tools/list small; the schema allows extra keys.)
 */
export function allowRunning(schema: JsonSchema, timeoutClass: TimeoutClass): JsonSchema {
  if (!BACKGROUND_CLASSES.includes(timeoutClass)) return schema;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return {
    ...schema,
    properties: {
      ...properties,
      operation_id: { type: "string" },
      status: properties.status ?? { type: "string" },
    },
  };
}
