/**
 * Per-caller abuse limits of the HTTP transport: a request rate (a token
 * bucket refilled continuously) and a number of tool calls in flight. Both
 * answer how long to wait, for the 429's Retry-After.
 *
 * @module
 */

interface Bucket {
  tokens: number;
  at: number;
  inFlight: number;
}

/** Rate and concurrency limits keyed by caller name. */
export class CallerLimits {
  readonly #perMinute: number;
  readonly #maxConcurrent: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  /** `perMinute` requests (burst of the same size), `maxConcurrent` calls at once; 0 is unlimited. */
  constructor(perMinute: number, maxConcurrent: number, now: () => number = Date.now) {
    this.#perMinute = perMinute;
    this.#maxConcurrent = maxConcurrent;
    this.#now = now;
  }

  #bucket(caller: string): Bucket {
    let bucket = this.#buckets.get(caller);
    if (!bucket) {
      bucket = { tokens: this.#perMinute, at: this.#now(), inFlight: 0 };
      this.#buckets.set(caller, bucket);
    }
    return bucket;
  }

  /** Takes one request from the caller's rate; answers seconds to wait when none is left. */
  takeRequest(caller: string): number | undefined {
    if (!this.#perMinute) return undefined;
    const bucket = this.#bucket(caller);
    const now = this.#now();
    const rate = this.#perMinute / 60_000;
    bucket.tokens = Math.min(this.#perMinute, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000));
  }

  /**
   * Starts `calls` tool calls for the caller: answers the release function, or
   * undefined when that would pass the concurrency limit.
   */
  startCalls(caller: string, calls: number): (() => void) | undefined {
    const bucket = this.#bucket(caller);
    if (this.#maxConcurrent && bucket.inFlight + calls > this.#maxConcurrent) return undefined;
    bucket.inFlight += calls;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      bucket.inFlight -= calls;
    };
  }

  /** Tool calls in flight, all callers. */
  get inFlight(): number {
    let total = 0;
    for (const bucket of this.#buckets.values()) total += bucket.inFlight;
    return total;
  }
}
