/**
 * The background operations registry: adoption, status, waiting, expiry and
 * its bound on size; how long docker_operation_status may wait.
 */

import assert from "node:assert/strict";
import { BerthError } from "../../src/errors/mod.ts";
import {
  MAX_STATUS_WAIT_S,
  type OperationOutcome,
  Operations,
  statusWaitCapMs,
  suggestedStatusWait,
} from "../../src/guard/operations.ts";

function deferred() {
  let resolve!: (o: OperationOutcome) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<OperationOutcome>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const ok = (structured: Record<string, unknown>): OperationOutcome => ({
  structured,
  text: "done",
  isError: false,
});

Deno.test("operations: adopted work reports running with its progress, then its result", async () => {
  const ops = new Operations();
  const work = deferred();
  let progress = { progress: 3, total: 10, message: "layer 3 of 10" };
  const started = ops.adopt("docker_pull_image", work.promise, () => progress)!;
  assert.match(started.operation_id, /^op-[0-9a-f]{20}$/);
  assert.equal(started.status, "running");
  progress = { progress: 7, total: 10, message: "layer 7 of 10" };
  assert.deepEqual(ops.get(started.operation_id)!.progress, progress);
  work.resolve(ok({ image_id: "sha256:abc" }));
  const done = await ops.wait(started.operation_id, 1000);
  assert.equal(done!.status, "succeeded");
  assert.deepEqual(done!.result, { image_id: "sha256:abc" });
  assert.equal(done!.error, null);
  assert.equal(done!.text, "done");
  assert.equal(done!.tool, "docker_pull_image");
});

Deno.test("operations: an error result is a failed operation carrying the error", async () => {
  const ops = new Operations();
  const error = new BerthError("timeout", "The engine did not answer within 10m");
  const op = ops.adopt(
    "docker_build_image",
    Promise.resolve({
      structured: { error: error.toPayload() },
      text: error.toText(),
      isError: true,
    }),
    () => undefined,
  )!;
  const done = await ops.wait(op.operation_id, 1000);
  assert.equal(done!.status, "failed");
  assert.equal(done!.error!.code, "DKR-008");
  assert.equal(done!.result, null);
});

Deno.test("operations: work that throws is a failed operation, not a lost one", async () => {
  const ops = new Operations();
  const op = ops.adopt("docker_push_image", Promise.reject(new Error("boom")), () => undefined)!;
  const done = await ops.wait(op.operation_id, 1000);
  assert.equal(done!.status, "failed");
  assert.equal(done!.error!.code, "DKR-012");
  assert.match(done!.error!.message, /boom/);
});

Deno.test("operations: wait returns when the time is up, with the operation still running", async () => {
  const ops = new Operations();
  const work = deferred();
  const op = ops.adopt("docker_wait_container", work.promise, () => undefined)!;
  const snapshot = await ops.wait(op.operation_id, 50);
  assert.equal(snapshot!.status, "running");
  work.resolve(ok({}));
});

Deno.test("operations: wait ends early with the signal's reason", async () => {
  const ops = new Operations();
  const work = deferred();
  const op = ops.adopt("docker_wait_container", work.promise, () => undefined)!;
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("cancelled")), 20);
  await assert.rejects(ops.wait(op.operation_id, 10_000, controller.signal), /cancelled/);
  work.resolve(ok({}));
});

Deno.test("operations: unknown ids are undefined", async () => {
  const ops = new Operations();
  assert.equal(ops.get("op-nope"), undefined);
  assert.equal(await ops.wait("op-nope", 10), undefined);
});

Deno.test("operations: finished results expire after the keep time; running ones never do", async () => {
  let now = 0;
  const ops = new Operations({ keepFinishedMs: 15 * 60_000, now: () => now });
  const running = ops.adopt("docker_wait_container", deferred().promise, () => undefined)!;
  const finished = ops.adopt("docker_pull_image", Promise.resolve(ok({})), () => undefined)!;
  await ops.wait(finished.operation_id, 100);
  now += 15 * 60_000 - 1;
  assert.ok(ops.get(finished.operation_id));
  now += 1;
  assert.equal(ops.get(finished.operation_id), undefined);
  now += 24 * 3600_000;
  assert.equal(ops.get(running.operation_id)!.status, "running");
  assert.equal(ops.get(running.operation_id)!.elapsed_seconds, 24 * 3600 + 15 * 60);
});

Deno.test("operations: bounded size: the oldest finished go first; full of running work, adopt refuses", async () => {
  let now = 0;
  const ops = new Operations({ maxEntries: 3, now: () => now });
  const first = ops.adopt("a", Promise.resolve(ok({})), () => undefined)!;
  await ops.wait(first.operation_id, 100);
  now += 1;
  const second = ops.adopt("b", Promise.resolve(ok({})), () => undefined)!;
  await ops.wait(second.operation_id, 100);
  ops.adopt("c", deferred().promise, () => undefined);
  const fourth = ops.adopt("d", deferred().promise, () => undefined);
  assert.ok(fourth, "room made by dropping the oldest finished");
  assert.equal(ops.get(first.operation_id), undefined);
  assert.ok(ops.get(second.operation_id));
  ops.adopt("e", deferred().promise, () => undefined); // drops the second
  assert.equal(ops.size, 3);
  assert.equal(ops.adopt("f", deferred().promise, () => undefined), undefined);
});

Deno.test("operations: abandonAll finishes running work as abandoned at once, tells onFinish and aborts it; a late end changes nothing", async () => {
  const ops = new Operations();
  const running = deferred();
  const finished = deferred();
  const heard: OperationOutcome[] = [];
  const aborted: unknown[] = [];
  const hooks = {
    onFinish: (o: OperationOutcome) => heard.push(o),
    abort: (reason: unknown) => aborted.push(reason),
  };
  const op = ops.adopt(
    "docker_wait_container",
    running.promise,
    () => undefined,
    undefined,
    hooks,
  )!;
  ops.adopt("docker_pull_image", finished.promise, () => undefined, undefined, hooks);
  finished.resolve(ok({ image_id: "sha256:abc" }));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(heard.length, 1, "the finished one was heard once");

  assert.equal(ops.abandonAll(), 1, "only the running operation is abandoned");
  assert.equal(heard.length, 2, "onFinish heard the abandonment synchronously");
  assert.equal(heard[1].structured.status, "abandoned");
  assert.equal((heard[1].structured.error as { code: string }).code, "DKR-008");
  assert.match(heard[1].text, /server exited before the operation finished/);
  assert.equal(aborted.length, 1);
  assert.ok(aborted[0] instanceof BerthError);
  const snapshot = ops.get(op.operation_id)!;
  assert.equal(snapshot.status, "failed");
  assert.match(snapshot.error!.message, /server exited/);

  // The aborted work settles afterwards: the abandonment stays the outcome, heard once.
  running.resolve(ok({ exit_code: 0 }));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(heard.length, 2);
  assert.equal(ops.get(op.operation_id)!.status, "failed");
  assert.equal(ops.abandonAll(), 0);
});

Deno.test("operation status: a wait fits the status call's own deadline, less a margin to answer", () => {
  assert.equal(statusWaitCapMs(30_000), MAX_STATUS_WAIT_S * 1000, "the default read deadline");
  assert.equal(statusWaitCapMs(5_000), 4_000);
  assert.equal(statusWaitCapMs(2_000), 1_600);
  assert.equal(statusWaitCapMs(500), 400);
  assert.equal(suggestedStatusWait(5_000), 4);
  assert.equal(suggestedStatusWait(1_000), 0, "too short to suggest a wait");
});
