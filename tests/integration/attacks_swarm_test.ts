/**
 * Attack tests on the swarm tools against the real swarm engine
 * (tests/testbed/swarm.sh), each checked with the docker CLI that nothing
 * was created: a service (or a stack's service) put on the host's network by
 * the host network's ID or an ID prefix instead of its name. The swarm
 * resolves a network target by name, ID or ID prefix (the docker CLI itself
 * sends IDs), so only the name `host` was refused before.
 *
 * Objects carry `berth.test=attacks-swarm` and are removed afterwards.
 */

import assert from "node:assert/strict";
import { docker, errorCode, testApp, uniqueName } from "../helpers/mod.ts";

const SOCKET = "/run/berth-swarm/docker.sock";
const HOST = `unix://${SOCKET}`;
const LABELS = { "berth.test": "attacks-swarm" };

try {
  await Deno.stat(SOCKET);
} catch {
  throw new Error(`No swarm engine at ${SOCKET}: run tests/testbed/swarm.sh (setup.sh does)`);
}

const sdocker = (...args: string[]) => docker("-H", HOST, ...args);

/** Makes a service of this suite with the CLI, as an operator would: berth only reads it. */
const createService = (name: string, ...command: string[]) =>
  sdocker(
    "service",
    "create",
    "--name",
    name,
    "--label",
    "berth.test=attacks-swarm",
    "berth-test/busybox",
    ...command,
  );

async function servicesNamed(prefix: string): Promise<string[]> {
  const out = await sdocker("service", "ls", "--format", "{{.Name}}");
  return out.split("\n").filter((n) => n.startsWith(prefix));
}

Deno.test("attack: a service reaches the host network by the network's ID or an ID prefix", async () => {
  const app = await testApp({ dockerHost: HOST, allow: "all" });
  const hostId = (await sdocker("network", "inspect", "host", "-f", "{{.Id}}")).trim();
  const name = uniqueName("atk-hostnet");
  const stack = uniqueName("atkst");
  const dir = await Deno.makeTempDir({ prefix: "berth-atk-swarm-" });
  try {
    for (const target of [hostId, hostId.slice(0, 12), hostId.slice(0, 5)]) {
      const result = await app.interpreter.call("docker_create_service", {
        name,
        image: "berth-test/busybox",
        command: ["sleep", "300"],
        networks: [target],
        labels: LABELS,
      }, { background: false });
      assert.equal(errorCode(result), "DKR-007", `${target}: ${result.text}`);
      assert.match(result.text, /NetworkMode: host/);
    }
    // A stack's external network named by the host network's ID prefix.
    await Deno.writeTextFile(
      `${dir}/compose.yaml`,
      [
        "services:",
        "  web:",
        "    image: berth-test/busybox",
        "    command: sleep 300",
        "    networks: [outside]",
        "networks:",
        "  outside:",
        "    external: true",
        `    name: "${hostId.slice(0, 12)}"`,
      ].join("\n"),
    );
    const deployed = await app.interpreter.call("docker_stack_deploy", {
      stack_name: stack,
      compose_file: `${dir}/compose.yaml`,
    }, { background: false });
    assert.equal(errorCode(deployed), "DKR-007", deployed.text);
    assert.deepEqual(await servicesNamed(name), []);
    assert.deepEqual(await servicesNamed(`${stack}_`), []);
  } finally {
    for (const s of [...await servicesNamed(name), ...await servicesNamed(`${stack}_`)]) {
      await sdocker("service", "rm", s).catch(() => {});
    }
    await Deno.remove(dir, { recursive: true });
    app.engine.close();
  }
});

Deno.test("attack: a service's argv secret read back through docker_inspect_service", async () => {
  const app = await testApp({ dockerHost: HOST, allow: "all" });
  const name = uniqueName("atk-argv");
  const secret = "hunter2-atk-argv";
  try {
    // Made with the CLI, as an operator would: berth only reads it.
    await sdocker(
      "service",
      "create",
      "--detach",
      "--name",
      name,
      "--label",
      "berth.test=attacks-swarm",
      "berth-test/busybox",
      "sh",
      "-c",
      "sleep 300",
      "--password",
      secret,
    );
    assert.match(await sdocker("service", "inspect", name), new RegExp(secret));
    const calls: [string, Record<string, unknown>][] = [
      ["docker_inspect_service", { service_id: name }],
      ["docker_list_services", {}],
      ["docker_list_tasks", { service_id: name }],
    ];
    for (const [tool, args] of calls) {
      const result = await app.interpreter.call(tool, args, { background: false });
      assert.ok(!result.isError, `${tool}: ${result.text}`);
      const all = result.text + JSON.stringify(result.structured);
      assert.ok(!all.includes(secret), `${tool} shows the --password value: ${result.text}`);
    }
  } finally {
    await sdocker("service", "rm", name).catch(() => {});
    app.engine.close();
  }
});

Deno.test("attack: a denied service's task container reached through the container tools", async () => {
  const name = uniqueName("atkhid");
  const app = await testApp({ dockerHost: HOST, allow: "all", denyContainers: [name] });
  try {
    await createService(name, "sleep", "300");
    const task = (await sdocker(
      "ps",
      "--filter",
      `label=com.docker.swarm.service.name=${name}`,
      "--format",
      "{{.Names}}",
    )).trim();
    assert.match(task, new RegExp(`^${name}\\.1\\.[a-z0-9]{25}$`));
    const listed = await app.interpreter.call("docker_list_containers", { all: true }, {
      background: false,
    });
    assert.ok(!listed.text.includes(name), listed.text);
    for (
      const [tool, args] of [
        ["docker_exec_command", { container_id: task, command: "id" }],
        ["docker_inspect_container", { container_id: task }],
        ["docker_container_logs", { container_id: task }],
      ] as const
    ) {
      const result = await app.interpreter.call(tool, args, { background: false });
      assert.equal(errorCode(result), "DKR-002", `${tool}: ${result.text}`);
    }
  } finally {
    await sdocker("service", "rm", name).catch(() => {});
    app.engine.close();
  }
});

/** A user's read-level tool over one task route (GET /tasks/{task} or its logs). */
async function taskToolsDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "berth-atk-swarm-tasks-" });
  for (
    const [name, path, kind] of [["atk_task", "/tasks/{task}", "json"], [
      "atk_task_logs",
      "/tasks/{task}/logs",
      "text",
    ]]
  ) {
    await Deno.writeTextFile(
      `${dir}/${name}.yaml`,
      `name: ${name}
title: A task route
description: A user tool of the attack suite
permission: read
timeout: read
input:
  task: { type: string, description: A task ID or prefix, required: true, format: name_or_id }
request:
  method: GET
  path: ${path}
${
        kind === "text"
          ? "  query: { stdout: { value: 1 }, stderr: { value: 1 } }\n"
          : ""
      }response: { kind: ${kind}, errors: { 404: not_found } }
output:
  fields:
    data: { type: string, description: What the engine sent, value: . }
`,
    );
  }
  return dir;
}

Deno.test("attack: a denied service's task read by ID prefix through a user's task route", async () => {
  const name = uniqueName("atktask");
  const dir = await taskToolsDir();
  const app = await testApp({
    dockerHost: HOST,
    allow: "read",
    manifest: [dir],
    denyContainers: [name],
  });
  try {
    await createService(name, "sh", "-c", "echo atk-task-line; sleep 300");
    const id = (await sdocker("service", "ps", "-q", "--no-trunc", name)).trim().split("\n")[0];
    assert.match(id, /^[a-z0-9]{25}$/);
    const logged = await sdocker("service", "logs", "--raw", name);
    assert.match(logged, /atk-task-line/, "the service logged its line");
    for (const ref of [id, id.slice(0, 8)]) {
      for (const tool of ["atk_task", "atk_task_logs"]) {
        const result = await app.interpreter.call(tool, { task: ref }, { background: false });
        assert.equal(errorCode(result), "DKR-011", `${tool} ${ref}: ${result.text}`);
        assert.ok(
          !result.text.includes("atk-task-line") && !result.text.includes(name),
          result.text,
        );
      }
    }
    // A task that does not exist answers the same.
    const missing = await app.interpreter.call("atk_task", { task: "zzzzzzzzzzzz" }, {
      background: false,
    });
    assert.equal(errorCode(missing), "DKR-011", missing.text);
  } finally {
    await sdocker("service", "rm", name).catch(() => {});
    await Deno.remove(dir, { recursive: true });
    app.engine.close();
  }
});
