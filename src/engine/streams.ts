/**
 * Reading engine response bodies with bounded memory: byte-capped text,
 * multiplexed log frames and NDJSON progress streams.
 *
 * @module
 */

import { engineFault, parseEngineJson } from "./json.ts";

/** Bytes of the buffer a byte stream is read into (one engine frame is usually far less). */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Reads a body's chunks: `read()` answers the next one; `cancel()` ends the
 * body. `read(gather)` waits until `gather` bytes (at most the buffer's 64
 * KiB) have come or the body ends, and answers them as one chunk.
 */
export interface ChunkReader {
  read(gather?: number): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(): Promise<void>;
}

/**
 * Read buffers no reader holds, for the next reader: a body's buffer was
 * allocated per request, and at a few hundred calls a second the 64 KiB
 * buffers of finished requests waited for a major GC as external memory
 * (tens of MiB, and the process's RSS grew with them; docs/performance.md).
 * At most {@link POOL_MAX} are kept.
 */
const pool: ArrayBuffer[] = [];
const POOL_MAX = 16;

function takeBuffer(bytes: number): ArrayBuffer {
  return (bytes === READ_BUFFER_BYTES ? pool.pop() : undefined) ?? new ArrayBuffer(bytes);
}

function giveBack(buffer: ArrayBuffer): void {
  if (buffer.detached || buffer.byteLength !== READ_BUFFER_BYTES) return;
  if (pool.length < POOL_MAX) pool.push(buffer);
}

/**
 * A reader of a body's chunks. A fetch body is a byte stream: it is read into
 * one reused buffer and each chunk copied out at its exact size. Its default
 * reader hands out each chunk (often one log line) as a view of a fresh
 * buffer, and while a fast log is read those buffers pile up faster than they
 * are collected (340 MiB of external memory in a 2 s read of a container
 * running `yes`, docs/performance.md): with the buffer reused it stays under a
 * few MiB. The buffer comes from a pool and goes back to it when the body
 * ends or is cancelled between reads (a read in flight owns it until it
 * settles). Other streams use their default reader (which gathers nothing).
 * A long-lived stream of small chunks (stats frames) passes a smaller
 * `bufferBytes`: that buffer is its own, never pooled.
 *
 * A gathering read (`read(gather)`) fills the buffer from as many chunks as
 * come before it answers: the engine sends a log one line per chunk, and each
 * read costs about the same whatever it answers, so a 100-line tail read as
 * two chunks instead of 100 took a fifth less CPU (docs/performance.md).
 */
export function chunkReader(
  body: ReadableStream<Uint8Array>,
  bufferBytes = READ_BUFFER_BYTES,
): ChunkReader {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    return body.getReader();
  }
  let buffer: ArrayBuffer | undefined = takeBuffer(bufferBytes);
  let reading = false;
  // A gathering read that meets the end answers its last bytes; the next read answers done.
  let ended = false;
  const release = () => {
    if (buffer && !reading) giveBack(buffer);
    buffer = undefined;
  };
  return {
    async read(gather = 0) {
      if (!buffer || ended) {
        release();
        return { done: true, value: undefined };
      }
      reading = true;
      let next: ReadableStreamReadResult<Uint8Array>;
      const min = Math.min(gather, bufferBytes);
      try {
        // The read transfers the buffer: what it answers is a view of the same memory.
        next = await byob.read(new Uint8Array(buffer), min > 1 ? { min } : undefined);
      } catch (error) {
        buffer = undefined;
        throw error;
      } finally {
        reading = false;
      }
      buffer = next.value?.buffer as ArrayBuffer | undefined;
      if (next.done) ended = true;
      if (!next.value || (next.done && next.value.length === 0)) {
        release();
        return { done: true, value: undefined };
      }
      return { done: false, value: next.value.slice() };
    },
    cancel() {
      const cancelled = byob.cancel();
      release();
      return cancelled;
    },
  };
}

/** A body's chunks through {@link chunkReader}; the body is cancelled when the loop stops early. */
export async function* readChunks(
  body: ReadableStream<Uint8Array>,
  bufferBytes?: number,
): AsyncGenerator<Uint8Array> {
  const reader = chunkReader(body, bufferBytes);
  let finished = false;
  try {
    while (true) {
      const next = await reader.read();
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!finished) reader.cancel().catch(() => {});
  }
}

/** DKR-012: a frame header no Docker engine sends. */
function corruptFrame(type: number, size: number) {
  return engineFault(
    `The engine sent a corrupt log frame (stream type ${type}, size ${size})`,
    "multiplexed log or exec stream",
    "The container may have a TTY the engine did not report, or the engine is not Docker; retry",
  );
}

/** DKR-012: the stream ended in the middle of a frame. */
function cutFrame() {
  return engineFault(
    "The engine's log stream ended inside a frame",
    "multiplexed log or exec stream",
  );
}

/** Which stream a chunk of container output came from. */
export type StreamName = "stdout" | "stderr";

/** One demultiplexed piece of output. */
export interface OutputChunk {
  stream: StreamName;
  data: Uint8Array;
}

/** Header size of the engine's multiplexed stream format. */
const FRAME_HEADER = 8;

/** A frame larger than this is treated as corrupt rather than buffered. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * Splits the engine's multiplexed stream (8-byte header: stream type, three
 * zero bytes, big-endian payload size) into chunks. Stdin frames (type 0) are
 * treated as stdout, as the docker CLI does. A frame claiming more than
 * {@link MAX_FRAME_BYTES} ends the stream with an error instead of a buffer of
 * that size, since the size field comes from the wire.
 */
export async function* demultiplex(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<OutputChunk> {
  let pending: Uint8Array = new Uint8Array(0);
  for await (const piece of readChunks(body)) {
    pending = concat(pending, piece);
    // Walk the frames by offset: slicing the rest after every frame copied the
    // whole chunk once per frame (quadratic; seconds for 100,000 log lines).
    let offset = 0;
    while (pending.length - offset >= FRAME_HEADER) {
      const type = pending[offset];
      const size = new DataView(pending.buffer, pending.byteOffset + offset, FRAME_HEADER)
        .getUint32(4);
      if (type > 2 || size > MAX_FRAME_BYTES) {
        throw corruptFrame(type, size);
      }
      if (pending.length - offset < FRAME_HEADER + size) break;
      const data = pending.slice(offset + FRAME_HEADER, offset + FRAME_HEADER + size);
      offset += FRAME_HEADER + size;
      yield { stream: type === 2 ? "stderr" : "stdout", data };
    }
    pending = pending.subarray(offset);
  }
  if (pending.length > 0) {
    throw cutFrame();
  }
}

/**
 * {@link demultiplex} for a body read whole: the same frames and the same
 * errors, with consecutive frames of one stream joined into one chunk (a
 * reader of lines sees the same lines). No promise per frame: a log answer
 * is one frame per line, and reading it frame by frame cost ~40 µs a line.
 */
export function demultiplexBytes(bytes: Uint8Array): OutputChunk[] {
  const out: OutputChunk[] = [];
  let offset = 0;
  let run: { stream: StreamName; parts: Uint8Array[]; size: number } | undefined;
  const flush = () => {
    if (run) out.push({ stream: run.stream, data: concatBytes(run.parts, run.size) });
    run = undefined;
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (bytes.length - offset >= FRAME_HEADER) {
    const type = bytes[offset];
    const size = view.getUint32(offset + 4);
    if (type > 2 || size > MAX_FRAME_BYTES) {
      throw corruptFrame(type, size);
    }
    if (bytes.length - offset < FRAME_HEADER + size) break;
    const stream: StreamName = type === 2 ? "stderr" : "stdout";
    const data = bytes.subarray(offset + FRAME_HEADER, offset + FRAME_HEADER + size);
    offset += FRAME_HEADER + size;
    if (run?.stream !== stream) {
      flush();
      run = { stream, parts: [], size: 0 };
    }
    run!.parts.push(data);
    run!.size += size;
  }
  flush();
  if (offset < bytes.length) throw cutFrame();
  return out;
}

/** A TTY container's output is one raw stream: every byte is stdout. */
export async function* rawStream(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<OutputChunk> {
  for await (const data of readChunks(body)) yield { stream: "stdout", data };
}

/**
 * Reads newline-delimited JSON, one object per line, holding at most one line
 * (capped at `maxLineBytes`) in memory.
 */
export async function* ndjson<T = Record<string, unknown>>(
  body: ReadableStream<Uint8Array>,
  maxLineBytes = 1024 * 1024,
): AsyncGenerator<T> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const piece of readChunks(body)) {
    buffer += decoder.decode(piece, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) yield parseEngineJson<T>(line, "JSON lines stream");
    }
    if (buffer.length > maxLineBytes) {
      throw engineFault(
        `A line of the engine's JSON stream exceeds ${maxLineBytes} bytes`,
        "JSON lines stream",
      );
    }
  }
  buffer += decoder.decode();
  if (buffer.trim()) yield parseEngineJson<T>(buffer, "JSON lines stream");
}

/** Result of reading a body with a cap. */
export interface CappedText {
  text: string;
  truncated: boolean;
  bytes: number;
}

/**
 * Reads a body as UTF-8 text, keeping at most `maxBytes` and cancelling the
 * rest so that a huge or endless body never fills memory.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<CappedText> {
  if (!body) return { text: "", truncated: false, bytes: 0 };
  const parts: Uint8Array[] = [];
  let bytes = 0;
  let truncated = false;
  // Through the pooled buffer: the default reader allocated a fresh 64 KiB
  // buffer for every answer, however short (docs/performance.md).
  const reader = chunkReader(body);
  let finished = false;
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      const room = maxBytes - bytes;
      if (value.length > room) {
        parts.push(value.subarray(0, room));
        bytes += room;
        truncated = true;
        break;
      }
      parts.push(value);
      bytes += value.length;
    }
    finished = !truncated;
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
  }
  return { text: new TextDecoder().decode(concatBytes(parts, bytes)), truncated, bytes };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.length === 0 ? b : concatBytes([a, b], a.length + b.length);
}

/**
 * Joins byte chunks into one new array. `total` is their summed length when
 * the caller already counted it (the readers here all do, to enforce caps).
 */
export function concatBytes(
  parts: Uint8Array[],
  total = parts.reduce((n, part) => n + part.length, 0),
): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
