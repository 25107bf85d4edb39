/**
 * Progress of one call: forwarded to the client while it waits, remembered
 * for `docker_operation_status` once the work went to the background, and a
 * heartbeat for long work whose handler reports nothing, so clients that
 * reset their timeout on progress keep waiting.
 *
 * @module
 */

import type { OperationProgress } from "./operations.ts";

/** Sends one progress notification. */
export type ProgressSink = (progress: OperationProgress) => void;

/** Relays a call's progress. */
export class ProgressRelay {
  #sink?: ProgressSink;
  #last?: OperationProgress;
  #fromHandler = false;
  #timer?: ReturnType<typeof setInterval>;
  readonly #startedAt = Date.now();

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

  #beat(): void {
    if (this.#fromHandler) return this.stop();
    const seconds = Math.round((Date.now() - this.#startedAt) / 1000);
    this.#last = { progress: seconds, message: `Still running after ${seconds}s` };
    this.#send(this.#last);
  }

  #send(progress: OperationProgress): void {
    try {
      this.#sink?.(progress);
    } catch {
      // A client that went away must not break the work.
    }
  }
}
