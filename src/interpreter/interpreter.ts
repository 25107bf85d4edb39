/**
 * The interpreter: a manifest entry + arguments → validated input → request
 * plan or handler → engine → shaped result. Free of MCP types and of
 * per-session state.
 *
 * @module
 */

import { unknownToolError } from "../catalog/mod.ts";
import type { EngineClient } from "../engine/client.ts";
import { BerthError, isBerthError } from "../errors/mod.ts";
import type { CircuitBreaker, Operations } from "../guard/mod.ts";
import type { Level, TimeoutClass, ToolSpec } from "../manifest/types.ts";
import { callerLevelDenied, levelDenied, type Policy } from "../policy/mod.ts";
import type { AuditSink } from "../policy/audit.ts";
import {
  auditCall,
  CallRedaction,
  callRedactor,
  cancelledByUser,
  checkRouteImage,
  confirmMessage,
  engineForCall,
  needsConfirmation,
  redactError,
  redactOutbound,
  removalMessage,
  secretsSeen,
} from "./call_guard.ts";
import { confirmingRemovals } from "./confirm_removals.ts";
import { defineTool, type ToolDefinition } from "./definition.ts";
import {
  chooseEngine,
  type EngineDirectory,
  engineLevelDenied,
  type EngineSlot,
  takesEngine,
  withEngineParam,
} from "./engines.ts";
import type {
  FallbackModel,
  Handler,
  HandlerContext,
  HandlerSettings,
  Sampler,
  Shaped,
  Shaper,
} from "./contract.ts";
import { type Args, InputValidator, takesPattern } from "./input.ts";
import { loadPatternEngine } from "../guard/pattern.ts";
import { cutDepth, tooDeepError, tooDeepField } from "../guard/input_depth.ts";
import { planRequest } from "./plan.ts";
import { callOutcome, errorResult, type Progress, type ToolResult } from "./result.ts";
import { shapeDeclarative } from "./shape.ts";
import {
  checkRoutes,
  fetchAlso,
  fetchBefore,
  shapeVars,
  unknownFilters,
  unknownTransforms,
  withHints,
} from "./route_output.ts";
import { MAX_TEXT_BYTES, type SuperviseOptions, Supervisor, withCallSignal } from "./supervise.ts";

export { capText, DEFAULT_LONG_BUDGET_MS, MAX_TEXT_BYTES } from "./supervise.ts";

/** Handlers that never reach the engine: the circuit breaker does not gate them. */
const ENGINE_FREE_HANDLERS = new Set(["operation_status", "list_engines"]);

/** What the interpreter needs. */
export interface InterpreterOptions {
  /** Every loaded tool, granted or not (to tell "not granted" from "unknown"). */
  tools: ToolSpec[];
  engine: EngineClient;
  policy: Policy;
  timeouts: Record<TimeoutClass, number>;
  handlers: Record<string, Handler>;
  shapers: Record<string, Shaper>;
  /** The configured fallback model (docker_diagnose use_ai without client sampling). */
  fallback?: FallbackModel;
  /** Configured limits passed on to handlers. */
  settings?: HandlerSettings;
  /** Refuses engine calls after repeated engine failures (DKR-009). */
  breaker?: CircuitBreaker;
  /** Where long calls still running at the budget go on (docker_operation_status). */
  operations?: Operations;
  /** Budget of long and compose calls before they answer `status: running`; 0 never. */
  longBudgetMs?: number;
  /** Cap of a result's structured content (config `max_result_bytes`). */
  maxResultBytes?: number;
  /** Where calls that change something, and every denial, are recorded. */
  audit?: AuditSink;
  /** Ask through {@link CallOptions.confirm} before remove, prune, kill and compose down (default true). */
  confirmDestructive?: boolean;
  /** Told when each call ends (the CLI's debug log): tool, milliseconds, {@link callOutcome}. */
  onCallDone?: (tool: string, ms: number, outcome: string) => void;
  /**
   * Several engines: each with its own client, policy, deadlines and breaker;
   * every tool then takes an `engine` parameter. The top-level engine, policy,
   * timeouts, breaker and settings are the default engine's. Absent or with
   * one engine, the catalogue and every call are as without it.
   */
  engines?: EngineDirectory;
}

/** Per-call options from the transport. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Sends one notification; a promise it answers is waited for before the result. */
  onProgress?: (progress: Progress) => unknown;
  /** The client's model, when it declared the sampling capability. */
  sample?: Sampler;
  /** False keeps the caller waiting to the end, never `status: running` (one-shot CLI). */
  background?: boolean;
  /**
   * Asks the user to confirm a call that cannot be undone; true only on an explicit yes.
   * Absent when the client cannot ask (the call then proceeds).
   */
  confirm?: (message: string) => Promise<boolean>;
  /**
   * Who calls, when a transport authenticated them (HTTP): their name goes in
   * the audit log, and their levels narrow the server's (never widen them).
   */
  caller?: Caller;
}

/** An authenticated caller: a token's name or a JWT subject, and the levels granted to it. */
export interface Caller {
  name: string;
  /** True when this caller may use the level (the server's policy is checked as well). */
  allowsLevel(level: Level): boolean;
}

/**
 * A loaded tool. Its validator and its definition are built on first use:
 * the zod schemas and their JSON Schema cost start-up time and memory for
 * every tool, while a session lists the catalogue once and calls a few
 * tools (docs/performance.md).
 */
class CompiledTool {
  #validator?: InputValidator;
  #definition?: ToolDefinition;
  #takesPatterns?: boolean;

  constructor(readonly spec: ToolSpec, readonly engines?: EngineDirectory) {}

  /** True when a parameter is a client pattern: validation then needs re2js loaded. */
  get takesPatterns(): boolean {
    return this.#takesPatterns ??= Object.values(this.spec.input).some(takesPattern);
  }

  get validator(): InputValidator {
    return this.#validator ??= new InputValidator(this.spec.input);
  }

  get definition(): ToolDefinition {
    if (this.#definition) return this.#definition;
    const definition = defineTool(this.spec);
    if (this.engines && takesEngine(this.spec.handler)) {
      definition.inputSchema = withEngineParam(definition.inputSchema, this.engines);
    }
    return this.#definition = definition;
  }
}

/** An engine and the supervisor of calls to it (its breaker, its deadlines). */
interface EngineRun {
  slot: EngineSlot;
  supervisor: Supervisor;
}

/** Runs tools declared in manifests. */
export class Interpreter {
  readonly #tools = new Map<string, CompiledTool>();
  readonly #options: InterpreterOptions;
  readonly #runs = new Map<string, EngineRun>();
  readonly #default: EngineRun;
  /** Set when several engines are configured: calls then choose theirs. */
  readonly #directory?: EngineDirectory;

  constructor(options: InterpreterOptions) {
    this.#options = options;
    const several = options.engines && options.engines.slots.length > 1
      ? options.engines
      : undefined;
    this.#directory = several;
    const mainSlot: EngineSlot = {
      name: options.engines?.defaultName ?? "default",
      endpoint: options.engine.description,
      engine: options.engine,
      policy: options.policy,
      timeouts: options.timeouts,
      breaker: options.breaker,
      settings: options.settings,
      longBudgetMs: options.longBudgetMs,
      kind: options.engines?.slots.find((s) => s.name === options.engines?.defaultName)?.kind,
    };
    for (const slot of several?.slots ?? [mainSlot]) {
      this.#runs.set(slot.name, {
        slot,
        supervisor: new Supervisor({
          ...slot,
          operations: options.operations,
          maxResultBytes: options.maxResultBytes,
        }),
      });
    }
    this.#default = this.#runs.get(mainSlot.name) ?? this.#runs.values().next().value!;
    for (const spec of options.tools) {
      checkReferences(spec, options);
      this.#tools.set(spec.name, new CompiledTool(spec, several));
    }
  }

  /** The engines calls may choose from, when there are several. */
  get engines(): EngineDirectory | undefined {
    return this.#directory;
  }

  /** The definition of a loaded tool. */
  definition(name: string): ToolDefinition | undefined {
    return this.#tools.get(name)?.definition;
  }

  /** True when a tool of that name is loaded (granted or not). */
  has(name: string): boolean {
    return this.#tools.has(name);
  }

  /**
   * Calls a tool. Expected failures come back as `isError` results, never thrown.
   * Every result is redacted; calls that change something and denials are audited.
   */
  async call(name: string, rawArgs: unknown, options: CallOptions = {}): Promise<ToolResult> {
    const tool = this.#tools.get(name);
    // The server and the CLI check has() first and guess in their own terms.
    if (!tool) return errorResult(unknownToolError(name, [], "list the tools with tools/list"));
    const started = Date.now();
    // Before anything walks them (validation, redaction, the audit record).
    const deep = tooDeepField(rawArgs);
    if (deep) {
      const refused = errorResult(tooDeepError(deep));
      auditCall(this.#options.audit, tool.spec, cutDepth(rawArgs), refused, started, []);
      this.#options.onCallDone?.(name, Date.now() - started, callOutcome(refused));
      return refused;
    }
    // With several engines the call names its own (or takes the default); the
    // rest of the arguments are the tool's.
    let run = this.#default;
    let args = rawArgs;
    let chosenError: ToolResult | undefined;
    if (this.#directory && takesEngine(tool.spec.handler)) {
      try {
        const chosen = chooseEngine(this.#directory, rawArgs);
        run = this.#runs.get(chosen.slot.name)!;
        args = chosen.args;
      } catch (error) {
        if (!isBerthError(error)) throw error;
        chosenError = errorResult(error);
      }
    }
    // One engine per call: its own resolution cache and the secret values it saw;
    // a read-level tool's engine sends only GET and HEAD, whatever its route says.
    const engine = engineForCall(run.slot.engine, tool.spec.permission === "read");
    const redaction = new CallRedaction(engine);
    const redact = (r: ToolResult) => redaction.result(r);
    // Work handed to the background is audited again with its final outcome.
    const engineName = this.#directory ? run.slot.name : undefined;
    const audit = (r: ToolResult) =>
      auditCall(
        this.#options.audit,
        tool.spec,
        args,
        r,
        started,
        secretsSeen(engine),
        engineName,
        options.caller?.name,
      );
    const onBackgroundDone = (final: ToolResult) => audit(redact(final));
    let raw: ToolResult;
    try {
      raw = chosenError ??
        await this.#call(tool, args, { ...options, onBackgroundDone }, engine, run, redaction);
    } catch (error) {
      // A bug, not a user's or an engine's fault: still on the record, then a protocol error.
      audit(redact(internalErrorResult(error)));
      throw error;
    }
    const result = redact(raw);
    audit(result);
    this.#options.onCallDone?.(name, Date.now() - started, callOutcome(result));
    return result;
  }

  async #call(
    tool: CompiledTool,
    rawArgs: unknown,
    options: CallOptions & Pick<SuperviseOptions, "onBackgroundDone">,
    engine: EngineClient,
    run: EngineRun,
    redaction: CallRedaction,
  ): Promise<ToolResult> {
    const { spec } = tool;
    const name = spec.name;
    const { slot } = run;
    if (!slot.policy.allowsLevel(spec.permission)) {
      const elsewhere = [...this.#runs.values()].some((r) =>
        r.slot.policy.allowsLevel(spec.permission)
      );
      return errorResult(
        elsewhere
          ? engineLevelDenied(name, spec.permission, slot.name)
          : levelDenied(name, spec.permission),
      );
    }
    if (options.caller?.allowsLevel(spec.permission) === false) {
      return errorResult(callerLevelDenied(name, spec.permission, options.caller.name));
    }
    // re2js loads with the first call that can carry a pattern (docs/performance.md).
    if (tool.takesPatterns) await loadPatternEngine();
    let args: Args;
    try {
      args = tool.validator.parse(rawArgs);
    } catch (error) {
      if (isBerthError(error)) return errorResult(error);
      throw error;
    }
    const confirm = this.#options.confirmDestructive !== false ? options.confirm : undefined;
    const askedFirst = confirm !== undefined && needsConfirmation(spec, args);
    if (askedFirst && !(await confirm(confirmMessage(spec, args)))) {
      return errorResult(cancelledByUser());
    }
    // Not confirmed up front: any removal the call sends is asked about then.
    const guarded = confirm && !askedFirst
      ? confirmingRemovals(engine, (what) => confirm(removalMessage(spec, args, what)))
      : engine;
    // What leaves during the call (progress, model requests) and what a background
    // operation keeps (its result or error) is redacted like the answer.
    const redact = callRedactor(engine);
    const outbound = (progress: (p: Progress) => void) =>
      redactOutbound(
        { progress, sample: options.sample, fallback: this.#options.fallback },
        redact,
      );
    // Deadline, cancellation, breaker, budget and caps: src/interpreter/supervise.ts.
    const work = (signal: AbortSignal, progress: (p: Progress) => void) =>
      this.#run({
        spec,
        args,
        engine: withCallSignal(guarded, signal),
        policy: slot.policy,
        signal,
        ...outbound(progress),
        deadlineMs: slot.timeouts[spec.timeout],
        settings: slot.settings,
        operations: this.#options.operations,
        engines: this.#directory,
        engineKind: slot.kind && (() => slot.kind!(signal)),
      }).then(
        (shaped) => redaction.shaped(shaped),
        (error) => Promise.reject(redactError(error, redact)),
      );
    const usesEngine = !(spec.handler && ENGINE_FREE_HANDLERS.has(spec.handler));
    return await run.supervisor.run(spec, work, options, usesEngine);
  }

  async #run(ctx: HandlerContext): Promise<Shaped> {
    const { spec } = ctx;
    if (spec.handler) return await this.#options.handlers[spec.handler](ctx);
    const before = await fetchBefore(ctx, await checkRouteImage(ctx));
    const [data, also] = await Promise.all([
      withHints(spec, this.#fetch(ctx, before.args)),
      fetchAlso(ctx, before.args),
    ]);
    if (spec.output.shaper) return await this.#options.shapers[spec.output.shaper](data, ctx);
    // Filters reshape what they read (`slice`, `map`, `eq`): a secret cut into pieces or
    // tested is no longer one the result's redaction can find, so they see answers redacted.
    const redact = callRedactor(ctx.engine);
    const vars = { ...redact({ ...before.vars, ...also }), ...(await shapeVars(ctx)) };
    try {
      return shapeDeclarative(spec.output, redact(data), vars);
    } catch (error) {
      if (!isBerthError(error)) throw error;
      throw new BerthError(error.type, `${spec.source}: ${error.message}`, { hint: error.hint });
    }
  }

  async #fetch(ctx: HandlerContext, args: Args): Promise<unknown> {
    const plan = planRequest(ctx.spec, args);
    const request = { ...plan, signal: ctx.signal };
    switch (ctx.spec.response?.kind) {
      case "empty": {
        const response = await ctx.engine.request(request);
        await response.body?.cancel();
        return {};
      }
      case "text":
        return (await ctx.engine.text(request, MAX_TEXT_BYTES)).text;
      default:
        return await ctx.engine.json(request);
    }
  }
}

/** The audit record's view of a bug: outcome `internal_error`, the error's message. */
function internalErrorResult(error: unknown): ToolResult {
  const message = String((error as Error)?.message ?? error).slice(0, 500);
  return {
    structured: { error: { code: "internal_error", type: "internal_error", message } },
    text: `Internal error: ${message}`,
    isError: true,
  };
}

/**
 * Fails closed when a manifest names a handler, shaper, transform or filter
 * that does not exist, or a route no Engine API operation has (matched here, once).
 */
/**
 * Throws DKR-004 naming the manifest file when a tool's route is not an
 * operation berth knows, or it names a handler, shaper, transform or filter
 * berth does not ship: what start refuses, and `berth validate` with it.
 */
export function checkReferences(
  spec: ToolSpec,
  options: Pick<InterpreterOptions, "handlers" | "shapers">,
): void {
  checkRoutes(spec);
  const missing: string[] = [];
  if (spec.handler && !options.handlers[spec.handler]) missing.push(`handler '${spec.handler}'`);
  if (spec.output.shaper && !options.shapers[spec.output.shaper]) {
    missing.push(`shaper '${spec.output.shaper}'`);
  }
  missing.push(...unknownTransforms(spec.output.fields));
  for (const name of unknownFilters(spec.output)) missing.push(`filter '${name}'`);
  if (missing.length) {
    throw new BerthError("invalid_input", `${spec.source}: unknown ${missing.join(", ")}`, {
      hint: "Use a handler, shaper or transform that berth ships (see README)",
    });
  }
}
