/**
 * A log read that never ends (a container printing in a loop keeps a
 * non-follow read going): boundedRead stops at the byte cap or at the budget
 * while data flows, says which, and holds no more than one chunk.
 * (tests/integration/logs_endless_test.ts proves it with the real engine.)
 */

import assert from "node:assert/strict";
import {
  boundedRead,
  BULK_BYTES,
  GATHER_BYTES,
  readContainerLogs,
  readLogBody,
  type ReadStop,
  stoppedNote,
} from "../../src/docker/log_window.ts";
import { readCapped } from "../../src/engine/streams.ts";

/** An endless body of 1 KiB chunks, one every `everyMs` (0: as fast as read). */
function endless(everyMs = 0): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(1024).fill(97);
  return new ReadableStream({
    async pull(controller) {
      if (everyMs) await new Promise((r) => setTimeout(r, everyMs));
      controller.enqueue(chunk);
    },
  });
}

async function drain(body: ReadableStream<Uint8Array>, maxBytes: number, budgetMs: number) {
  const state: { stopped?: ReadStop } = {};
  let bytes = 0;
  for await (const chunk of boundedRead(body, { maxBytes, budgetMs }, state)) bytes += chunk.length;
  return { bytes, stopped: state.stopped };
}

Deno.test("boundedRead: an endless fast body stops at the byte cap, and says so", async () => {
  const { bytes, stopped } = await drain(endless(), 64 * 1024, 60_000);
  assert.equal(bytes, 64 * 1024);
  assert.equal(stopped?.reason, "bytes");
  assert.match(
    stoppedNote(stopped!),
    /stopped reading after 0\.1 MiB .* read cap: the engine was still sending/,
  );
});

Deno.test("boundedRead: an endless slow body stops at the budget while data flows", async () => {
  const { bytes, stopped } = await drain(endless(20), 1024 * 1024 * 1024, 300);
  assert.equal(stopped?.reason, "time");
  assert.ok(bytes > 0 && stopped!.ms >= 300 && stopped!.ms < 2_000, JSON.stringify(stopped));
  assert.match(stoppedNote(stopped!), /read budget/);
});

Deno.test("boundedRead: a body that ends is read whole, with no stop", async () => {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(100));
      controller.close();
    },
  });
  assert.deepEqual(await drain(body, 1024 * 1024, 1_000), { bytes: 1000, stopped: undefined });
});

/** A byte stream (what a fetch body is) of `lines` chunks of `size` bytes, then its end. */
function lineFrames(lines: number, size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    type: "bytes",
    async pull(controller) {
      await Promise.resolve();
      if (sent++ < lines) return controller.enqueue(new Uint8Array(size).fill(97));
      controller.close();
      // A byte source ends a pending read by answering it with nothing, as fetch's does.
      controller.byobRequest?.respond(0);
    },
  });
}

Deno.test("boundedRead: an unfollowed log is gathered after its first chunk, every byte kept", async () => {
  const state: { stopped?: ReadStop } = {};
  const sizes: number[] = [];
  const limits = { maxBytes: 1024 * 1024, budgetMs: 60_000, gather: GATHER_BYTES };
  for await (const chunk of boundedRead(lineFrames(100, 14), limits, state)) {
    sizes.push(chunk.length);
  }
  // The first chunk at once (the budget starts there), the other 99 lines in one read.
  assert.deepEqual(sizes, [14, 99 * 14]);
  const plain = [];
  for await (const chunk of boundedRead(lineFrames(5, 14), { ...limits, gather: 0 }, state)) {
    plain.push(chunk.length);
  }
  assert.deepEqual(plain, [14, 14, 14, 14, 14]);
});

Deno.test("readCapped: a body of many chunks is read whole, and cut at its cap", async () => {
  const whole = await readCapped(lineFrames(1000, 100), 1024 * 1024);
  assert.deepEqual([whole.bytes, whole.truncated, whole.text.length], [100_000, false, 100_000]);
  const cut = await readCapped(lineFrames(1000, 100), 1000);
  assert.deepEqual([cut.bytes, cut.truncated, cut.text], [1000, true, "a".repeat(1000)]);
});

/** A TTY log (one raw stream) of numbered lines, sent 1 MiB at a time, `bytes` in all at least. */
function numberedLines(bytes: number): { body: ReadableStream<Uint8Array>; last: number } {
  const line = (n: number) => `line ${String(n).padStart(9, "0")}\n`; // 15 bytes
  const perChunk = Math.floor(1024 * 1024 / 15);
  const chunks = Math.ceil(bytes / (perChunk * 15));
  let sent = 0;
  const body: ReadableStream<Uint8Array> = new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (sent === chunks) {
        controller.close();
        controller.byobRequest?.respond(0);
        return;
      }
      const first = sent++ * perChunk;
      let text = "";
      for (let i = 0; i < perChunk; i++) text += line(first + i);
      controller.enqueue(new TextEncoder().encode(text));
    },
  });
  return { body, last: chunks * perChunk - 1 };
}

Deno.test("readContainerLogs: a log longer than the whole-read size is read to its end", async () => {
  const { body, last } = numberedLines(BULK_BYTES + 2 * 1024 * 1024);
  const read = readLogBody(body, { maxBytes: 64 * 1024 * 1024, budgetMs: 60_000 });
  const ctx = { engine: undefined as never, signal: AbortSignal.timeout(30_000) };
  const window = { maxBytes: 60 * 1024, maxLines: 3, maxLineLength: 100 };
  const result = await readContainerLogs(
    ctx,
    { Id: "x", Config: { Tty: true } },
    { tail: 3 },
    window,
    undefined,
    {},
    read,
  );
  // The newest lines are the last the engine sent, not the last of the first BULK_BYTES.
  assert.deepEqual(
    result.lines,
    [last - 2, last - 1, last].map((n) => `line ${String(n).padStart(9, "0")}`),
  );
  assert.equal(result.stopped, undefined);
});
