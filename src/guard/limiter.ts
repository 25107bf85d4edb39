/**
 * A bound on engine requests in flight, so that a crowd of calls against a
 * hung engine waits here, where a request is dropped at once when its signal
 * aborts, rather than as hundreds of open connections.
 *
 * The bound used to be 16, against what looked like a limit of Deno's fetch
 * over a unix socket (about two dozen requests a second, and a backlog that
 * stalled other I/O). That was the URL's host name, looked up on every new
 * connection although the connection goes to the socket: berth now puts an
 * IP literal there (src/engine/docker_host.ts, docs/performance.md), and 64
 * requests go out at once as fast as node:http with 64 sockets does.
 *
 * @module
 */

/** Engine requests sent at once (waiting for their answer's headers). */
export const MAX_IN_FLIGHT = 64;

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
