/**
 * Stats streams kept open while a container is being watched.
 *
 * The engine needs two samples a collector tick (1 s) apart for CPU %: a
 * first look at a container costs that second whatever is asked. Asking with
 * `stream=true` and keeping the answer open, the engine sends a frame every
 * tick, each carrying the previous one's CPU counters (`precpu_stats`), so a
 * repeated look answers from the latest frame at once. A stream closes after
 * {@link STATS_IDLE_MS} without a look, when its container stops (the engine
 * then sends empty frames) or is removed (the engine ends it), and at
 * shutdown; at most {@link MAX_STATS_STREAMS} are open, the least recently
 * looked at closing first. See docs/performance.md.
 *
 * @module
 */

import { parseEngineJson } from "./json.ts";
import { readChunks } from "./streams.ts";
import { raceAbort } from "../guard/deadline.ts";

/**
 * Open streams per engine at most: all running containers of a busy host stay
 * watched (a test host runs 100 and more), while each stream costs one idle
 * connection and a few KB.
 */
export const MAX_STATS_STREAMS = 128;
/** A stream nobody looked at for this long closes. */
export const STATS_IDLE_MS = 30_000;
/**
 * A frame older than this is not answered: the engine sends one a second, so
 * a stream that went quiet is reopened instead of answering old figures.
 */
const STALE_MS = 5_000;
/** A frame longer than this ends the stream (a stats frame is a few KB). */
const MAX_FRAME_CHARS = 1024 * 1024;

/** The read buffer of one stats stream: a frame is 2–4 KB; a longer one takes several reads. */
const STATS_READ_BYTES = 16 * 1024;

/** A frame of a container that is not running: its read time is Go's zero time. */
const EMPTY_FRAME = /(?:^|[{,])\s*"read"\s*:\s*"0001-01-01T00:00:00Z"/;

/** Opens the engine's stats stream of one container (`stream=true`). */
export type OpenStatsStream = (id: string, signal: AbortSignal) => Promise<Response>;

/** Options of {@link StatsStreams}. */
export interface StatsStreamsOptions {
  max?: number;
  idleMs?: number;
}

/** One open stream and its latest frame. */
class Watch {
  readonly controller = new AbortController();
  /** Calls waiting on this stream now: such a stream is never evicted. */
  waiting = 0;
  #frames = 0;
  #line?: string;
  #at = 0;
  #timer?: ReturnType<typeof setTimeout>;
  #settle!: (ended: boolean) => void;
  #fail!: (error: unknown) => void;
  /** Settles at the first frame that carries a CPU pair (false) or at the end (true). */
  readonly ready: Promise<boolean>;

  constructor(readonly id: string, readonly onEnd: (watch: Watch) => void) {
    this.ready = new Promise<boolean>((resolve, reject) => {
      this.#settle = resolve;
      this.#fail = reject;
    });
    this.ready.catch(() => {}); // awaited by callers; never an unhandled rejection
  }

  /** The latest frame, parsed, if it is a CPU pair and fresh. */
  latest(): unknown | undefined {
    if (this.#frames < 2 || !this.#line) return undefined;
    if (performance.now() - this.#at > STALE_MS) return undefined;
    return parseEngineJson(this.#line, "stats stream");
  }

  /** Restarts the idle countdown; a stream a call waits on is not idle. */
  touch(idleMs: number): void {
    clearTimeout(this.#timer);
    const timer = setTimeout(() => this.waiting > 0 ? this.touch(idleMs) : this.close(), idleMs);
    Deno.unrefTimer(timer); // an idle stream never keeps the process alive
    this.#timer = timer;
  }

  /** Reads frames until the stream ends, fails or is closed. */
  async run(open: OpenStatsStream): Promise<void> {
    try {
      const response = await open(this.id, this.controller.signal);
      await this.#read(response.body);
      this.#settle(true);
    } catch (error) {
      if (this.controller.signal.aborted) this.#settle(true);
      else this.#fail(error);
    } finally {
      this.close();
    }
  }

  async #read(body: ReadableStream<Uint8Array> | null): Promise<void> {
    if (!body) return;
    let pending = "";
    // A TextDecoder, not a TextDecoderStream: the MCP SDK's Node types give the
    // latter a writable side the checker will not pipe a byte stream into.
    const decoder = new TextDecoder();
    // Through one small buffer of its own: the default reader handed out each frame (2–4 KB)
    // as a view of a fresh 64 KiB buffer, one a second per watched container: with 100
    // watched, 6 MiB a second of garbage outside V8's heap, which GCs collect late
    // (docs/performance.md).
    for await (const chunk of readChunks(body, STATS_READ_BYTES)) {
      pending += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line && !this.#frame(line)) return;
      }
      if (pending.length > MAX_FRAME_CHARS) return;
    }
  }

  /** Keeps one frame; false when the container is no longer running. */
  #frame(line: string): boolean {
    // A container that stopped gets empty frames (zero read time) until it is removed.
    // (Not "preread", which is zero in every stream's first frame.)
    if (EMPTY_FRAME.test(line)) return false;
    this.#line = line;
    this.#at = performance.now();
    this.#frames++;
    // Newer engines may fill precpu_stats in the first frame already; 20.10 does not.
    if (this.#frames === 1 && paired(line)) this.#frames = 2;
    if (this.#frames === 2) this.#settle(false);
    return true;
  }

  /** Ends the stream (idempotent). */
  close(): void {
    clearTimeout(this.#timer);
    if (!this.controller.signal.aborted) this.controller.abort();
    this.#settle(true);
    this.onEnd(this);
  }
}

/** Whether a frame's precpu_stats has counters (the engine paired it already). */
function paired(line: string): boolean {
  const frame = parseEngineJson<{ precpu_stats?: { system_cpu_usage?: number } }>(
    line,
    "stats stream",
  );
  return (frame.precpu_stats?.system_cpu_usage ?? 0) > 0;
}

/**
 * The open stats streams of one engine, by container ID: an LRU of at most
 * `max` streams, each closing after `idleMs` without a look.
 */
export class StatsStreams {
  readonly #open: OpenStatsStream;
  readonly #max: number;
  readonly #idleMs: number;
  readonly #watches = new Map<string, Watch>();

  constructor(open: OpenStatsStream, options: StatsStreamsOptions = {}) {
    this.#open = open;
    this.#max = options.max ?? MAX_STATS_STREAMS;
    this.#idleMs = options.idleMs ?? STATS_IDLE_MS;
  }

  /** Streams open now. */
  get size(): number {
    return this.#watches.size;
  }

  /** The most streams kept open at once. */
  get max(): number {
    return this.#max;
  }

  /**
   * The latest frame of a running container whose CPU counters are a pair
   * (`cpu_stats` and `precpu_stats` one tick apart); opens its stream on a
   * first look and waits for that pair. Answers undefined when the stream
   * ends first (the container stopped or was removed); rejects with the
   * engine's error (404: no such container) or the signal's reason.
   */
  async latest(id: string, signal?: AbortSignal): Promise<unknown | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const watch = this.#watch(id);
      const now = watch.latest();
      if (now !== undefined) return now;
      watch.waiting++;
      let ended: boolean;
      try {
        ended = await (signal ? raceAbort(watch.ready, signal) : watch.ready);
      } finally {
        watch.waiting--;
      }
      if (ended) return undefined;
      const frame = watch.latest();
      if (frame !== undefined) return frame;
      watch.close(); // stale: reopen once
    }
    return undefined;
  }

  /** Whether a container's stream is open. */
  has(id: string): boolean {
    return this.#watches.has(id);
  }

  /** Closes one container's stream (it stopped, or was removed). */
  forget(id: string): void {
    this.#watches.get(id)?.close();
  }

  /** Closes every stream (shutdown). */
  close(): void {
    for (const watch of [...this.#watches.values()]) watch.close();
  }

  /** The container's open stream, most recently used now; opened if needed. */
  #watch(id: string): Watch {
    let watch = this.#watches.get(id);
    if (watch) {
      this.#watches.delete(id);
      this.#watches.set(id, watch);
    } else {
      watch = new Watch(id, (w) => {
        if (this.#watches.get(w.id) === w) this.#watches.delete(w.id);
      });
      this.#watches.set(id, watch);
      this.#evict(watch);
      void watch.run(this.#open);
    }
    watch.touch(this.#idleMs);
    return watch;
  }

  /**
   * Closes the least recently used streams beyond the bound, never one a call
   * waits on nor the one just opened: the bound may be passed for a moment
   * rather than make a call wait or fail.
   */
  #evict(opened: Watch): void {
    for (const watch of this.#watches.values()) {
      if (this.#watches.size <= this.#max) return;
      if (watch !== opened && watch.waiting === 0) watch.close();
    }
  }
}
