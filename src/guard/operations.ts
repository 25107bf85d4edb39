/**
 * Long operations that outlived the call that started them: a process-level
 * registry with bounded size and expiry. A long tool still running at the
 * budget hands its work here and answers `status: running` with an
 * `operation_id`; `docker_operation_status` reads or waits for it.
 *
 * @module
 */

import { BerthError, type ErrorPayload, isBerthError } from "../errors/mod.ts";
import { DEFAULT_TIMEOUTS } from "./deadline.ts";

/** A progress report (same shape as the interpreter's). */
export interface OperationProgress {
  progress: number;
  total?: number;
  message?: string;
}

/** What the work finally produced (a tool result). */
export interface OperationOutcome {
  structured: Record<string, unknown>;
  text: string;
  isError: boolean;
}

/** What the registry may do with adopted work besides waiting for it. */
export interface AdoptHooks {
  /** Called once with the final outcome: finished, crashed or abandoned at exit. */
  onFinish?: (outcome: OperationOutcome) => void;
  /** Stops the work (the server is exiting). */
  abort?: (reason: unknown) => void;
}

/** The status of an operation. */
export type OperationStatus = "running" | "succeeded" | "failed";

/** A read-only view of one operation. */
export interface OperationSnapshot {
  operation_id: string;
  tool: string;
  status: OperationStatus;
  progress: OperationProgress | null;
  /** The tool's structured result, once succeeded. */
  result: Record<string, unknown> | null;
  /** The tool's error, once failed. */
  error: ErrorPayload | null;
  /** The tool's text (or error text), once finished. */
  text: string | null;
  elapsed_seconds: number;
}

/** Options of {@link Operations}. */
export interface OperationsOptions {
  /** Most operations kept (running ones are never dropped). */
  maxEntries?: number;
  /** How long a finished operation's result stays readable. */
  keepFinishedMs?: number;
  now?: () => number;
}

interface Entry {
  id: string;
  tool: string;
  status: OperationStatus;
  startedAt: number;
  finishedAt?: number;
  progress: () => OperationProgress | undefined;
  outcome?: OperationOutcome;
  done: Promise<void>;
  hooks: AdoptHooks;
}

/** Finished results are kept this long by default. */
export const KEEP_FINISHED_MS = 15 * 60_000;
/** At most this many operations are kept by default. */
export const MAX_OPERATIONS = 100;
/**
 * Default budget of a long call before it answers `status: running`: well
 * under the 60 s after which clients commonly give up on a request.
 */
export const DEFAULT_LONG_BUDGET_MS = 25_000;

/** The registry of background operations. */
export class Operations {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #keepMs: number;
  readonly #now: () => number;

  constructor(options: OperationsOptions = {}) {
    this.#max = options.maxEntries ?? MAX_OPERATIONS;
    this.#keepMs = options.keepFinishedMs ?? KEEP_FINISHED_MS;
    this.#now = options.now ?? Date.now;
  }

  /** How many operations are kept now. */
  get size(): number {
    this.#prune();
    return this.#entries.size;
  }

  /**
   * Adopts running work. Returns undefined when the registry is full of
   * running operations: the caller then keeps waiting itself. `hooks.onFinish`
   * hears the final outcome once, whether the work ends or is abandoned.
   */
  adopt(
    tool: string,
    work: Promise<OperationOutcome>,
    progress: () => OperationProgress | undefined,
    startedAt = this.#now(),
    hooks: AdoptHooks = {},
  ): OperationSnapshot | undefined {
    this.#prune();
    if (this.#entries.size >= this.#max && !this.#evictOldestFinished()) return undefined;
    const id = `op-${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const entry: Entry = {
      id,
      tool,
      status: "running",
      startedAt,
      progress,
      done: Promise.resolve(),
      hooks,
    };
    entry.done = work.then(
      (outcome) => this.#finish(entry, outcome),
      (error) => this.#finish(entry, crashed(error)),
    );
    this.#entries.set(id, entry);
    return this.#snapshot(entry);
  }

  /** The operation's current state, or undefined when unknown or expired. */
  get(id: string): OperationSnapshot | undefined {
    this.#prune();
    const entry = this.#entries.get(id);
    return entry && this.#snapshot(entry);
  }

  /**
   * Waits up to `ms` for the operation to finish, then reports it. The
   * signal (deadline, client cancel) ends the wait early with its reason.
   */
  async wait(id: string, ms: number, signal?: AbortSignal): Promise<OperationSnapshot | undefined> {
    const entry = this.#entries.get(id);
    if (!entry || entry.status !== "running" || ms <= 0) return this.get(id);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        entry.done,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, ms);
        }),
        new Promise<void>((_, reject) => {
          onAbort = () => reject(signal?.reason);
          if (signal?.aborted) onAbort();
          else signal?.addEventListener("abort", onAbort, { once: true });
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
    return this.#snapshot(entry);
  }

  /**
   * Ends every running operation because the server exits: each is finished
   * as abandoned (its `onFinish` hears it at once, so the audit log gets its
   * final record before the process ends) and its work is aborted. Answers
   * how many there were.
   */
  abandonAll(): number {
    const error = abandonedError();
    const outcome = abandoned(error);
    let count = 0;
    for (const entry of this.#entries.values()) {
      if (entry.status !== "running") continue;
      this.#finish(entry, outcome);
      entry.hooks.abort?.(error);
      count++;
    }
    return count;
  }

  #finish(entry: Entry, outcome: OperationOutcome): void {
    // Abandoned work may still settle while the process exits: the first end counts.
    if (entry.status !== "running") return;
    entry.outcome = {
      structured: outcome.structured,
      text: outcome.text,
      isError: outcome.isError,
    };
    entry.status = outcome.isError ? "failed" : "succeeded";
    entry.finishedAt = this.#now();
    try {
      entry.hooks.onFinish?.(outcome);
    } catch {
      // A failing listener (audit write) must not leave the operation running.
    }
  }

  #snapshot(entry: Entry): OperationSnapshot {
    const end = entry.finishedAt ?? this.#now();
    const outcome = entry.outcome;
    return {
      operation_id: entry.id,
      tool: entry.tool,
      status: entry.status,
      progress: entry.progress() ?? null,
      result: outcome && !outcome.isError ? outcome.structured : null,
      error: outcome?.isError ? (outcome.structured.error as ErrorPayload) : null,
      text: outcome?.text ?? null,
      elapsed_seconds: Math.round((end - entry.startedAt) / 100) / 10,
    };
  }

  /** Drops finished operations older than the keep time. */
  #prune(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) {
      if (entry.finishedAt !== undefined && now - entry.finishedAt >= this.#keepMs) {
        this.#entries.delete(id);
      }
    }
  }

  #evictOldestFinished(): boolean {
    let oldest: Entry | undefined;
    for (const entry of this.#entries.values()) {
      if (entry.finishedAt === undefined) continue;
      if (!oldest || entry.finishedAt < oldest.finishedAt!) oldest = entry;
    }
    if (oldest) this.#entries.delete(oldest.id);
    return oldest !== undefined;
  }
}

/** Work that threw instead of answering: a bug, reported as a failure rather than lost. */
function crashed(error: unknown): OperationOutcome {
  const berth = isBerthError(error) ? error : new BerthError(
    "engine_error",
    `The operation failed unexpectedly: ${String((error as Error)?.message ?? error)}`,
    { hint: "Retry the tool; if it fails again, report it with berth's log" },
  );
  return { structured: { error: berth.toPayload() }, text: berth.toText(), isError: true };
}

/** Why work is cut short by the server's exit: the outcome's error, and the abort reason. */
function abandonedError(): BerthError {
  return new BerthError(
    "timeout",
    "The server exited before the operation finished; its work was stopped",
    {
      hint: "Check the engine for what the work had done (it may have stopped halfway), " +
        "then call the tool again",
    },
  );
}

/**
 * The outcome of work cut short by the server's exit. `status: abandoned`
 * tells the audit log apart from a failure of the work itself.
 */
function abandoned(error: BerthError): OperationOutcome {
  return {
    structured: { status: "abandoned", error: error.toPayload() },
    text: error.toText(),
    isError: true,
  };
}

/** Longest wait one docker_operation_status call may ask for, in seconds. */
export const MAX_STATUS_WAIT_S = 25;

/**
 * The longest wait a status call can honour within its own deadline: the
 * deadline less a margin to build the answer (a fifth, at most one second),
 * and never over {@link MAX_STATUS_WAIT_S}. A longer wait would end in a
 * timeout error instead of the operation's current status.
 */
export function statusWaitCapMs(deadlineMs = DEFAULT_TIMEOUTS.read): number {
  const margin = Math.min(1_000, deadlineMs / 5);
  return Math.max(0, Math.min(MAX_STATUS_WAIT_S * 1000, deadlineMs - margin));
}

/** The whole seconds of `wait` to suggest to a caller, given the status call's deadline. */
export function suggestedStatusWait(deadlineMs?: number): number {
  return Math.floor(statusWaitCapMs(deadlineMs) / 1000);
}
