/**
 * Cancellation and long calls end to end: berth spawned as users run it
 * (`deno run -P=berth src/main.ts serve`, plus the sandbox flags for a fake
 * engine socket) and driven by the MCP SDK client.
 *
 * - A client cancel (AbortSignal → notifications/cancelled) aborts the
 *   engine request at once — the fake engine sees its connection closed long
 *   before the call's deadline — and berth keeps serving.
 * - A long call past the budget answers `status: running` with an
 *   operation_id that the SDK client accepts under the tool's outputSchema,
 *   and docker_operation_status returns the result later.
 */

import assert from "node:assert/strict";
import { FakeEngine } from "../helpers/fake_engine.ts";
import { waitManifestDir } from "../helpers/manifests.ts";
import { defer } from "../helpers/mod.ts";
import {
  berthReadPaths,
  callExpectingError,
  callTool,
  codeOf,
  connect,
  SPAWN_TEST,
} from "./_mcp.ts";

/**
 * Deno flags next to -P=berth that let the server reach the fake's socket.
 * A flag replaces the set's list of its kind, so the set's paths come too.
 */
function sandboxFor(fake: FakeEngine, readDirs: string[] = []): string[] {
  return [
    `--allow-read=${[...berthReadPaths(), fake.path, ...readDirs].join(",")}`,
    `--allow-write=${fake.path}`,
    `--allow-net=192.0.2.1,unix:${fake.path}`,
  ];
}

/** Fails the test (instead of hanging the suite) when `work` outlives `ms`. */
async function guard<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang guard: over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test({
  name:
    "fake socket: accepts and never answers — a client cancel over MCP aborts the engine request at once; berth keeps serving",
  ...SPAWN_TEST,
  async fn() {
    using fake = FakeEngine.start("e2e-cancel");
    await using session = await connect(
      ["--docker-host", fake.dockerHost, "--timeout", "read=30s"],
      { denoFlags: sandboxFor(fake) },
    );
    for (let i = 1; i <= 4; i++) {
      fake.behaviour = "hang";
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("user pressed stop")), 300);
      const call = session.client.callTool(
        { name: "docker_list_containers", arguments: {} },
        undefined,
        { signal: controller.signal },
      );
      await assert.rejects(guard(5_000, call), /user pressed stop/);
      // The deadline is 30 s: a closed connection within 5 s is the cancel's doing.
      assert.ok(await fake.waitAbandoned(i, 5_000), `cancel ${i} reached the engine socket`);
    }
    fake.behaviour = "ok";
    const version = await guard(10_000, callTool(session, "docker_version"));
    assert.equal(version.isError, undefined, JSON.stringify(version));
    assert.equal(version.structuredContent?.engine_version, "20.10.99-fake");
    // Four cancels are not engine failures: the breaker (3 failures) stayed closed.
    const list = await guard(10_000, callTool(session, "docker_list_containers"));
    assert.equal(codeOf(list), undefined, JSON.stringify(list));
    assert.deepEqual(session.errors, []);
  },
});

Deno.test({
  name:
    "long call over MCP: status running with an operation_id fits the tool's outputSchema; docker_operation_status gives the result",
  ...SPAWN_TEST,
  async fn() {
    using fake = FakeEngine.start("e2e-long");
    const dir = waitManifestDir("berth-e2e-long-");
    await using _dir = defer(() => Deno.removeSync(dir, { recursive: true }));
    await using session = await connect(
      [
        "--docker-host",
        fake.dockerHost,
        "--allow",
        "read,lifecycle",
        "--manifest",
        dir,
        "--long-budget",
        "1s",
        "--output-schemas",
      ],
      { denoFlags: sandboxFor(fake, [dir]) },
    );
    const { tools } = await session.client.listTools();
    const wait = tools.find((t) => t.name === "docker_neverhang_wait");
    assert.ok(wait?.outputSchema?.properties?.operation_id, "the schema declares operation_id");
    fake.behaviour = "slow";
    fake.slowMs = 2_500;
    // callTool validates structuredContent against the outputSchema: it must accept this.
    const first = await guard(
      10_000,
      callTool(session, "docker_neverhang_wait", { container_id: "web" }),
    );
    assert.equal(first.structuredContent?.status, "running", JSON.stringify(first));
    const id = first.structuredContent?.operation_id as string;
    assert.match(id, /^op-/);
    const status = await guard(
      15_000,
      callTool(session, "docker_operation_status", { operation_id: id, wait: 10 }),
    );
    assert.equal(status.structuredContent?.status, "succeeded", JSON.stringify(status));
    assert.deepEqual(status.structuredContent?.result, { exit_code: 0 });
    assert.deepEqual(session.errors, []);
  },
});

Deno.test({
  name:
    "stdio: after 200 concurrent engine calls the server still reads the next requests at once (no runtime backlog)",
  ...SPAWN_TEST,
  async fn() {
    await using session = await connect();
    const burst = await guard(
      30_000,
      Promise.all(
        Array.from({ length: 200 }, () => callTool(session, "docker_list_containers")),
      ),
    );
    assert.ok(burst.every((r) => !r.isError));
    // Before the in-flight bound, the second request after such a burst sat ~20 s unread.
    for (let i = 0; i < 3; i++) {
      const r = await guard(
        5_000,
        callExpectingError(session, "docker_operation_status", { operation_id: "op-none" }),
      );
      assert.equal(codeOf(r), "DKR-011");
    }
    assert.deepEqual(session.errors, []);
  },
});
