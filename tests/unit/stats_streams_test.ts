/**
 * The stats stream cache on hand-made frames: when a look answers, when a
 * stream ends, and that a waiting call never hangs. The real engine's streams
 * are in tests/integration/stats_streams_test.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { StatsStreams } from "../../src/engine/stats_streams.ts";

const encoder = new TextEncoder();

/** A stream per container whose frames the test writes. */
function fakeOpen() {
  const writers = new Map<string, ReadableStreamDefaultController<Uint8Array>>();
  const aborted: string[] = [];
  const open = (id: string, signal: AbortSignal) => {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => void writers.set(id, controller),
    });
    signal.addEventListener("abort", () => {
      aborted.push(id);
      try {
        writers.get(id)?.error(signal.reason);
      } catch { /* already closed */ }
    });
    return Promise.resolve(new Response(body));
  };
  const send = (id: string, frame: object) =>
    writers.get(id)!.enqueue(encoder.encode(JSON.stringify(frame) + "\n"));
  return { open, send, writers, aborted };
}

const frame = (n: number, pre = 0) => ({
  read: `2026-01-01T00:00:0${n}Z`,
  preread: pre ? `2026-01-01T00:00:0${pre}Z` : "0001-01-01T00:00:00Z",
  cpu_stats: { system_cpu_usage: n * 1000 },
  precpu_stats: pre ? { system_cpu_usage: pre * 1000 } : {},
});

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("stats streams: a first look waits for the CPU pair, a repeated one answers the latest frame", async () => {
  const fake = fakeOpen();
  const streams = new StatsStreams(fake.open);
  try {
    const first = streams.latest("a");
    await tick();
    fake.send("a", frame(1)); // precpu empty: not yet
    await tick();
    fake.send("a", frame(2, 1));
    assert.deepEqual(await first, frame(2, 1));
    fake.send("a", frame(3, 2));
    await tick();
    assert.deepEqual(await streams.latest("a"), frame(3, 2));
    assert.equal(streams.size, 1);
  } finally {
    streams.close();
  }
  assert.deepEqual(fake.aborted, ["a"], "closing aborts the request");
  assert.equal(streams.size, 0);
});

Deno.test("stats streams: a container that stops (empty frames) or a stream the engine ends answers undefined", async () => {
  const fake = fakeOpen();
  const streams = new StatsStreams(fake.open);
  try {
    const stopped = streams.latest("a");
    const ended = streams.latest("b");
    await tick();
    fake.send("a", { read: "0001-01-01T00:00:00Z", preread: "0001-01-01T00:00:00Z" });
    fake.writers.get("b")!.close();
    assert.equal(await stopped, undefined);
    assert.equal(await ended, undefined);
    assert.equal(streams.size, 0);
  } finally {
    streams.close();
  }
});

Deno.test("stats streams: a waiting call leaves at its signal; an open error reaches the caller", async () => {
  const fake = fakeOpen();
  const streams = new StatsStreams(fake.open);
  try {
    const controller = new AbortController();
    const waiting = streams.latest("a", controller.signal);
    controller.abort(new Error("deadline"));
    await assert.rejects(waiting, /deadline/);
    assert.equal(streams.size, 1, "the stream stays for the next look");
  } finally {
    streams.close();
  }
  const failing = new StatsStreams(() => Promise.reject(new Error("no such container")));
  await assert.rejects(failing.latest("x"), /no such container/);
  assert.equal(failing.size, 0);
});

Deno.test("stats streams: past the bound the least recently looked at closes, never one a call waits on", async () => {
  const fake = fakeOpen();
  const streams = new StatsStreams(fake.open, { max: 2 });
  try {
    const a = streams.latest("a");
    const b = streams.latest("b");
    await tick();
    const c = streams.latest("c"); // a and b are waited on: the bound is passed for now
    await tick();
    assert.equal(streams.size, 3);
    for (const id of ["a", "b", "c"]) {
      fake.send(id, frame(1));
      fake.send(id, frame(2, 1));
    }
    await Promise.all([a, b, c]);
    await streams.latest("a"); // b is now the least recently looked at
    void streams.latest("d");
    assert.deepEqual(["a", "b", "c", "d"].map((id) => streams.has(id)), [true, false, false, true]);
  } finally {
    streams.close();
  }
});
