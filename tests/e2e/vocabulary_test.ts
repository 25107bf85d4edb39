/**
 * The calls models copy from the best-known Docker MCP servers' examples
 * (QuantGeekDev/docker-mcp, ckreiling/mcp-server-docker, manusa/podman-mcp-server)
 * and the Docker SDK's own words, replayed as written against berth over MCP and the real engine:
 * each is accepted and does what it says, checked with the docker CLI.
 */

import assert from "node:assert/strict";
import { cleanupRun, defer, docker, TEST_IMAGE, uniqueName } from "../helpers/mod.ts";
import { callExpectingError, type CallResult, codeOf, connect, SPAWN_TEST } from "./_mcp.ts";

const SUITE = "e2e-vocabulary";
const RUN = uniqueName("run");
/** Labels every container made through berth carries, as a list (ckreiling's form). */
const LABELS = [`berth.test=${SUITE}`, `berth.run=${RUN}`];

/** One call as a model writes it, and how to check that it did what it says. */
interface Replay {
  from: string;
  tool: string;
  args: Record<string, unknown>;
  check: (result: CallResult) => void | Promise<void>;
}

async function inspect(name: string): Promise<Record<string, never>> {
  return JSON.parse(await docker("inspect", name))[0];
}

Deno.test("e2e: the calls models write for Docker are accepted and do what they say", {
  ...SPAWN_TEST,
}, async () => {
  const web = uniqueName("berth-voc-web");
  const db = uniqueName("berth-voc-db");
  const job = uniqueName("berth-voc-job");
  const tick = uniqueName("berth-voc-tick");
  await using _cleanup = defer(() => cleanupRun(RUN));
  await using session = await connect(["--allow", "lifecycle,create,exec", "--no-confirm"]);
  const call = async (tool: string, args: Record<string, unknown>, onprogress?: () => void) =>
    await session.client.callTool({ name: tool, arguments: args }, undefined, {
      onprogress,
      timeout: 60_000,
    }) as CallResult;
  const ok = (tool: string, result: CallResult) =>
    assert.ok(!result.isError, `${tool}: ${result.content[0]?.text}`);
  const replays: Replay[] = [
    {
      from: "QuantGeekDev create-container (ports as a mapping, string host port)",
      tool: "docker_create_container",
      args: {
        image: TEST_IMAGE,
        name: db,
        ports: { "5432": "0" },
        environment: { POSTGRES_DB: "app" },
        labels: LABELS,
        command: "sleep 3600",
      },
      check: async () => {
        const info = await inspect(db);
        assert.ok((info.Config as { Env: string[] }).Env.includes("POSTGRES_DB=app"));
        const bindings = (info.HostConfig as { PortBindings: Record<string, unknown> })
          .PortBindings;
        assert.ok(bindings["5432/tcp"], JSON.stringify(bindings));
      },
    },
    {
      from: "ckreiling create_container (detach, auto_remove, env, depends_on)",
      tool: "docker_create_container",
      args: {
        image: TEST_IMAGE,
        name: web,
        detach: true,
        auto_remove: false,
        env: ["MODE=web"],
        command: ["sleep", "3600"],
        labels: LABELS,
        depends_on: [db],
        start: true,
      },
      check: async () => {
        const info = await inspect(web);
        assert.equal((info.State as { Running: boolean }).Running, true);
        assert.ok((info.Config as { Env: string[] }).Env.includes("MODE=web"));
        // The stopped dependency was started first.
        assert.equal((await inspect(db)).State["Running" as never], true);
      },
    },
    {
      from: "detach false: wait for the exit, answer exit code and logs",
      tool: "docker_create_container",
      args: {
        image: TEST_IMAGE,
        name: job,
        cmd: "echo migrated",
        labels: LABELS,
        start: true,
        detach: false,
      },
      check: (r) => {
        assert.equal(r.structuredContent?.exit_code, 0);
        assert.match(String(r.structuredContent?.logs), /migrated/);
      },
    },
    {
      from: "docker SDK containers.run (detach false, auto_remove)",
      tool: "docker_run_container",
      args: { image: TEST_IMAGE, command: "echo ran", detach: false, labels: LABELS },
      check: (r) => {
        assert.equal(r.structuredContent?.exit_code, 0);
        assert.match(String(r.structuredContent?.logs), /ran/);
      },
    },
    {
      from: "QuantGeekDev get-logs (container_name)",
      tool: "docker_container_logs",
      args: { container_name: job },
      check: (r) => assert.match(String(r.structuredContent?.logs), /migrated/),
    },
    {
      from: "ckreiling fetch_container_logs (tail as the string all)",
      tool: "docker_container_logs",
      args: { container_id: job, tail: "all" },
      check: (r) => assert.equal(r.structuredContent?.lines, 1),
    },
    {
      from: "ckreiling list_containers (all, label filter)",
      tool: "docker_list_containers",
      args: { all: true, filters: { label: [`berth.run=${RUN}`] } },
      check: (r) => assert.equal(r.structuredContent?.count, 4),
    },
    {
      from: "ckreiling list_images (name as a reference filter)",
      tool: "docker_list_images",
      args: { name: TEST_IMAGE.replace(/:.*/, "") },
      check: (r) => {
        const images = r.structuredContent?.images as { tags: string[] }[];
        assert.ok(images.length >= 1 && images.every((i) => i.tags.includes(TEST_IMAGE)));
      },
    },
    {
      from: "exec with env and cmd, the docker SDK's words",
      tool: "docker_exec_command",
      args: { container: web, cmd: ["sh", "-c", "echo $GREETING"], env: { GREETING: "hi" } },
      check: (r) => assert.equal(String(r.structuredContent?.stdout).trim(), "hi"),
    },
    {
      from: "all: true on lists that always list everything",
      tool: "docker_list_volumes",
      args: { all: true },
      check: (r) => assert.equal(typeof r.structuredContent?.count, "number"),
    },
    {
      from: "ckreiling stop_container with name",
      tool: "docker_stop_container",
      args: { name: db, timeout: 1 },
      check: async () => {
        assert.equal((await inspect(db)).State["Running" as never], false);
      },
    },
    {
      from: "podman-mcp-server container_inspect (name)",
      tool: "docker_inspect_container",
      args: { name: web, section: "state" },
      check: (r) => assert.match(JSON.stringify(r.structuredContent), /running/),
    },
    {
      from: "podman-mcp-server container_run (imageName, environment as a list)",
      tool: "docker_run_container",
      args: {
        imageName: TEST_IMAGE,
        environment: ["FLAVOUR=podman"],
        command: "sleep 3600",
        labels: LABELS,
      },
      check: async (r) => {
        const info = await inspect(String(r.structuredContent?.name));
        assert.ok((info.Config as { Env: string[] }).Env.includes("FLAVOUR=podman"));
      },
    },
  ];
  for (const replay of replays) {
    const result = await call(replay.tool, replay.args);
    ok(`${replay.from} (${replay.tool})`, result);
    await replay.check(result);
  }

  // A dependency that does not exist is named.
  const missing = await callExpectingError(session, "docker_create_container", {
    image: TEST_IMAGE,
    labels: LABELS,
    depends_on: ["berth-voc-no-such-db"],
  });
  assert.equal(codeOf(missing), "DKR-002", missing.content[0]?.text);
  assert.match(missing.content[0]?.text ?? "", /depends_on.*berth-voc-no-such-db/);

  // follow: lines that arrive while following, with progress on the way.
  await call("docker_create_container", {
    image: TEST_IMAGE,
    name: tick,
    labels: LABELS,
    command: "sh -c 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.3; done'",
    start: true,
  });
  let progress = 0;
  const followed = await call(
    "docker_container_logs",
    { container_id: tick, tail: 1, follow: true, follow_seconds: 2 },
    () => progress++,
  );
  ok("follow", followed);
  assert.ok(Number(followed.structuredContent?.lines) >= 4, followed.content[0]?.text);
  assert.ok(progress >= 1, "progress while following");

  // stream: samples at the engine's pace, min/avg/max, a progress per sample.
  let samples = 0;
  const streamed = await call(
    "docker_container_stats",
    { container_id: web, stream: true, samples: 2 },
    () => samples++,
  );
  ok("stream", streamed);
  const summary = streamed.structuredContent?.summary as Record<string, unknown>;
  assert.equal(summary.samples, 2);
  assert.deepEqual(Object.keys(summary.cpu_percent as object), ["min", "avg", "max"]);
  assert.equal(samples, 2);

  // An alias that disagrees with its parameter is refused, never one of them dropped.
  const both = await callExpectingError(session, "docker_container_logs", {
    container_id: web,
    container_name: db,
  });
  assert.equal(codeOf(both), "DKR-004");
});
