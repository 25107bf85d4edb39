/**
 * Progress of one call: forwarded to the client while it waits, remembered
 * for `docker_operation_status` once the work went to the background, and a
 * heartbeat for long work whose handler reports nothing, so clients that
 * reset their timeout on progress keep waiting.
 *
 * The answer must come after the call's last notification, and be read
 * after it: the MCP TypeScript SDK client handles a response at once but a
 * notification a microtask later, so a final "done" notification that
 * reaches the client in the same read as the response is handled after the
 * response has retired its token, and the client reports "a progress
 * notification for an unknown token" (modelcontextprotocol/typescript-sdk
 * issue 2580). {@link ProgressRelay.settle} is the one place that waits for
 * that, for every tool.
 *
 * @module
 */

import type { OperationProgress } from "./operations.ts";

/**
 * Sends one progress notification; may answer a promise that settles once
 * the notification is written, which {@link ProgressRelay.settle} waits for.
 */
export type ProgressSink = (progress: OperationProgress) => unknown;

/** How long after its last notification a call's answer waits, so the client reads them apart. */
const QUIET_MS = 20;
/** The longest {@link ProgressRelay.settle} waits for writes (a client that stopped reading). */
const MAX_SETTLE_MS = 250;

/** Relays a call's progress. */
export class ProgressRelay {
  #sink?: ProgressSink;
  #last?: OperationProgress;
  #fromHandler = false;
  #timer?: ReturnType<typeof setInterval>;
  readonly #startedAt = Date.now();
  /** Writes not yet finished. */
  readonly #writing = new Set<Promise<unknown>>();
  /** When the last notification went to the client (0: none yet). */
  #sentAt = 0;

  /** `heartbeatMs` > 0 sends "still running" while the handler says nothing. */
  constructor(sink?: ProgressSink, heartbeatMs = 0) {
    this.#sink = sink;
    if (heartbeatMs > 0) {
      this.#timer = setInterval(() => this.#beat(), heartbeatMs);
      Deno.unrefTimer(Number(this.#timer));
    }
  }

  /** The handler's report function. */
  readonly report: ProgressSink = (progress) => {
    this.#fromHandler = true;
    this.#last = progress;
    this.#send(progress);
  };

  /** The latest progress, for status reports. */
  get last(): OperationProgress | undefined {
    return this.#last;
  }

  /** Stops forwarding to the client (the call has answered); progress is still kept. */
  detach(): void {
    this.#sink = undefined;
  }

  /** Stops the heartbeat. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Waits until every notification sent so far is written and a moment has
   * passed since the last one, so that an answer sent next reaches the
   * client in a later read (see the module note). Returns at once when
   * nothing was sent.
   */
  async settle(): Promise<void> {
    if (this.#sentAt === 0) return;
    if (this.#writing.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(this.#writing),
        new Promise((resolve) => (timer = setTimeout(resolve, MAX_SETTLE_MS))),
      ]).finally(() => clearTimeout(timer));
    }
    const quiet = this.#sentAt + QUIET_MS - Date.now();
    if (quiet > 0) await new Promise((resolve) => setTimeout(resolve, quiet));
  }

  #beat(): void {
    if (this.#fromHandler) return this.stop();
    const seconds = Math.round((Date.now() - this.#startedAt) / 1000);
    this.#last = { progress: seconds, message: `Still running after ${seconds}s` };
    this.#send(this.#last);
  }

  #send(progress: OperationProgress): void {
    if (!this.#sink) return;
    try {
      const written = this.#sink(progress);
      this.#sentAt = Date.now();
      if (written instanceof Promise) {
        const tracked: Promise<unknown> = written.catch(() => {}).finally(() =>
          this.#writing.delete(tracked)
        );
        this.#writing.add(tracked);
      }
    } catch {
      // A client that went away must not break the work.
    }
  }
}
