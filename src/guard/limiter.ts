/**
 * A bound on engine requests in flight. Deno's fetch over a unix socket
 * serves only about two dozen requests at once per process; past that,
 * requests queue inside the runtime where an abort does not free them, and
 * the backlog stalls unrelated I/O (stdin of the MCP stdio transport, other
 * sockets) for seconds — 200 concurrent calls cost ~20 s of deafness. Waiting
 * here instead keeps the runtime under that threshold, and a request that
 * waits here is dropped at once when its signal aborts.
 *
 * @module
 */

/** Engine requests sent at once (waiting for their answer's headers). */
export const MAX_IN_FLIGHT = 16;

/** A counting semaphore whose waiters leave the queue when their signal aborts. */
export class Limiter {
  readonly #max: number;
  #active = 0;
  readonly #queue: { grant: () => void }[] = [];

  constructor(max = MAX_IN_FLIGHT) {
    this.#max = max;
  }

  /** Requests in flight now. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for a slot now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Waits for a slot; resolves with its release function (call it once), or
   * rejects with the signal's reason if the signal aborts first.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#active < this.#max) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          this.#active++;
          resolve(this.#releaser());
        },
      };
      const onAbort = () => {
        const at = this.#queue.indexOf(waiter);
        if (at >= 0) this.#queue.splice(at, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#queue.shift()?.grant();
    };
  }
}
