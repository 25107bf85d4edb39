/**
 * A log read that never ends (a container printing in a loop keeps a
 * non-follow read going): boundedRead stops at the byte cap or at the budget
 * while data flows, says which, and holds no more than one chunk.
 * (tests/integration/logs_endless_test.ts proves it with the real engine.)
 */

import assert from "node:assert/strict";
import { boundedRead, type ReadStop, stoppedNote } from "../../src/docker/log_window.ts";

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
