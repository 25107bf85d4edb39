/**
 * Retries of transient connection failures, for idempotent reads only: a
 * GET that could not reach the engine is sent again after a short backoff,
 * always within the call's deadline. Writes are never retried blindly (the
 * engine may have acted before the connection dropped).
 *
 * @module
 */

import { isBerthError } from "../errors/mod.ts";

/** Backoff before each retry, in milliseconds (two retries). */
export const RETRY_DELAYS_MS: readonly number[] = [100, 300];

/** Methods safe to send twice. */
const IDEMPOTENT = new Set(["GET", "HEAD"]);

/** True when a request with this method may be retried. */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase());
}

/** True for failures worth a retry: the engine could not be reached or the connection broke. */
export function isTransient(error: unknown): boolean {
  return isBerthError(error) && error.type === "daemon_unreachable";
}

/** Sleeps, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Runs `attempt`; when it fails transiently and the method is idempotent,
 * runs it again after each delay of `delays`, until the signal aborts.
 */
export async function retryIdempotent<T>(
  method: string,
  attempt: () => Promise<T>,
  signal?: AbortSignal,
  delays: readonly number[] = RETRY_DELAYS_MS,
): Promise<T> {
  for (let i = 0;; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= delays.length || !isIdempotent(method) || !isTransient(error) || signal?.aborted) {
        throw error;
      }
      await sleep(delays[i], signal);
    }
  }
}
