/**
 * Stream decoding with hand-made bytes: the engine's 8-byte log frames,
 * NDJSON progress and byte-capped bodies.
 */

import assert from "node:assert/strict";
import {
  chunkReader,
  demultiplex,
  demultiplexBytes,
  MAX_FRAME_BYTES,
  ndjson,
  type OutputChunk,
  rawStream,
  readCapped,
  readChunks,
} from "../../src/engine/streams.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One frame: type byte, three zero bytes, big-endian size, payload. */
function frame(type: number, payload: string | Uint8Array, sizeOverride?: number): Uint8Array {
  const data = typeof payload === "string" ? enc.encode(payload) : payload;
  const out = new Uint8Array(8 + data.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(4, sizeOverride ?? data.length);
  out.set(data, 8);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** A body delivering the given chunks one by one. */
function body(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks);
}

/** Splits bytes into pieces of at most `size` bytes. */
function pieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

async function collect(gen: AsyncGenerator<OutputChunk>): Promise<OutputChunk[]> {
  const out: OutputChunk[] = [];
  for await (const chunk of gen) out.push(chunk);
  return out;
}

/** Joins chunks per stream, dropping empty ones. */
function byStream(chunks: OutputChunk[]): { stream: string; text: string }[] {
  return chunks.filter((c) => c.data.length > 0).map((c) => ({
    stream: c.stream,
    text: dec.decode(c.data),
  }));
}

Deno.test("demultiplex: frames split across chunks at every byte boundary", async () => {
  const wire = concat(frame(1, "hello\n"), frame(2, "oops\n"), frame(1, "world\n"));
  for (const size of [1, 3, 7, 8, 9, 13, wire.length]) {
    const chunks = await collect(demultiplex(body(...pieces(wire, size))));
    assert.deepStrictEqual(byStream(chunks), [
      { stream: "stdout", text: "hello\n" },
      { stream: "stderr", text: "oops\n" },
      { stream: "stdout", text: "world\n" },
    ], `piece size ${size}`);
  }
});

Deno.test("demultiplex: stdout and stderr interleaved keep their order and stream", async () => {
  const frames: Uint8Array[] = [];
  const expected: { stream: string; text: string }[] = [];
  for (let i = 0; i < 50; i++) {
    const type = i % 3 === 0 ? 2 : 1;
    const text = `line ${i}\n`;
    frames.push(frame(type, text));
    expected.push({ stream: type === 2 ? "stderr" : "stdout", text });
  }
  // Several frames in one chunk, and a frame cut in half across chunks.
  const wire = concat(...frames);
  const chunks = await collect(demultiplex(body(...pieces(wire, 37))));
  assert.deepStrictEqual(byStream(chunks), expected);
});

Deno.test("demultiplex: stdin frames (type 0) count as stdout, like the docker CLI", async () => {
  const chunks = await collect(demultiplex(body(frame(0, "in"))));
  assert.deepStrictEqual(byStream(chunks), [{ stream: "stdout", text: "in" }]);
});

Deno.test("demultiplex: a zero-length frame is harmless", async () => {
  const wire = concat(frame(1, "a"), frame(2, ""), frame(1, "b"));
  const chunks = await collect(demultiplex(body(...pieces(wire, 5))));
  assert.deepStrictEqual(byStream(chunks), [
    { stream: "stdout", text: "a" },
    { stream: "stdout", text: "b" },
  ]);
  assert.ok(chunks.every((c) => c.stream === "stdout" || c.data.length === 0));
});

Deno.test("demultiplex: binary payloads pass through byte for byte", async () => {
  const payload = new Uint8Array(1000).map((_, i) => (i * 7) % 256);
  const chunks = await collect(demultiplex(body(...pieces(frame(1, payload), 333))));
  assert.deepStrictEqual(concat(...chunks.map((c) => c.data)), payload);
});

Deno.test("demultiplex: a frame claiming an oversized payload is an error, not a buffer", async () => {
  // Only the header arrives: the size alone must be refused.
  const header = frame(1, new Uint8Array(0), MAX_FRAME_BYTES + 1);
  await assert.rejects(() => collect(demultiplex(body(header))), /corrupt log frame/);
  const huge = frame(1, new Uint8Array(0), 0xffffffff);
  await assert.rejects(() => collect(demultiplex(body(huge))), /corrupt log frame/);
});

Deno.test("demultiplex: an unknown stream type is an error", async () => {
  await assert.rejects(() => collect(demultiplex(body(frame(7, "x")))), /corrupt log frame/);
});

Deno.test("demultiplex: a stream ending inside a header or payload is an error", async () => {
  const truncatedHeader = frame(1, "abc").slice(0, 5);
  await assert.rejects(
    () => collect(demultiplex(body(frame(1, "ok"), truncatedHeader))),
    /ended inside a frame/,
  );
  const truncatedPayload = frame(2, "abcdef").slice(0, 11);
  await assert.rejects(() => collect(demultiplex(body(truncatedPayload))), /ended inside a frame/);
});

Deno.test("demultiplex: an empty body yields nothing", async () => {
  assert.deepStrictEqual(await collect(demultiplex(body())), []);
});

Deno.test("rawStream: every byte of a TTY stream is stdout", async () => {
  const chunks = await collect(rawStream(body(enc.encode("a"), enc.encode("\x01\x00b"))));
  assert.deepStrictEqual(chunks.map((c) => c.stream), ["stdout", "stdout"]);
  assert.deepStrictEqual(dec.decode(concat(...chunks.map((c) => c.data))), "a\x01\x00b");
});

async function ndjsonAll(
  stream: ReadableStream<Uint8Array>,
  max?: number,
): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of ndjson(stream, max)) out.push(item);
  return out;
}

Deno.test("ndjson: objects split across chunks, blank lines and a last line without newline", async () => {
  const text =
    '{"status":"Pulling"}\n\n{"status":"Ünïcödé ✓","id":"a"}\r\n{"aux":{"ID":"sha256:1"}}';
  for (const size of [1, 2, 5, 1000]) {
    const items = await ndjsonAll(body(...pieces(enc.encode(text), size)));
    assert.deepStrictEqual(items, [
      { status: "Pulling" },
      { status: "Ünïcödé ✓", id: "a" },
      { aux: { ID: "sha256:1" } },
    ], `piece size ${size}`);
  }
});

Deno.test("ndjson: a line longer than the cap is an error", async () => {
  const long = enc.encode(`{"x":"${"a".repeat(5000)}"}`);
  await assert.rejects(() => ndjsonAll(body(...pieces(long, 100)), 1000), /exceeds 1000 bytes/);
});

Deno.test("ndjson: malformed JSON is an error", async () => {
  await assert.rejects(() => ndjsonAll(body(enc.encode('{"a":1}\nnot json\n'))), /not valid JSON/);
});

Deno.test("readCapped: under the cap everything is read", async () => {
  const result = await readCapped(body(enc.encode("héllo "), enc.encode("world")), 1000);
  assert.deepStrictEqual(result, { text: "héllo world", truncated: false, bytes: 12 });
});

Deno.test("readCapped: over the cap keeps exactly maxBytes and cancels the source", async () => {
  let cancelled = false;
  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(enc.encode("x".repeat(100)));
    },
    cancel() {
      cancelled = true;
    },
  });
  const result = await readCapped(endless, 250);
  assert.deepStrictEqual(result.bytes, 250);
  assert.deepStrictEqual(result.text, "x".repeat(250));
  assert.ok(result.truncated);
  assert.ok(cancelled, "the rest of the body must be cancelled");
  assert.ok(pulled < 10, `read ${pulled} chunks for a 250-byte cap`);
});

Deno.test("readCapped: exactly at the cap is not truncated; a null body is empty", async () => {
  assert.deepStrictEqual(await readCapped(body(enc.encode("abcd")), 4), {
    text: "abcd",
    truncated: false,
    bytes: 4,
  });
  assert.deepStrictEqual(await readCapped(null, 4), { text: "", truncated: false, bytes: 0 });
});

/**
 * A byte stream, as fetch bodies are (the readers then read it into a pooled
 * buffer): `chunks` one pull each, then the end, or nothing more when `hang`.
 */
function byteBody(chunks: string[], hang = false): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream({
    type: "bytes",
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (next < chunks.length) return controller.enqueue(enc.encode(chunks[next++]));
      if (hang) return await new Promise(() => {});
      // A byte stream's close answers a pending BYOB read only once it is responded to.
      controller.close();
      controller.byobRequest?.respond(0);
    },
  });
}

Deno.test("readCapped: byte-stream bodies read at the same time each get their own bytes", async () => {
  const texts = Array.from({ length: 40 }, (_, i) => `${i}:`.padEnd(100 + i * 50, String(i % 10)));
  const results = await Promise.all(
    texts.map((text) =>
      readCapped(byteBody(pieces(enc.encode(text), 37).map((p) => dec.decode(p))), 1e6)
    ),
  );
  assert.deepStrictEqual(results.map((r) => r.text), texts);
  const capped = await readCapped(byteBody(["abc", "defgh"]), 5);
  assert.deepStrictEqual(capped, { text: "abcde", truncated: true, bytes: 5 });
});

Deno.test("readChunks: chunks kept from one body stay intact while later bodies reuse the buffer", async () => {
  const kept: Uint8Array[] = [];
  for await (const chunk of readChunks(byteBody(["first ", "body"]))) kept.push(chunk);
  // A body given up while a read is in flight (a log read's budget) lends no buffer it lost.
  const hanging = chunkReader(byteBody(["x"], true));
  assert.equal(dec.decode((await hanging.read()).value!), "x");
  const pending = hanging.read();
  await hanging.cancel();
  assert.deepStrictEqual(await pending, { done: true, value: undefined });
  for (let i = 0; i < 20; i++) {
    const { text } = await readCapped(byteBody([`later ${i} `.repeat(50)]), 1e6);
    assert.equal(text, `later ${i} `.repeat(50));
  }
  assert.equal(kept.map((c) => dec.decode(c)).join(""), "first body");
});

/** Joins consecutive chunks of one stream, as a reader of lines sees them. */
function runs(chunks: OutputChunk[]): { stream: string; text: string }[] {
  const out: { stream: string; text: string }[] = [];
  for (const c of byStream(chunks)) {
    const last = out.at(-1);
    if (last?.stream === c.stream) last.text += c.text;
    else out.push({ ...c });
  }
  return out;
}

Deno.test("demultiplexBytes: the same output as demultiplex, consecutive frames of a stream joined", async () => {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 50; i++) {
    frames.push(frame(i % 7 === 0 ? 2 : i % 11 === 0 ? 0 : 1, `l${i}\n`));
  }
  frames.push(frame(1, ""), frame(1, new Uint8Array([0, 255, 10])));
  const wire = concat(...frames);
  const streamed = await collect(demultiplex(body(...pieces(wire, 13))));
  const whole = demultiplexBytes(wire);
  assert.deepStrictEqual(runs(whole), runs(streamed));
  assert.ok(whole.length < streamed.length, "one chunk per run of a stream");
  assert.deepStrictEqual(demultiplexBytes(new Uint8Array(0)), []);
});

Deno.test("demultiplexBytes: corrupt, oversized and cut frames are the same errors", () => {
  assert.throws(() => demultiplexBytes(frame(7, "x")), /corrupt log frame/);
  assert.throws(
    () => demultiplexBytes(frame(1, new Uint8Array(0), MAX_FRAME_BYTES + 1)),
    /corrupt log frame/,
  );
  assert.throws(() => demultiplexBytes(frame(1, "abc").slice(0, 5)), /ended inside a frame/);
  assert.throws(() => demultiplexBytes(frame(2, "abcdef").slice(0, 11)), /ended inside a frame/);
});

Deno.test("readChunks: a smaller buffer of its own reads a longer chunk in pieces, bytes intact", async () => {
  const frame = '{"read":"2026-01-01T00:00:00Z","cpu_stats":{}}\n';
  const pieces: Uint8Array[] = [];
  for await (const piece of readChunks(byteBody([frame, frame]), 16)) pieces.push(piece);
  assert.ok(pieces.every((p) => p.length <= 16), "each read fits the 16-byte buffer");
  assert.equal(pieces.map((p) => dec.decode(p)).join(""), frame + frame);
});
