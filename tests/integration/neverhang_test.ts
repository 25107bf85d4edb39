/**
 * Never hang, end to end inside one process: fault injection with fake
 * engine sockets (each test named "fake socket: …"), the circuit breaker
 * opening and closing by itself, client cancellation, caps, a long call
 * handed to the background on the real engine, and recovery from an engine
 * restart (a second dockerd of our own, so the shared one is never touched).
 *
 * Time limits here are hang guards only (deadline + a few seconds), never
 * performance assertions.
 */

import { containers } from "../../src/engine/ops/mod.ts";
import assert from "node:assert/strict";
import type { App } from "../../src/app/mod.ts";
import { EngineClient } from "../../src/engine/client.ts";
import { parseDockerHost } from "../../src/config/endpoint.ts";
import type { BerthError } from "../../src/errors/mod.ts";
import { MAX_IN_FLIGHT } from "../../src/guard/limiter.ts";
import { Interpreter } from "../../src/interpreter/mod.ts";
import type { Handler } from "../../src/interpreter/contract.ts";
import type { ToolSpec } from "../../src/manifest/types.ts";
import { LevelPolicy } from "../../src/policy/mod.ts";
import { FakeEngine } from "../helpers/fake_engine.ts";
import { waitManifestDir } from "../helpers/manifests.ts";
import { call, cleanup, docker, errorCode, runContainer, testApp } from "../helpers/mod.ts";

const SUITE = "neverhang";

/** Fails the test (instead of hanging the suite) when `work` outlives `ms`. */
async function guard<T>(ms: number, work: Promise<T>, what = "the call"): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang guard: ${what} took over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** A config file for breaker settings (they have no flags). */
function configFile(neverhang: Record<string, unknown>): string {
  const path = Deno.makeTempFileSync({ prefix: "berth-neverhang-", suffix: ".json" });
  Deno.writeTextFileSync(path, JSON.stringify({ neverhang }));
  return path;
}

/** An app on the fake with a 1 s read deadline (and any other options). */
async function appOn(
  fake: FakeEngine,
  options: Parameters<typeof testApp>[0] = {},
): Promise<App> {
  return await testApp({ dockerHost: fake.dockerHost, timeout: ["read=1s"], ...options });
}

function done(app: App, fake: FakeEngine): void {
  app.engine.close();
  fake.close();
}

Deno.test("fake socket: accepts and never answers — DKR-008 at the read deadline, naming class and limit; the socket request is really cancelled", async () => {
  const fake = FakeEngine.start("hang");
  const app = await appOn(fake);
  try {
    fake.behaviour = "hang";
    const result = await guard(6_000, call(app, "docker_list_containers"));
    assert.equal(errorCode(result), "DKR-008");
    assert.match(result.text, /did not answer within 1s \(timeout class 'read'\)/);
    assert.match(result.text, /--timeout read=/);
    assert.ok(await fake.waitAbandoned(1), "the fake saw its connection closed by berth");
  } finally {
    done(app, fake);
  }
});

Deno.test("fake socket: drips a byte a second — the deadline covers body reading; DKR-008 and the connection is closed", async () => {
  const fake = FakeEngine.start("drip");
  const app = await appOn(fake);
  try {
    fake.behaviour = "drip";
    const result = await guard(6_000, call(app, "docker_list_containers"));
    assert.equal(errorCode(result), "DKR-008");
    assert.ok(await fake.waitAbandoned(1, 4_000), "the dripping connection was dropped");
  } finally {
    done(app, fake);
  }
});

Deno.test("fake socket: resets mid-body — a GET is retried twice then answers DKR-001; a write cut off is never retried", async () => {
  const fake = FakeEngine.start("reset");
  const app = await appOn(fake);
  try {
    fake.behaviour = "reset";
    const result = await guard(6_000, call(app, "docker_list_containers"));
    assert.equal(errorCode(result), "DKR-001");
    assert.match(result.text, /error reading a body/);
    assert.equal(fake.calls.length, 3, "one try and two retries");
    // A connection closed before any answer: a GET is sent again, a POST never.
    fake.behaviour = "close";
    let before = fake.calls.length;
    const get = app.engine.request(containers.inspect("abc"));
    await assert.rejects(get, (e: BerthError) => e.code === "DKR-001");
    assert.equal(fake.calls.length - before, 3);
    before = fake.calls.length;
    const post = app.engine.request(containers.start("abc"));
    await assert.rejects(post, (e: BerthError) => e.code === "DKR-001");
    assert.equal(fake.calls.length - before, 1, "writes are never retried blindly");
  } finally {
    done(app, fake);
  }
});

Deno.test("fake socket: answers garbage — DKR-001 for bytes that are not HTTP, DKR-012 for a body that is not JSON", async () => {
  const fake = FakeEngine.start("garbage");
  const app = await appOn(fake);
  try {
    fake.behaviour = "garbage";
    const notHttp = await guard(6_000, call(app, "docker_list_containers"));
    assert.equal(errorCode(notHttp), "DKR-001");
    fake.behaviour = "bad_json";
    const notJson = await guard(6_000, call(app, "docker_list_containers"));
    assert.equal(errorCode(notJson), "DKR-012");
    assert.match(notJson.text, /not valid JSON/);
  } finally {
    done(app, fake);
  }
});

Deno.test("fake socket: returns 500s — DKR-012 every time with the engine's message, and the breaker never opens", async () => {
  const fake = FakeEngine.start("error500");
  const app = await appOn(fake);
  try {
    fake.behaviour = "error500";
    for (let i = 0; i < 6; i++) {
      const result = await guard(6_000, call(app, "docker_list_containers"));
      assert.equal(errorCode(result), "DKR-012");
      assert.match(result.text, /Fake engine failure/);
    }
    assert.equal(fake.calls.length, 6, "every call reached the engine: the breaker stayed closed");
    assert.equal(app.breaker.state, "closed");
  } finally {
    done(app, fake);
  }
});

Deno.test("fake socket: accepts and never answers — after 3 timeouts the breaker answers DKR-009 at once, then closes by itself after the cooldown once the engine answers", async () => {
  const fake = FakeEngine.start("breaker");
  const config = configFile({ circuit_breaker: { failures: 3, window: "60s", cooldown: "1s" } });
  const app = await appOn(fake, { config, timeout: ["read=300ms"] });
  try {
    fake.behaviour = "hang";
    for (let i = 0; i < 3; i++) {
      assert.equal(errorCode(await guard(5_000, call(app, "docker_list_containers"))), "DKR-008");
    }
    const engineCalls = fake.calls.length;
    const refused = await guard(1_000, call(app, "docker_list_containers"));
    assert.equal(errorCode(refused), "DKR-009");
    assert.match(refused.text, /failed 3 times within 1m; berth probes the engine again in 1s/);
    assert.match(refused.text, /Last failure: DKR-008/);
    assert.equal(fake.calls.length, engineCalls, "a refused call never reaches the engine");
    // Tools that never reach the engine still answer.
    const status = await call(app, "docker_operation_status", { operation_id: "op-none" });
    assert.equal(errorCode(status), "DKR-011");

    fake.behaviour = "ok";
    await new Promise((r) => setTimeout(r, 1_100));
    const pings = fake.requests.filter((r) => r.path === "/_ping").length;
    const recovered = await guard(5_000, call(app, "docker_list_containers"));
    assert.equal(recovered.isError, false, recovered.text);
    assert.equal(
      fake.requests.filter((r) => r.path === "/_ping").length,
      pings + 1,
      "one probe",
    );
    assert.equal(app.breaker.state, "closed");
  } finally {
    done(app, fake);
    Deno.removeSync(config);
  }
});

Deno.test("fake socket: accepts and never answers — a client cancel aborts the engine request at once, is not counted by the breaker, and berth keeps serving", async () => {
  const fake = FakeEngine.start("cancel");
  const config = configFile({ circuit_breaker: { failures: 2 } });
  const app = await appOn(fake, { config, timeout: ["read=30s"] });
  try {
    fake.behaviour = "hang";
    for (let i = 1; i <= 3; i++) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const result = await guard(
        5_000,
        app.interpreter.call("docker_list_containers", {}, { signal: controller.signal }),
      );
      assert.equal(errorCode(result), "DKR-008");
      assert.match(result.text, /cancelled by the client/);
      assert.ok(await fake.waitAbandoned(i), `cancel ${i} closed the engine connection`);
    }
    assert.equal(app.breaker.state, "closed", "cancels are not engine failures");
    fake.behaviour = "ok";
    const after = await guard(5_000, call(app, "docker_list_containers"));
    assert.equal(after.isError, false);
  } finally {
    done(app, fake);
    Deno.removeSync(config);
  }
});

Deno.test("fake socket: accepts and never answers — 200 concurrent calls all come back at the deadline, at most MAX_IN_FLIGHT reach the engine, and the next engine is served at once", async () => {
  const fake = FakeEngine.start("crowd");
  const config = configFile({ circuit_breaker: { failures: 1000 } });
  const app = await appOn(fake, { config });
  try {
    fake.behaviour = "hang";
    const results = await guard(
      8_000,
      Promise.all(Array.from({ length: 200 }, () => call(app, "docker_list_containers"))),
    );
    assert.ok(results.every((r) => errorCode(r) === "DKR-008"));
    // The rest waited in berth's own queue (src/guard/limiter.ts) and left it at the deadline.
    // The bound is on requests at once: a call queued a little later than the first ones may
    // still reach the engine when their deadline frees its slot (its own deadline is later).
    assert.ok(
      fake.mostHanging > 0 && fake.mostHanging <= MAX_IN_FLIGHT,
      `${fake.mostHanging} requests hung at once`,
    );
    assert.ok(fake.calls.length < 200, `${fake.calls.length} of 200 calls reached the engine`);
    assert.ok(await fake.waitAbandoned(fake.calls.length, 5_000), "every connection was closed");
  } finally {
    done(app, fake);
    Deno.removeSync(config);
  }
  // Requests aborted while queued inside Deno's fetch used to stall the next unix-socket
  // requests of the process for ~20 s; a fresh engine must answer within the hang guard.
  const healthy = FakeEngine.start("after-crowd");
  const next = await appOn(healthy);
  try {
    const result = await guard(5_000, call(next, "docker_list_containers"), "the next call");
    assert.equal(result.isError, false, result.text);
  } finally {
    done(next, healthy);
  }
});

Deno.test("fake socket: accepts and never answers — a handler that forgets the signal still has its engine request cancelled at the deadline", async () => {
  const fake = FakeEngine.start("forgetful");
  fake.behaviour = "hang";
  const engine = new EngineClient({ endpoint: parseDockerHost(fake.dockerHost) });
  const spec: ToolSpec = {
    name: "docker_forgetful",
    title: "Forgetful",
    description: "A handler that sends its request without the call's signal",
    permission: "read",
    timeout: "read",
    toolset: "test",
    input: {},
    handler: "forgetful",
    output: { schema: {} },
    source: "test",
  };
  // No `signal` in the request: the interpreter's per-call engine adds the call's.
  const forgetful: Handler = async ({ engine }) => {
    await engine.json(containers.list());
    return { structured: {}, text: "" };
  };
  const interpreter = new Interpreter({
    tools: [spec],
    engine,
    policy: new LevelPolicy(["read"]),
    timeouts: { read: 500, lifecycle: 500, exec: 500, compose: 500, long: 500 },
    handlers: { forgetful },
    shapers: {},
  });
  try {
    const result = await guard(5_000, interpreter.call("docker_forgetful", {}));
    assert.equal(errorCode(result), "DKR-008");
    assert.ok(await fake.waitAbandoned(1, 3_000), "the request was cancelled, not orphaned");
  } finally {
    engine.close();
    fake.close();
  }
});

Deno.test("fake socket: a list larger than the cap comes back cut to 1 MiB with truncated: true", async () => {
  const fake = FakeEngine.start("huge");
  const app = await appOn(fake);
  try {
    fake.containers = Array.from({ length: 8_000 }, (_, i) => ({
      Id: i.toString(16).padStart(64, "0"),
      Names: [`/c${i}`],
      Image: "busybox",
      State: "running",
      Status: "Up",
      Ports: [],
      Labels: { blob: "x".repeat(200) },
    }));
    const result = await guard(10_000, call(app, "docker_list_containers"));
    assert.equal(result.isError, false, result.text);
    assert.equal(result.structured.truncated, true);
    assert.ok(JSON.stringify(result.structured).length <= 1024 * 1024);
    const kept = (result.structured.containers as unknown[]).length;
    assert.ok(kept > 100 && kept < 8_000);
    assert.equal(result.structured.count, kept);
    assert.ok(result.text.length < 70 * 1024);
  } finally {
    done(app, fake);
  }
});

Deno.test("long call: a wait past a 1 s budget answers running with an operation_id; docker_operation_status then reports succeeded with the exit code", async () => {
  const dir = waitManifestDir("berth-neverhang-manifest-");
  const app = await testApp({ allow: "read,lifecycle", manifest: [dir], longBudget: "1s" });
  try {
    const tools = ["docker_neverhang_wait"];
    if (app.interpreter.has("docker_wait_container")) tools.push("docker_wait_container");
    for (const tool of tools) {
      const name = await runContainer(SUITE, { command: ["sh", "-c", "sleep 3; exit 7"] });
      const first = await guard(10_000, call(app, tool, { container_id: name }), tool);
      assert.equal(first.isError, false, first.text);
      assert.equal(first.structured.status, "running", tool);
      const id = first.structured.operation_id as string;
      assert.match(id, /^op-/);
      assert.match(first.text, /docker_operation_status/);
      const status = await guard(
        30_000,
        call(app, "docker_operation_status", { operation_id: id, wait: 20 }),
      );
      assert.equal(status.isError, false, status.text);
      assert.equal(status.structured.status, "succeeded", status.text);
      assert.equal(status.structured.tool, tool);
      assert.equal((status.structured.result as { exit_code: number }).exit_code, 7);
    }
  } finally {
    app.engine.close();
    await cleanup(SUITE);
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("long call: docker_operation_status waits at most its read deadline, then answers running; the hand-off suggests a wait that fits", async () => {
  const dir = waitManifestDir("berth-neverhang-manifest-");
  // Read deadline 2 s: a status wait fits in 1.6 s (a fifth kept to answer).
  const app = await testApp({
    allow: "read,lifecycle",
    manifest: [dir],
    longBudget: "1s",
    timeout: ["read=2s"],
  });
  try {
    const name = await runContainer(SUITE, { command: ["sh", "-c", "sleep 6; exit 3"] });
    const first = await guard(10_000, call(app, "docker_neverhang_wait", { container_id: name }));
    assert.equal(first.structured.status, "running", first.text);
    const id = first.structured.operation_id as string;
    assert.ok(first.text.includes(`{"operation_id": "${id}", "wait": 1}`), first.text);

    const status = await guard(
      10_000,
      call(app, "docker_operation_status", { operation_id: id, wait: 20 }),
    );
    assert.equal(status.isError, false, status.text);
    assert.equal(status.structured.status, "running", status.text);
    assert.match(status.text, /waited 1\.6s, the most this call's deadline allows/);

    let final = status;
    for (let i = 0; i < 20 && final.structured.status === "running"; i++) {
      final = await guard(
        10_000,
        call(app, "docker_operation_status", { operation_id: id, wait: 25 }),
      );
      assert.equal(final.isError, false, final.text);
    }
    assert.equal(final.structured.status, "succeeded", final.text);
    assert.equal((final.structured.result as { exit_code: number }).exit_code, 3);
  } finally {
    app.engine.close();
    await cleanup(SUITE);
    Deno.removeSync(dir, { recursive: true });
  }
});

// --- the engine restarted during a session ------------------------------------------------

const D2 = {
  sock: "/tmp/berth-d2.sock",
  dataRoot: "/tmp/berth-d2",
  execRoot: "/tmp/berth-d2-exec",
  pidfile: "/tmp/berth-d2.pid",
  config: "/tmp/berth-d2.json",
};

function canRunSecondDaemon(): boolean {
  try {
    Deno.statSync("/usr/sbin/dockerd");
    Deno.statSync("/usr/bin/unshare");
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

/**
 * Starts our own dockerd (own socket, data root, exec root and containerd)
 * in its OWN network namespace and waits until it answers. The namespace
 * matters: a dockerd started with --bridge=none deletes the host's docker0
 * interface, which would break the shared engine's default network.
 */
async function startDaemon(): Promise<Deno.ChildProcess> {
  Deno.writeTextFileSync(D2.config, "{}");
  const child = new Deno.Command("unshare", {
    args: [
      "--net",
      "--",
      "dockerd",
      `--host=unix://${D2.sock}`,
      `--data-root=${D2.dataRoot}`,
      `--exec-root=${D2.execRoot}`,
      `--pidfile=${D2.pidfile}`,
      `--config-file=${D2.config}`,
      "--bridge=none",
      "--iptables=false",
      "--ip-masq=false",
      "--ip-forward=false",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    try {
      const out = await docker(
        "-H",
        `unix://${D2.sock}`,
        "version",
        "--format",
        "{{.Server.Version}}",
      );
      if (out) return child;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGTERM");
  await child.status;
  throw new Error("the second dockerd did not come up within 30 s");
}

async function stopDaemon(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch { /* already gone */ }
  await child.status;
}

/** True when the host has a network interface of that name. */
function hasLink(name: string): boolean {
  try {
    Deno.statSync(`/sys/class/net/${name}`);
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "engine restart: a second dockerd stopped and started again; the same berth recovers without a restart",
  ignore: !canRunSecondDaemon(),
  async fn() {
    const hadDocker0 = hasLink("docker0");
    let daemon = await startDaemon();
    const app = await testApp({ dockerHost: `unix://${D2.sock}`, timeout: ["read=5s"] });
    try {
      const before = await guard(10_000, call(app, "docker_version"));
      assert.equal(before.isError, false, before.text);
      assert.equal((await call(app, "docker_list_containers")).isError, false);

      await stopDaemon(daemon);
      const down = await guard(10_000, call(app, "docker_list_containers"));
      assert.equal(errorCode(down), "DKR-001", down.text);

      daemon = await startDaemon();
      // The pooled keep-alive connection died with the daemon; berth must not need a restart.
      const after = await guard(10_000, call(app, "docker_list_containers"));
      assert.equal(after.isError, false, after.text);
      const version = await guard(10_000, call(app, "docker_version"));
      assert.equal(version.isError, false, version.text);
      assert.equal(app.breaker.state, "closed");
    } finally {
      app.engine.close();
      await stopDaemon(daemon);
      assert.equal(hasLink("docker0"), hadDocker0, "the shared engine's docker0 is untouched");
    }
  },
});
