/**
 * Supervision of a call, without an engine: deadlines that hold even when the
 * work ignores its signal, client cancellation, the breaker gate, the
 * long-call budget and its hand-off, result caps, and the outputSchema that
 * admits `status: running` (checked with the validator the MCP SDK client uses).
 */

import assert from "node:assert/strict";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/validation/ajv"
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { BerthError } from "../../src/errors/mod.ts";
import { CircuitBreaker, MAX_STRUCTURED_BYTES, Operations } from "../../src/guard/mod.ts";
import type { Progress, ToolResult } from "../../src/interpreter/mod.ts";
import { outputJsonSchema } from "../../src/interpreter/shape.ts";
import { allowRunning, Supervisor, type Work } from "../../src/interpreter/supervise.ts";
import type { TimeoutClass, ToolSpec } from "../../src/manifest/types.ts";

const TIMEOUTS: Record<TimeoutClass, number> = {
  read: 200,
  lifecycle: 200,
  exec: 200,
  compose: 5_000,
  long: 5_000,
};

function spec(timeout: TimeoutClass, list?: string): ToolSpec {
  return {
    name: `docker_fake_${timeout}`,
    title: "Fake",
    description: "A fake tool",
    permission: "read",
    timeout,
    toolset: "test",
    input: {},
    handler: "fake",
    output: list ? { list, fields: { id: { type: "string", description: "ID" } } } : {
      schema: {
        container_id: { type: "string", description: "ID" },
        exit_code: { type: "integer", description: "Exit code" },
      },
    },
    source: "test",
  };
}

const never: Work = () => new Promise(() => {});
const errorCode = (r: ToolResult) => (r.structured.error as { code: string } | undefined)?.code;

Deno.test("supervise: work that ignores its signal still answers DKR-008 at the deadline, naming class and limit", async () => {
  const supervisor = new Supervisor({ timeouts: TIMEOUTS });
  const result = await supervisor.run(spec("read"), never);
  assert.equal(errorCode(result), "DKR-008");
  assert.match(result.text, /within 200ms \(timeout class 'read'\)/);
  assert.match(result.text, /--timeout read=/);
});

Deno.test("supervise: the client's cancel aborts the work's signal at once and is not an engine failure", async () => {
  const breaker = new CircuitBreaker({
    failures: 1,
    windowMs: 60_000,
    cooldownMs: 60_000,
    probe: () => Promise.resolve(true),
  });
  const supervisor = new Supervisor({ timeouts: { ...TIMEOUTS, read: 60_000 }, breaker });
  let aborted = false;
  const work: Work = (signal) =>
    new Promise((_, reject) => {
      signal.addEventListener("abort", () => {
        aborted = true;
        reject(signal.reason);
      });
    });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 20);
  const result = await supervisor.run(spec("read"), work, { signal: controller.signal });
  assert.ok(aborted);
  assert.equal(errorCode(result), "DKR-008");
  assert.match(result.text, /cancelled by the client/);
  assert.equal(breaker.state, "closed");
});

Deno.test("supervise: counted failures open the breaker; then the work is not even started", async () => {
  const breaker = new CircuitBreaker({
    failures: 2,
    windowMs: 60_000,
    cooldownMs: 60_000,
    probe: () => Promise.resolve(true),
  });
  const supervisor = new Supervisor({ timeouts: TIMEOUTS, breaker });
  let started = 0;
  const unreachable: Work = () => {
    started++;
    return Promise.reject(new BerthError("daemon_unreachable", "No answer"));
  };
  const notFound: Work = () => {
    started++;
    return Promise.reject(new BerthError("container_not_found", "No such container"));
  };
  for (let i = 0; i < 5; i++) await supervisor.run(spec("read"), notFound);
  assert.equal(breaker.state, "closed", "404s never count");
  await supervisor.run(spec("read"), unreachable);
  await supervisor.run(spec("read"), unreachable);
  const refused = await supervisor.run(spec("read"), unreachable);
  assert.equal(errorCode(refused), "DKR-009");
  assert.equal(started, 7);
  // A tool that never reaches the engine is not gated.
  const free = await supervisor.run(
    spec("read"),
    () => Promise.resolve({ structured: {}, text: "ok" }),
    {},
    false,
  );
  assert.equal(free.isError, false);
});

Deno.test("supervise: a connection that breaks while a handler reads a body is DKR-001; a bug still throws", async () => {
  const supervisor = new Supervisor({ timeouts: TIMEOUTS });
  const broken = await supervisor.run(
    spec("read"),
    () => Promise.reject(new TypeError("error reading a body from connection")),
  );
  assert.equal(errorCode(broken), "DKR-001");
  await assert.rejects(
    supervisor.run(spec("read"), () => Promise.reject(new RangeError("a bug"))),
    /a bug/,
  );
});

Deno.test("supervise: a long call past the budget answers running with an operation_id; the work goes on and lands in the registry", async () => {
  const operations = new Operations();
  const supervisor = new Supervisor({ timeouts: TIMEOUTS, operations, longBudgetMs: 50 });
  const sent: Progress[] = [];
  let workSignal!: AbortSignal;
  let report!: (p: Progress) => void;
  const work: Work = (signal, progress) => {
    workSignal = signal;
    report = progress;
    progress({ progress: 1, message: "started" });
    return new Promise((resolve) =>
      setTimeout(
        () => resolve({ structured: { container_id: "abc", exit_code: 3 }, text: "exited 3" }),
        300,
      )
    );
  };
  const controller = new AbortController();
  const result = await supervisor.run(spec("long"), work, {
    signal: controller.signal,
    onProgress: (p) => sent.push(p),
  });
  assert.equal(result.isError, false);
  assert.equal(result.structured.status, "running");
  const id = result.structured.operation_id as string;
  assert.match(id, /^op-/);
  assert.match(result.text, /docker_operation_status/);
  controller.abort(); // the client goes away after the answer: the work must not stop
  report({ progress: 2, message: "later" });
  assert.equal(sent.length, 1, "no progress is sent for an answered call");
  assert.equal(workSignal.aborted, false);
  const done = await operations.wait(id, 2_000);
  assert.equal(done!.status, "succeeded");
  assert.deepEqual(done!.result, { container_id: "abc", exit_code: 3 });
  assert.deepEqual(done!.progress, { progress: 2, message: "later" });
});

Deno.test("supervise: no hand-off for calls done within the budget, other classes, or background: false", async () => {
  const operations = new Operations();
  const supervisor = new Supervisor({ timeouts: TIMEOUTS, operations, longBudgetMs: 30 });
  const quick: Work = () =>
    Promise.resolve({ structured: { container_id: "a", exit_code: 0 }, text: "ok" });
  const slow: Work = () =>
    new Promise((r) =>
      setTimeout(() => r({ structured: { container_id: "a", exit_code: 0 }, text: "ok" }), 100)
    );
  assert.equal((await supervisor.run(spec("long"), quick)).structured.exit_code, 0);
  assert.equal(
    (await supervisor.run(spec("long"), slow, { background: false })).structured.exit_code,
    0,
  );
  assert.equal((await supervisor.run(spec("exec"), slow)).structured.exit_code, 0);
  assert.equal(operations.size, 0);
});

Deno.test("supervise: cancelled before the budget, long work is aborted (cancellation is not a hand-off)", async () => {
  const operations = new Operations();
  const supervisor = new Supervisor({ timeouts: TIMEOUTS, operations, longBudgetMs: 1_000 });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 20);
  const work: Work = (signal) =>
    new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  const result = await supervisor.run(spec("long"), work, { signal: controller.signal });
  assert.equal(errorCode(result), "DKR-008");
  assert.equal(operations.size, 0);
});

Deno.test("supervise: work handed off still ends at its class deadline, as a failed operation", async () => {
  const operations = new Operations();
  const supervisor = new Supervisor({
    timeouts: { ...TIMEOUTS, long: 150 },
    operations,
    longBudgetMs: 30,
  });
  const result = await supervisor.run(spec("long"), never);
  const done = await operations.wait(result.structured.operation_id as string, 2_000);
  assert.equal(done!.status, "failed");
  assert.equal(done!.error!.code, "DKR-008");
  assert.match(done!.error!.message, /timeout class 'long'/);
});

Deno.test("supervise: a list over the cap is cut with truncated: true; another huge result is DKR-004", async () => {
  const supervisor = new Supervisor({ timeouts: TIMEOUTS });
  const items = Array.from({ length: 30_000 }, (_, i) => ({ id: `${i}`.padStart(64, "0") }));
  const listed = await supervisor.run(
    spec("read", "containers"),
    () =>
      Promise.resolve({
        structured: { containers: items, count: items.length },
        text: "x".repeat(200_000),
      }),
  );
  assert.equal(listed.isError, false);
  assert.equal(listed.structured.truncated, true);
  const kept = listed.structured.containers as unknown[];
  assert.ok(kept.length > 1000 && kept.length < items.length);
  assert.equal(listed.structured.count, kept.length);
  assert.ok(JSON.stringify(listed.structured).length <= MAX_STRUCTURED_BYTES);
  assert.match(listed.text, /\[truncated: output exceeded/);
  const huge = await supervisor.run(
    spec("read"),
    () =>
      Promise.resolve({
        structured: { details: { blob: "y".repeat(2 * MAX_STRUCTURED_BYTES) } },
        text: "",
      }),
  );
  assert.equal(errorCode(huge), "DKR-004");
  assert.match(huge.text, /over the 256 KiB cap/);
});

Deno.test("supervise: the outputSchema of long tools admits the result, status running and an error, as the SDK client checks", () => {
  const validator = new AjvJsonSchemaValidator();
  const schema = allowRunning(outputJsonSchema(spec("long").output), "long");
  const check = validator.getValidator(schema);
  assert.ok(check({ container_id: "a", exit_code: 0 }).valid);
  assert.ok(check({ operation_id: "op-1", status: "running", tool: "t", progress: null }).valid);
  // Output schemas declare no required fields, so an error result fits too.
  assert.ok(check({ error: { code: "DKR-008", type: "timeout", message: "m", hint: "h" } }).valid);
  assert.ok(!check({ container_id: 5, exit_code: 0 }).valid, "a field of the wrong type fails");
  assert.ok(!check({ operation_id: 5, status: "running" }).valid);
  const readSchema = allowRunning(outputJsonSchema(spec("read").output), "read");
  assert.equal((readSchema.properties as Record<string, unknown>).operation_id, undefined);
});

Deno.test("supervise: the result waits until the last progress notification is written, and work that runs on sends no more", async () => {
  const supervisor = new Supervisor({ timeouts: TIMEOUTS });
  const events: string[] = [];
  let report!: (p: Progress) => void;
  const work: Work = (_signal, progress) => {
    report = progress;
    progress({ progress: 1, total: 2, message: "half" });
    progress({ progress: 2, total: 2, message: "done" });
    return Promise.resolve({ structured: { container_id: "a", exit_code: 0 }, text: "ok" });
  };
  // A transport whose writes finish later than the work does.
  const onProgress = (p: Progress) =>
    new Promise<void>((resolve) =>
      setTimeout(() => {
        events.push(`written ${p.message}`);
        resolve();
      }, 30)
    );
  const result = await supervisor.run(spec("read"), work, { onProgress });
  events.push("result");
  assert.equal(result.isError, false);
  assert.deepEqual(events, ["written half", "written done", "result"]);
  report({ progress: 3, message: "after the answer" });
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(events.at(-1), "result", "nothing is sent after the result");
});

Deno.test("supervise: a call that sent no progress answers without waiting for any", async () => {
  const supervisor = new Supervisor({ timeouts: TIMEOUTS });
  let sent = 0;
  const quick: Work = () =>
    Promise.resolve({ structured: { container_id: "a", exit_code: 0 }, text: "ok" });
  const result = await supervisor.run(spec("read"), quick, { onProgress: () => sent++ });
  assert.equal(result.text, "ok");
  assert.equal(sent, 0);
});
