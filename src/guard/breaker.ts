/**
 * The circuit breaker: after too many engine failures in a window, calls are
 * refused at once (DKR-009) instead of each waiting for its own deadline.
 * After the cooldown, one probe (the engine's `/_ping`) decides whether to
 * let calls through again.
 *
 * Only transport failures and timeouts count (docs/security.md rule 8): a 404,
 * a denial or a model's typo says nothing about the engine's health.
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";
import type { TimeoutClass } from "../manifest/types.ts";
import { formatMs } from "./deadline.ts";

/** Settings of the breaker (config `neverhang.circuit_breaker`). */
export interface BreakerSettings {
  /** Failures within the window that open the breaker. */
  failures: number;
  windowMs: number;
  cooldownMs: number;
}

/** Options of {@link CircuitBreaker}. */
export interface BreakerOptions extends BreakerSettings {
  /** Health check run once after the cooldown; true lets calls through again. */
  probe: (signal: AbortSignal) => Promise<boolean>;
  /** Deadline of one probe. */
  probeTimeoutMs?: number;
  /** The clock (injectable for tests). */
  now?: () => number;
  /** Told when the breaker opens (again) or closes, with why: the operator's log. */
  onChange?: (change: BreakerChange) => void;
}

/** A change of the breaker's state, for the log. */
export interface BreakerChange {
  state: "open" | "closed";
  /** Why, in words: the failures that opened it, or the probe that closed it. */
  reason: string;
}

/** The breaker's state, for status reports and tests. */
export type BreakerState = "closed" | "open" | "probing";

/** A call let through: hand the ticket back with its outcome. */
export interface Admitted {
  ok: true;
  ticket: number;
}

/** A call refused with DKR-009. */
export interface Refused {
  ok: false;
  error: BerthError;
}

/**
 * Timeout classes whose deadline says something about the engine's health.
 * An exec, a pull, a build or a wait that runs out of time measures the work,
 * not the engine, so it must not block every other call.
 */
export const HEALTH_TIMEOUT_CLASSES: readonly TimeoutClass[] = ["read", "lifecycle"];

/**
 * True when an error counts against the engine: it could not be reached
 * (DKR-001), or a call of a health class hit its deadline (DKR-008) without
 * the client cancelling it.
 */
export function countsAsEngineFailure(
  error: BerthError,
  timeoutClass: TimeoutClass,
  cancelledByClient: boolean,
): boolean {
  if (error.type === "daemon_unreachable") return true;
  return error.type === "timeout" && !cancelledByClient &&
    HEALTH_TIMEOUT_CLASSES.includes(timeoutClass);
}

/** A count-in-window circuit breaker with a single probe after the cooldown. */
export class CircuitBreaker {
  readonly #settings: BreakerSettings;
  readonly #probe: (signal: AbortSignal) => Promise<boolean>;
  readonly #probeTimeoutMs: number;
  readonly #now: () => number;
  readonly #onChange?: (change: BreakerChange) => void;
  #failures: number[] = [];
  #openedAt?: number;
  #probing = false;
  /** Set after a probe closed the breaker: ping is no proof, so one failure reopens it. */
  #probation = false;
  /** Bumped on every close: outcomes of calls admitted before it are stale. */
  #epoch = 0;
  #lastFailure?: string;

  constructor(options: BreakerOptions) {
    this.#settings = {
      failures: options.failures,
      windowMs: options.windowMs,
      cooldownMs: options.cooldownMs,
    };
    this.#probe = options.probe;
    this.#probeTimeoutMs = options.probeTimeoutMs ?? 5_000;
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange;
  }

  /** The current state. */
  get state(): BreakerState {
    if (this.#probing) return "probing";
    return this.#openedAt === undefined ? "closed" : "open";
  }

  /**
   * Lets a call through, or refuses it with DKR-009. After the cooldown the
   * first caller runs the probe; everyone else is refused until it answers.
   */
  async admit(): Promise<Admitted | Refused> {
    if (this.#openedAt === undefined) return { ok: true, ticket: this.#epoch };
    const left = this.#openedAt + this.#settings.cooldownMs - this.#now();
    if (left > 0 || this.#probing) return { ok: false, error: this.#refusal(Math.max(left, 0)) };
    this.#probing = true;
    let healthy = false;
    try {
      healthy = await this.#runProbe();
    } finally {
      this.#probing = false;
    }
    if (!healthy) {
      this.#openedAt = this.#now();
      this.#lastFailure = "the probe (/_ping) after the cooldown failed";
      this.#onChange?.({
        state: "open",
        reason: `stays open: ${this.#lastFailure}; next probe in ${
          formatLeft(this.#settings.cooldownMs)
        }`,
      });
      return { ok: false, error: this.#refusal(this.#settings.cooldownMs) };
    }
    this.#close();
    return { ok: true, ticket: this.#epoch };
  }

  /** Records a call's outcome: `failed` when it counts against the engine. */
  record(ticket: number, failed: boolean, description?: string): void {
    if (ticket !== this.#epoch || this.#openedAt !== undefined) return;
    if (!failed) {
      this.#probation = false;
      return;
    }
    const now = this.#now();
    this.#lastFailure = description;
    this.#failures = this.#failures.filter((t) => now - t < this.#settings.windowMs);
    this.#failures.push(now);
    if (this.#probation || this.#failures.length >= this.#settings.failures) {
      const count = this.#probation
        ? "1 failure after a probe"
        : `${this.#failures.length} failures`;
      this.#openedAt = now;
      this.#failures = [];
      this.#onChange?.({
        state: "open",
        reason: `${count} within ${formatMs(this.#settings.windowMs)}` +
          `${description ? ` (last: ${description})` : ""}; calls are refused (DKR-009) for ` +
          formatLeft(this.#settings.cooldownMs),
      });
    }
  }

  /** Milliseconds until the next probe may run (0 when closed or due). */
  remainingMs(): number {
    if (this.#openedAt === undefined) return 0;
    return Math.max(0, this.#openedAt + this.#settings.cooldownMs - this.#now());
  }

  #close(): void {
    this.#openedAt = undefined;
    this.#failures = [];
    this.#probation = true;
    this.#epoch++;
    this.#onChange?.({ state: "closed", reason: "the probe (/_ping) answered; calls go through" });
  }

  async #runProbe(): Promise<boolean> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#probeTimeoutMs);
    try {
      return await this.#probe(controller.signal);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  #refusal(leftMs: number): BerthError {
    const { failures, windowMs } = this.#settings;
    const wait = this.#probing
      ? "a probe of the engine is running now"
      : `berth probes the engine again in ${formatLeft(leftMs)}`;
    return new BerthError(
      "circuit_open",
      `The engine failed ${failures} times within ${formatMs(windowMs)}; ${wait}`,
      {
        context: this.#lastFailure ? `Last failure: ${this.#lastFailure}` : undefined,
        hint: `Retry after ${
          formatLeft(this.#probing ? 1000 : leftMs)
        }; meanwhile check the engine (is dockerd running and answering?)`,
      },
    );
  }
}

/** "4m 12s", "3s": time left, rounded up to the second. */
export function formatLeft(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m ? `${m}m ${s}s` : `${s}s`;
}
