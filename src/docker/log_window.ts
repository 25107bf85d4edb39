/**
 * The one container log reader: fetches `GET /containers/{id}/logs` (framed
 * or raw by the container's `Config.Tty`, never guessed) and turns the output
 * into a bounded window of lines: split per stream, filtered line by line,
 * and only the newest lines kept within a byte and line budget, as users of
 * `docker logs --tail` expect. Memory stays at the budget whatever the log
 * size. Shared by `docker_container_logs`, `docker_run_container`,
 * `docker_compose_logs` and `docker_diagnose` (and so prompts and resources).
 *
 * @module
 */

import { containers } from "../engine/ops/mod.ts";
import {
  chunkReader,
  concatBytes,
  demultiplex,
  demultiplexBytes,
  type OutputChunk,
  rawStream,
  type StreamName,
} from "../engine/streams.ts";
import type { LineFilter } from "../guard/pattern.ts";
import type { HandlerContext } from "../interpreter/contract.ts";

/** Limits and filters of a {@link LogWindow}. */
export interface LogWindowOptions {
  /** Most bytes (UTF-8) of kept lines, newlines included. */
  maxBytes: number;
  /** Most lines kept. */
  maxLines: number;
  /** Longest single line in characters; longer ones are cut with a marker. */
  maxLineLength: number;
  /**
   * Keep only lines matching this client pattern (tested without the
   * timestamp prefix), through the one matcher (`src/guard/pattern.ts`).
   */
  grep?: LineFilter;
  /** Lines start with the engine's RFC 3339 timestamp and a space. */
  timestamps?: boolean;
}

/** What was kept. */
export interface LogWindowResult {
  lines: string[];
  /** Lines that matched (kept or dropped for the budget). */
  matched: number;
  /** True when older matching lines were dropped or a line was cut. */
  truncated: boolean;
  /**
   * Set when berth stopped reading before the engine ended the log (it grew
   * faster than it could be read): the read cap or the read budget was
   * reached while data was still flowing. The lines are the newest *read*.
   */
  stopped?: ReadStop;
}

/** Why and when berth stopped reading a log the engine was still sending. */
export interface ReadStop {
  reason: "bytes" | "time";
  /** Bytes read before stopping. */
  bytes: number;
  /** Milliseconds spent reading. */
  ms: number;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\S+ /;
/** Bytes of one stream decoded and split at once. */
const BATCH_BYTES = 64 * 1024;

/** The UTF-8 size of a string, counted without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4; // a surrogate pair
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Collects the newest lines that fit the budget. */
export class LogWindow {
  readonly #options: LogWindowOptions;
  readonly #pending: Record<StreamName, string> = { stdout: "", stderr: "" };
  readonly #decoders: Record<StreamName, TextDecoder> = {
    stdout: new TextDecoder(),
    stderr: new TextDecoder(),
  };
  // A deque: lines[head..] are kept; the head advances instead of shifting.
  #lines: { text: string; bytes: number }[] = [];
  #head = 0;
  #bytes = 0;
  #matched = 0;
  #truncated = false;
  #batch: Uint8Array[] = [];
  #batchBytes = 0;
  #batchStream?: StreamName;
  // Lines waiting for the filter, which {@link drain} runs asynchronously.
  #queue: string[] = [];

  constructor(options: LogWindowOptions) {
    this.#options = options;
  }

  /**
   * Adds one chunk of output. The engine sends one frame per line, so chunks
   * of one stream are batched (up to 64 KiB) and decoded and split together;
   * a change of stream flushes, which keeps the engine's interleaving.
   */
  push(chunk: OutputChunk): void {
    if (chunk.stream !== this.#batchStream || this.#batchBytes >= BATCH_BYTES) this.#flush();
    this.#batchStream = chunk.stream;
    this.#batch.push(chunk.data);
    this.#batchBytes += chunk.data.length;
  }

  #flush(): void {
    const stream = this.#batchStream;
    if (!stream || this.#batch.length === 0) return;
    const bytes = this.#batch.length === 1
      ? this.#batch[0]
      : concatBytes(this.#batch, this.#batchBytes);
    this.#batch = [];
    this.#batchBytes = 0;
    const text = this.#pending[stream] + this.#decoders[stream].decode(bytes, { stream: true });
    const parts = text.split("\n");
    let rest = parts.pop() ?? "";
    for (const line of parts) this.#take(line);
    // A line that never ends must not grow without bound: emit its head now.
    if (rest.length > this.#options.maxLineLength) {
      this.#take(rest);
      rest = "";
    }
    this.#pending[stream] = rest;
  }

  /** Without a filter a line is kept at once; with one it waits for {@link drain}. */
  #take(raw: string): void {
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.length > this.#options.maxLineLength) {
      line = `${line.slice(0, this.#options.maxLineLength)}… [line cut]`;
      this.#truncated = true;
    }
    if (this.#options.grep) this.#queue.push(line);
    else this.#keep(line);
  }

  /** Flushes the batch and the unterminated last lines (call {@link drain} after). */
  end(): void {
    this.#flush();
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.#pending[stream] + this.#decoders[stream].decode();
      if (rest) this.#take(rest);
      this.#pending[stream] = "";
    }
  }

  /**
   * Tests the queued lines against the filter (a worker thread, so a costly
   * pattern never holds berth's thread) and keeps the ones that match.
   */
  async drain(): Promise<void> {
    const { grep, timestamps } = this.#options;
    if (!grep || this.#queue.length === 0) return;
    const queue = this.#queue;
    this.#queue = [];
    const hits = await grep.test(timestamps ? queue.map((l) => l.replace(TIMESTAMP, "")) : queue);
    queue.forEach((line, i) => {
      if (hits[i]) this.#keep(line);
    });
  }

  /** Ends the input and answers what was kept; with a filter, {@link drain} first. */
  finish(): LogWindowResult {
    this.end();
    if (this.#queue.length) throw new Error("LogWindow.finish() before drain() of filtered lines");
    return {
      lines: this.#lines.slice(this.#head).map((l) => l.text),
      matched: this.#matched,
      truncated: this.#truncated,
    };
  }

  #keep(line: string): void {
    this.#matched++;
    const bytes = utf8Length(line) + 1;
    this.#lines.push({ text: line, bytes });
    this.#bytes += bytes;
    while (
      this.#lines.length - this.#head > this.#options.maxLines ||
      (this.#bytes > this.#options.maxBytes && this.#lines.length - this.#head > 1)
    ) {
      this.#bytes -= this.#lines[this.#head].bytes;
      this.#head++;
      this.#truncated = true;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#lines.length) {
      this.#lines = this.#lines.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * Reads chunks into a window (the request's signal ends the body, and so the
 * loop; the filter's own signal ends its matching).
 */
export async function collectLines(
  chunks: AsyncIterable<OutputChunk> | Iterable<OutputChunk>,
  options: LogWindowOptions,
): Promise<LogWindowResult> {
  const window = new LogWindow(options);
  for await (const chunk of chunks) {
    window.push(chunk);
    await window.drain();
  }
  window.end();
  await window.drain();
  return window.finish();
}

/**
 * A log answer up to this size is read whole rather than frame by frame. The
 * engine sends one frame per line, and reading a body chunk by chunk costs
 * tens of microseconds a chunk: most of a `tail: 100` call's CPU. Larger
 * answers stream through the window (docs/performance.md).
 */
export const BULK_BYTES = 8 * 1024 * 1024;

/**
 * Most bytes of log read in one call. A container that writes faster than the
 * engine's log reader keeps a non-follow read going for ever; berth stops at
 * this cap (or at its read budget) and says so.
 */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

/** Time kept after the read budget for shaping the answer before the call's deadline. */
const READ_MARGIN_MS = 2_000;

/** Bounds of one log read. */
export interface ReadLimits {
  /** Stop after this many bytes (default {@link MAX_READ_BYTES}). */
  maxBytes?: number;
  /** Stop once this passes while data still flows (default: the call's deadline less a margin). */
  budgetMs?: number;
}

/**
 * Bytes a read of an unfollowed log gathers after the first chunk
 * ({@link chunkReader}): a 100-line tail is then two reads, not a hundred.
 * When the read budget stops a log still flowing, the bytes of the gather
 * under way (at most this many) are not in the window.
 */
export const GATHER_BYTES = 16 * 1024;

/**
 * The body's chunks, until it ends, `maxBytes` were read, or `budgetMs`
 * passed after the first byte arrived (an engine that sends nothing is left
 * to the call's deadline: that is the engine not answering). Records why it
 * stopped in `state.stopped`; the body is cancelled, so the engine stops too.
 * With `gather`, every read after the first waits for that many bytes or the
 * end (the first answers at once, so the budget starts at the first byte).
 */
export async function* boundedRead(
  body: ReadableStream<Uint8Array>,
  limits: { maxBytes: number; budgetMs: number; gather?: number },
  state: { stopped?: ReadStop },
): AsyncGenerator<Uint8Array> {
  const reader = chunkReader(body);
  const started = performance.now();
  let bytes = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let late = false;
  const stop = (reason: ReadStop["reason"]) => {
    state.stopped = { reason, bytes, ms: Math.round(performance.now() - started) };
  };
  try {
    while (true) {
      const next = await reader.read(bytes > 0 ? limits.gather : 0);
      // The budget's timer cancels the reader: a pending read ends as done.
      if (late) return stop("time");
      if (next.done) return;
      // One timer from the first byte on, not one per chunk (a chunk is often one line).
      // (A followed log has no budget here: it ends at its own time.)
      if (Number.isFinite(limits.budgetMs)) {
        timer ??= setTimeout(() => {
          late = true;
          reader.cancel().catch(() => {});
        }, Math.max(0, limits.budgetMs - (performance.now() - started)));
      }
      bytes += next.value.length;
      yield next.value;
      if (bytes >= limits.maxBytes) return stop("bytes");
    }
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
}

/** What to ask the engine for; times are the engine's `seconds.nanoseconds`. */
export interface LogQuery {
  tail: number;
  stdout?: boolean;
  stderr?: boolean;
  since?: string;
  until?: string;
  timestamps?: boolean;
}

/**
 * Reads the logs of an inspected (and policy-checked) container into a
 * window. Acting on the full ID keeps the policy's decision valid; a 404
 * (removed meanwhile) becomes `container_not_found`. The read is bounded
 * ({@link boundedRead}): when it stops while the engine still sends, the
 * result says so in `stopped`. `opened` is {@link startLogRead} of this very
 * container and query, when the caller started it already.
 */
export async function readContainerLogs(
  ctx: Pick<HandlerContext, "engine" | "signal"> & { deadlineMs?: number },
  info: { Id: string; Config?: { Tty?: boolean } },
  query: LogQuery,
  window: LogWindowOptions,
  follow?: LogFollow,
  limits: ReadLimits = {},
  opened?: Promise<LogBody | undefined>,
): Promise<LogWindowResult> {
  const tty = info.Config?.Tty === true;
  if (follow) return await readFollowed(ctx, info.Id, tty, query, window, follow, limits);
  const read = await (opened ?? startLogRead(ctx, info.Id, query, limits));
  if (!read) return { lines: [], matched: 0, truncated: false };
  let result: LogWindowResult;
  if (!read.rest) {
    // Read whole (see BULK_BYTES): demultiplexed at once.
    const bytes = concatBytes(read.head, read.size);
    result = await collectLines(
      tty ? [{ stream: "stdout", data: bytes }] : demultiplexBytes(bytes),
      window,
    );
  } else {
    const { head, rest } = read;
    const body = ReadableStream.from((async function* () {
      yield* head;
      yield* rest;
    })());
    result = await collectLines(tty ? rawStream(body) : demultiplex(body), window);
  }
  return withStop(result, read.state);
}

/** A followed log: each chunk handed on as it comes (progress), until its time is up. */
async function readFollowed(
  ctx: Pick<HandlerContext, "engine" | "signal">,
  id: string,
  tty: boolean,
  query: LogQuery,
  window: LogWindowOptions,
  follow: LogFollow,
  limits: ReadLimits,
): Promise<LogWindowResult> {
  const response = await openContainerLogs(ctx, id, query, follow);
  if (!response.body) return { lines: [], matched: 0, truncated: false };
  const state: { stopped?: ReadStop } = {};
  // A followed log ends at its own time (its signal), not at a read budget.
  const bounded = boundedRead(response.body, {
    maxBytes: limits.maxBytes ?? MAX_READ_BYTES,
    budgetMs: limits.budgetMs ?? Number.POSITIVE_INFINITY,
    gather: 0,
  }, state);
  const body = ReadableStream.from(bounded);
  const chunks = tty ? rawStream(body) : demultiplex(body);
  return withStop(await collectLines(followed(chunks, follow, ctx.signal), window), state);
}

function withStop(result: LogWindowResult, state: { stopped?: ReadStop }): LogWindowResult {
  return state.stopped ? { ...result, truncated: true, stopped: state.stopped } : result;
}

/**
 * An unfollowed log answer as read so far: all of it when `rest` is absent,
 * else its first {@link BULK_BYTES} and the rest still to stream. `state`
 * says (once the read ends) whether berth stopped before the engine did.
 */
export interface LogBody {
  head: Uint8Array[];
  size: number;
  rest?: AsyncGenerator<Uint8Array>;
  state: { stopped?: ReadStop };
}

/**
 * Sends `containers.logs` for an unfollowed query and reads the answer
 * ({@link readLogBody}); undefined when it has no body. The bytes stay here
 * until {@link readContainerLogs} uses them, so the read may start before the
 * container is known to be visible: a caller that learns otherwise aborts the
 * request's signal, which ends the body and drops what was read.
 */
export function startLogRead(
  ctx: Pick<HandlerContext, "engine" | "signal"> & { deadlineMs?: number },
  id: string,
  query: LogQuery,
  limits: ReadLimits = {},
): Promise<LogBody | undefined> {
  const budgetMs = limits.budgetMs ??
    Math.max(1_000, (ctx.deadlineMs ?? 30_000) - READ_MARGIN_MS);
  const maxBytes = limits.maxBytes ?? MAX_READ_BYTES;
  return openContainerLogs(ctx, id, query).then((response) =>
    response.body ? readLogBody(response.body, { maxBytes, budgetMs }) : undefined
  );
}

/**
 * Reads a log body through {@link boundedRead}, gathering: whole when it is
 * at most {@link BULK_BYTES}, else its first BULK_BYTES, the rest left to
 * stream through the window (read chunk by chunk, never with a `for await`
 * that ends early: leaving that loop would end the body too).
 */
export async function readLogBody(
  body: ReadableStream<Uint8Array>,
  limits: { maxBytes: number; budgetMs: number },
): Promise<LogBody> {
  const state: { stopped?: ReadStop } = {};
  const bounded = boundedRead(body, { ...limits, gather: GATHER_BYTES }, state);
  const head: Uint8Array[] = [];
  let size = 0;
  while (size < BULK_BYTES) {
    const next = await bounded.next();
    if (next.done) return { head, size, state };
    head.push(next.value);
    size += next.value.length;
  }
  return { head, size, rest: bounded, state };
}

/** Sends `containers.logs` for a query; the answer's body is the caller's to read. */
export function openContainerLogs(
  ctx: Pick<HandlerContext, "engine" | "signal">,
  id: string,
  query: LogQuery,
  follow?: LogFollow,
): Promise<Response> {
  // Following ends at its own time; the call's signal (deadline, cancel) still ends it first.
  const signal = follow
    ? AbortSignal.any([ctx.signal, AbortSignal.timeout(follow.ms)])
    : ctx.signal;
  return ctx.engine.request(containers.logs(id, {
    stdout: query.stdout ?? true,
    stderr: query.stderr ?? true,
    tail: String(query.tail),
    since: query.since,
    until: query.until,
    timestamps: query.timestamps,
    follow: follow ? true : undefined,
  }, { signal, errors: { 404: "container_not_found" } }));
}

/** How long to follow a log, and who hears of the output as it arrives. */
export interface LogFollow {
  ms: number;
  /** Called with each chunk of output as it arrives. */
  onChunk: (chunk: OutputChunk) => void;
}

/**
 * The chunks of a followed log until its time is up: the end of following
 * is the normal end of the stream, not an error (the call's own abort is).
 */
async function* followed(
  chunks: AsyncIterable<OutputChunk>,
  follow: LogFollow,
  callSignal: AbortSignal,
): AsyncIterable<OutputChunk> {
  try {
    for await (const chunk of chunks) {
      follow.onChunk(chunk);
      yield chunk;
    }
  } catch (error) {
    if (callSignal.aborted) throw error;
  }
}

/** What a stopped read means, for an answer's truncation marker. */
export function stoppedNote(stop: ReadStop): string {
  const mib = (stop.bytes / 1048576).toFixed(1);
  const why = stop.reason === "bytes"
    ? `the ${MAX_READ_BYTES / 1048576} MiB read cap`
    : `berth's read budget of ${(stop.ms / 1000).toFixed(1)}s`;
  return `stopped reading after ${mib} MiB in ${(stop.ms / 1000).toFixed(1)}s at ${why}: ` +
    "the engine was still sending (the log grows faster than it can be read), so these are " +
    "the newest lines read, not the end of the log; use since/until or a smaller tail";
}
