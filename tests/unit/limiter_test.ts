/**
 * The bound on engine requests in flight: slots, FIFO hand-over, and waiters
 * that leave the queue the moment their signal aborts.
 */

import assert from "node:assert/strict";
import { Limiter } from "../../src/guard/limiter.ts";

Deno.test("limiter: at most max slots at once; a release hands the slot to the first waiter", async () => {
  const limiter = new Limiter(2);
  const a = await limiter.acquire();
  await limiter.acquire();
  const order: string[] = [];
  const c = limiter.acquire().then((release) => (order.push("c"), release));
  const d = limiter.acquire().then((release) => (order.push("d"), release));
  assert.equal(limiter.active, 2);
  assert.equal(limiter.waiting, 2);
  a();
  a(); // a second call of the same release is a no-op
  await c;
  assert.deepEqual(order, ["c"]);
  assert.equal(limiter.active, 2);
  assert.equal(limiter.waiting, 1);
  (await c)();
  await d;
  assert.deepEqual(order, ["c", "d"]);
});

Deno.test("limiter: a waiter whose signal aborts leaves the queue with the signal's reason", async () => {
  const limiter = new Limiter(1);
  const release = await limiter.acquire();
  const controller = new AbortController();
  const waiting = limiter.acquire(controller.signal);
  const next = limiter.acquire();
  controller.abort(new Error("deadline"));
  await assert.rejects(waiting, /deadline/);
  assert.equal(limiter.waiting, 1);
  release();
  const granted = await next;
  assert.equal(limiter.active, 1);
  granted();
  assert.equal(limiter.active, 0);
  await assert.rejects(limiter.acquire(AbortSignal.abort(new Error("already"))), /already/);
});
