/**
 * Waits a handler ends by itself, before the class deadline does: waiting for
 * a container to exit, an exec to finish. Ending first leaves time for the
 * work after the wait (killing the exec, reading logs) and for an error that
 * says what was still running, rather than a bare deadline.
 *
 * @module
 */

import type { HandlerContext } from "../interpreter/contract.ts";

/** The class deadline when the interpreter did not pass one (the lifecycle default). */
const FALLBACK_DEADLINE_MS = 60_000;

/** A timer linked to the call's signal. */
export interface Timer {
  /** Aborts when the timer fires or the call's signal aborts. */
  signal: AbortSignal;
  /** True when the timer (not the call) ended the wait. */
  expired(): boolean;
  dispose(): void;
}

/** Starts a timer of `ms` that also aborts with the call. */
export function startTimer(parent: AbortSignal, ms: number): Timer {
  const controller = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    controller.abort(new DOMException("The handler's own wait ended", "TimeoutError"));
  }, ms);
  const onAbort = () => controller.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    expired: () => fired && !parent.aborted,
    dispose() {
      clearTimeout(timer);
      parent.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * How long a handler may wait: what was asked (or the class deadline), less a
 * margin kept for the work after the wait; never below one second.
 */
export function waitBudget(
  ctx: Pick<HandlerContext, "deadlineMs">,
  requestedMs: number | undefined,
  marginMs: number,
): number {
  const deadline = ctx.deadlineMs ?? FALLBACK_DEADLINE_MS;
  const most = Math.max(1000, deadline - marginMs);
  return requestedMs === undefined ? most : Math.min(requestedMs, most);
}

/** Seconds for messages ("30s", "1.5s"). */
export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
