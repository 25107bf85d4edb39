/**
 * Deadlines by timeout class: every engine call is aborted at its class's
 * limit, and the abort reason says which class and limit it was.
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";
import type { TimeoutClass } from "../manifest/types.ts";

/** Default deadlines of the catalogue, in milliseconds. */
export const DEFAULT_TIMEOUTS: Readonly<Record<TimeoutClass, number>> = {
  read: 30_000,
  lifecycle: 60_000,
  exec: 30_000,
  compose: 120_000,
  long: 600_000,
};

/** Formats milliseconds the way users write them ("30s", "1.5s", "10m"). */
export function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${Math.round(ms / 100) / 10}s`;
  return `${ms}ms`;
}

/** A signal that aborts at the deadline or when the caller cancels. */
export interface Deadline {
  signal: AbortSignal;
  /** Stops the timer; call when the work is done. */
  dispose(): void;
}

/** Starts the deadline for one call of the given class. */
export function startDeadline(
  timeoutClass: TimeoutClass,
  ms: number,
  parent?: AbortSignal,
): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(
      new BerthError(
        "timeout",
        `The engine did not answer within ${formatMs(ms)} (timeout class '${timeoutClass}')`,
        {
          hint: `Retry, or raise the limit with --timeout ${timeoutClass}=<duration>`,
        },
      ),
    );
  }, ms);
  const onParentAbort = () => {
    controller.abort(
      new BerthError("timeout", "The call was cancelled by the client", {
        hint: "Call again when ready",
      }),
    );
  };
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener("abort", onParentAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParentAbort);
    },
  };
}

/** Rejects with the signal's reason as soon as it aborts, whatever the work is doing. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
