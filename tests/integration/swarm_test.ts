/**
 * Swarm tools against a real single-node swarm (tests/testbed/swarm.sh: a
 * second dockerd on its own socket, so the shared engine never enters swarm
 * mode), cross-checked with the docker CLI at every step: a stack of two
 * services from a compose file is deployed, scaled to 3 while progress says
 * `3/3 tasks running`, rolled out to a second image tag, rolled back, its logs
 * read and the stack removed; services that cannot start are explained by the
 * create call and by docker_diagnose; a secret's value shows up in no output,
 * progress message or audit line; the policy holds for service specs.
 *
 * Every service, secret and config carries `berth.test=swarm` or belongs to
 * one of this run's stacks, and is removed afterwards.
 */

import { type AnyOperation, swarm } from "../../src/engine/ops/mod.ts";
import assert from "node:assert/strict";
import type { App } from "../../src/app/mod.ts";
import type { ToolResult } from "../../src/interpreter/mod.ts";
import { docker, errorCode, testApp, uniqueName, waitFor } from "../helpers/mod.ts";

const SUITE = "swarm";
const SOCKET = "/run/berth-swarm/docker.sock";
const HOST = `unix://${SOCKET}`;
const LABELS = { "berth.test": SUITE };

try {
  await Deno.stat(SOCKET);
} catch {
  throw new Error(`No swarm engine at ${SOCKET}: run tests/testbed/swarm.sh (setup.sh does)`);
}

const auditDir = await Deno.makeTempDir({ prefix: "berth-swarm-audit-" });
const auditFile = `${auditDir}/audit.jsonl`;
const app: App = await testApp({ dockerHost: HOST, allow: "all", auditLog: auditFile });

/** The docker CLI on the swarm engine. */
function sdocker(...args: string[]): Promise<string> {
  return docker("-H", HOST, ...args);
}

// deno-lint-ignore no-explicit-any
type Json = any;

async function run(
  tool: string,
  args: Record<string, unknown>,
  progress: string[] = [],
  target = app,
): Promise<ToolResult> {
  return await target.interpreter.call(tool, args, {
    background: false,
    onProgress: (p) => void progress.push(p.message ?? ""),
  });
}

async function ok(tool: string, args: Record<string, unknown>, progress?: string[]): Promise<Json> {
  const result = await run(tool, args, progress);
  if (result.isError) throw new Error(`${tool} failed: ${result.text}`);
  return result.structured;
}

/** Removes what this suite made on the swarm engine (services, secrets, configs by label). */
async function cleanupSwarm(): Promise<void> {
  for (const kind of ["service", "secret", "config"]) {
    const ids = await sdocker(kind, "ls", "-q", "--filter", `label=berth.test=${SUITE}`);
    if (ids) await sdocker(kind, "rm", ...ids.split("\n")).catch(() => {});
  }
}

const BUSYBOX = "berth-test/busybox:latest";
const BUSYBOX_V2 = "berth-test/busybox:v2";
// Exits at once on SIGTERM, so rolling updates do not wait out the grace period.
const idle = (
  word: string,
) => ["sh", "-c", `trap 'exit 0' TERM; echo ${word} up; sleep 3600 & wait`];

Deno.test("swarm info and nodes agree with docker info and docker node ls", async () => {
  const info = await ok("docker_swarm_info", {});
  assert.equal(info.state, "active");
  assert.equal(info.role, "manager");
  assert.equal(info.node_id, await sdocker("info", "--format", "{{.Swarm.NodeID}}"));
  const text = JSON.stringify(info);
  const token = (await sdocker("swarm", "join-token", "-q", "worker")).trim();
  assert.ok(!text.includes(token), "a join token is never shown");
  const nodes = await ok("docker_list_nodes", {});
  const cli = (await sdocker("node", "ls", "--format", "{{.ID}} {{.Hostname}}")).split("\n");
  assert.deepEqual(nodes.nodes.map((n: Json) => `${n.id} ${n.hostname}`), cli);
  const node = await ok("docker_inspect_node", { node_id: nodes.nodes[0].hostname });
  assert.equal(node.id, nodes.nodes[0].id);
});

Deno.test("a node's labels are set and removed", async () => {
  const nodeId = await sdocker("info", "--format", "{{.Swarm.NodeID}}");
  await ok("docker_update_node", { node_id: nodeId, labels: { "berth-zone": "a" } });
  assert.equal(
    await sdocker("node", "inspect", "--format", '{{index .Spec.Labels "berth-zone"}}', nodeId),
    "a",
  );
  const after = await ok("docker_update_node", { node_id: nodeId, labels: { "berth-zone": null } });
  assert.equal(after.labels["berth-zone"], undefined);
  assert.equal(after.availability, "active");
});

Deno.test("user story: a stack deployed, scaled, rolled out, rolled back, logged and removed", async () => {
  const stack = uniqueName("bswarm").replaceAll(/[^a-z0-9_-]/g, "");
  const dir = await Deno.makeTempDir({ prefix: "berth-stack-" });
  await Deno.writeTextFile(`${dir}/app.conf`, "mode=stack\n");
  await Deno.writeTextFile(
    `${dir}/compose.yaml`,
    `
services:
  web:
    image: ${BUSYBOX}
    command: ${JSON.stringify(idle("web"))}
    deploy:
      replicas: 2
      update_config: { parallelism: 3, delay: 0s, monitor: 1s }
      rollback_config: { parallelism: 3, delay: 0s, monitor: 1s }
    configs: [{ source: app_conf, target: /etc/app.conf }]
  worker:
    image: ${BUSYBOX}
    command: ${JSON.stringify(idle("worker"))}
    networks: [back]
networks:
  back: {}
configs:
  app_conf: { file: ./app.conf }
`,
  );
  try {
    const deployed = await ok("docker_stack_deploy", {
      stack_name: stack,
      compose_file: `${dir}/compose.yaml`,
    });
    assert.deepEqual(
      deployed.services.map((s: Json) => `${s.name} ${s.running}/${s.desired}`).sort(),
      [`${stack}_web 2/2`, `${stack}_worker 1/1`],
    );
    // The CLI sees berth's stack as its own.
    assert.match(
      await sdocker("stack", "ls", "--format", "{{.Name}} {{.Services}}"),
      new RegExp(`${stack} 2`),
    );
    const ps = await sdocker(
      "stack",
      "ps",
      stack,
      "--filter",
      "desired-state=running",
      "--format",
      "{{.Name}} {{.CurrentState}}",
    );
    assert.equal(ps.split("\n").filter((l) => l.includes("Running")).length, 3, ps);
    // Deploying again updates in place; the config, immutable, is kept and said so.
    const again = await ok("docker_stack_deploy", {
      stack_name: stack,
      compose_file: `${dir}/compose.yaml`,
    });
    assert.deepEqual(again.services.map((s: Json) => s.status), ["updated", "updated"]);
    assert.match(again.warnings.join("\n"), new RegExp(`config ${stack}_app_conf exists`));
    const listed = await ok("docker_stack_list", {});
    assert.ok(listed.stacks.some((s: Json) => s.name === stack && s.services === 2));

    // Scale web to 3 and watch it converge.
    const progress: string[] = [];
    const scaled = await ok(
      "docker_update_service",
      { service_id: `${stack}_web`, replicas: 3 },
      progress,
    );
    assert.equal(scaled.running, 3);
    assert.ok(progress.includes("3/3 tasks running"), progress.join(" | "));
    assert.equal(
      await sdocker("service", "ls", "--filter", `name=${stack}_web`, "--format", "{{.Replicas}}"),
      "3/3",
    );
    const services = await ok("docker_list_services", { stack_name: stack });
    assert.deepEqual(
      services.services.map((s: Json) => `${s.name} ${s.replicas} ${s.image}`),
      (await sdocker(
        "service",
        "ls",
        "--filter",
        `label=com.docker.stack.namespace=${stack}`,
        "--format",
        "{{.Name}} {{.Replicas}} {{.Image}}",
      )).split("\n").sort(),
    );

    // Roll out a new image, then roll it back.
    await ok("docker_update_service", { service_id: `${stack}_web`, image: BUSYBOX_V2 });
    const imageOf = () =>
      sdocker(
        "service",
        "inspect",
        "--format",
        "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
        `${stack}_web`,
      );
    assert.equal(await imageOf(), BUSYBOX_V2);
    const running = await sdocker(
      "service",
      "ps",
      `${stack}_web`,
      "--filter",
      "desired-state=running",
      "--format",
      "{{.Image}}",
    );
    assert.deepEqual(running.split("\n"), [BUSYBOX_V2, BUSYBOX_V2, BUSYBOX_V2]);
    const inspected = await ok("docker_inspect_service", { service_id: `${stack}_web` });
    assert.equal(inspected.previous_image, BUSYBOX);
    const back = await ok("docker_rollback_service", { service_id: `${stack}_web` });
    assert.equal(back.running, 3);
    assert.equal(await imageOf(), BUSYBOX);

    // Logs, tasks, and stack ps agree with the CLI.
    const logs = await ok("docker_service_logs", { service_id: `${stack}_web`, grep: "web up" });
    assert.ok(logs.lines >= 3, logs.logs);
    const tasks = await ok("docker_list_tasks", { service_id: `${stack}_worker` });
    assert.deepEqual(tasks.tasks.map((t: Json) => t.id), [
      await sdocker(
        "service",
        "ps",
        "-q",
        "--no-trunc",
        "--filter",
        "desired-state=running",
        `${stack}_worker`,
      ),
    ]);
    const sps = await ok("docker_stack_ps", { stack_name: stack });
    assert.equal(sps.tasks.length, 4);

    const removed = await ok("docker_stack_remove", { stack_name: stack });
    assert.deepEqual(removed.removed.services.sort(), [`${stack}_web`, `${stack}_worker`]);
    assert.deepEqual(removed.removed.configs, [`${stack}_app_conf`]);
    assert.equal(
      await sdocker("stack", "ls", "--format", "{{.Name}}").then((o) => o.includes(stack)),
      false,
    );
    // The swarm removes overlay networks a moment after their last task.
    await waitFor(
      "the stack's networks to go",
      () => sdocker("network", "ls", "--format", "{{.Name}}"),
      (names) => !names.includes(stack),
    );
  } finally {
    await sdocker("stack", "rm", stack).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a service that cannot start is explained by the create call and by docker_diagnose", async () => {
  const cases = [
    {
      name: uniqueName("bt-noimage"),
      args: { image: "berth-test/absent:1" },
      error: /No such image: berth-test\/absent:1/,
      rule: "image_not_found",
    },
    {
      name: uniqueName("bt-nonode"),
      args: { image: BUSYBOX, constraints: ["node.labels.berth-zone==mars"] },
      error: /no suitable node/,
      rule: "no_suitable_node",
    },
  ];
  try {
    for (const c of cases) {
      const started = Date.now();
      const result = await run("docker_create_service", {
        name: c.name,
        labels: LABELS,
        ...c.args,
      });
      assert.equal(errorCode(result), "DKR-012", result.text);
      assert.match(result.text, c.error);
      assert.ok(Date.now() - started < 30_000, "answered well within the long deadline");
      // The CLI reports the same cause.
      const cli = await sdocker("service", "ps", "--no-trunc", "--format", "{{.Error}}", c.name);
      assert.match(cli, c.error);
      const diagnosis = await ok("docker_diagnose", { service_id: c.name });
      assert.equal(diagnosis.findings[0].rule, c.rule, JSON.stringify(diagnosis.findings));
    }
  } finally {
    await cleanupSwarm();
  }
});

Deno.test("a rollout to a missing image pauses, says why, and rolls back", async () => {
  const name = uniqueName("bt-rollout");
  try {
    await ok("docker_create_service", {
      name,
      image: BUSYBOX,
      command: idle("v1"),
      labels: LABELS,
    });
    const paused = await run("docker_update_service", {
      service_id: name,
      image: "berth-test/absent:2",
    });
    assert.equal(errorCode(paused), "DKR-012", paused.text);
    assert.match(paused.text, /paused.*No such image: berth-test\/absent:2/);
    assert.equal(
      await sdocker("service", "inspect", "--format", "{{.UpdateStatus.State}}", name),
      "paused",
    );
    const diagnosis = await ok("docker_diagnose", { service_id: name });
    assert.deepEqual(diagnosis.findings.map((f: Json) => f.rule).slice(0, 2), [
      "update_paused",
      "image_not_found",
    ]);
    const back = await ok("docker_rollback_service", { service_id: name });
    assert.equal(back.running, 1);
    assert.equal(
      await sdocker(
        "service",
        "inspect",
        "--format",
        "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
        name,
      ),
      BUSYBOX,
    );
  } finally {
    await cleanupSwarm();
  }
});

Deno.test("a secret's value appears in no output, progress message or audit line", async () => {
  const name = uniqueName("bt-secret");
  const value = `s3cret-${crypto.randomUUID()}`;
  const service = uniqueName("bt-uses-secret");
  const progress: string[] = [];
  try {
    const outputs: ToolResult[] = [];
    const call = async (tool: string, args: Record<string, unknown>) => {
      const r = await run(tool, args, progress);
      outputs.push(r);
      if (r.isError) throw new Error(`${tool} failed: ${r.text}`);
      return r.structured as Json;
    };
    await call("docker_create_secret", { name, data: value, labels: LABELS });
    const secrets = await call("docker_list_secrets", {});
    assert.equal(
      secrets.secrets.find((x: Json) => x.name === name)?.id,
      await sdocker("secret", "inspect", "--format", "{{.ID}}", name),
    );
    assert.equal((await call("docker_inspect_secret", { name })).name, name);
    await call("docker_create_service", {
      name: service,
      image: BUSYBOX,
      command: [
        "sh",
        "-c",
        `trap 'exit 0' TERM; cat /run/secrets/${name}; echo; sleep 3600 & wait`,
      ],
      secrets: [name],
      labels: LABELS,
    });
    // The value did arrive where it belongs: the task reads it from its secret file.
    await waitFor(
      "the service to print its secret",
      () => sdocker("service", "logs", "--raw", service),
      (logs) => logs.includes(value),
    );
    await call("docker_inspect_service", { service_id: service });
    await call("docker_list_tasks", { service_id: service });
    await call("docker_remove_service", { service_id: service });
    await call("docker_remove_secret", { name });
    const everything = JSON.stringify(outputs) + progress.join("\n") +
      await Deno.readTextFile(auditFile);
    assert.ok(!everything.includes(value), "the value is nowhere");
    assert.ok(!everything.includes(btoa(value)), "nor its base64");
    assert.match(
      await Deno.readTextFile(auditFile),
      /"tool":"docker_create_secret","arguments":\{"name":"[^"]+","data":"\*\*\*REDACTED\*\*\*"/,
    );
  } finally {
    await cleanupSwarm();
  }
});

Deno.test("a global service converges on every node", async () => {
  const name = uniqueName("bt-global");
  try {
    const made = await ok("docker_create_service", {
      name,
      image: BUSYBOX,
      mode: "global",
      command: idle("global"),
      labels: LABELS,
    });
    const nodes = (await sdocker("node", "ls", "-q")).split("\n").length;
    assert.equal(made.running, nodes);
    assert.equal(
      await sdocker(
        "service",
        "ls",
        "--filter",
        `name=${name}`,
        "--format",
        "{{.Mode}} {{.Replicas}}",
      ),
      `global ${nodes}/${nodes}`,
    );
  } finally {
    await cleanupSwarm();
  }
});

Deno.test("configs are created, shown with their data, listed and removed", async () => {
  const name = uniqueName("bt-config");
  try {
    const made = await ok("docker_create_config", { name, data: "port=8080\n", labels: LABELS });
    assert.equal(await sdocker("config", "inspect", "--format", "{{.ID}}", name), made.id);
    const shown = await ok("docker_inspect_config", { name });
    assert.equal(shown.data, "port=8080\n");
    assert.ok((await ok("docker_list_configs", {})).configs.some((c: Json) => c.name === name));
    await ok("docker_remove_config", { name });
    assert.equal(await sdocker("config", "ls", "-q", "--filter", `name=${name}`), "");
  } finally {
    await cleanupSwarm();
  }
});

Deno.test("service specs pass the create guard; hidden services look missing", async () => {
  const refused = await run("docker_create_service", {
    name: uniqueName("bt-escape"),
    image: BUSYBOX,
    mounts: [{ type: "bind", source: "/etc", target: "/host-etc" }],
    labels: LABELS,
  });
  assert.equal(errorCode(refused), "DKR-007", refused.text);
  assert.equal(await sdocker("service", "ls", "-q", "--filter", "name=bt-escape"), "");

  const hidden = uniqueName("bt-hidden");
  await sdocker(
    "service",
    "create",
    "-d",
    "--name",
    hidden,
    "--label",
    `berth.test=${SUITE}`,
    BUSYBOX,
    "sleep",
    "3600",
  );
  try {
    const lists = await testApp({ dockerHost: HOST, allow: "all", denyContainers: ["bt-hidden*"] });
    const listed = await run("docker_list_services", {}, [], lists);
    assert.ok(!JSON.stringify(listed.structured).includes(hidden));
    const missing = await run("docker_inspect_service", { service_id: hidden }, [], lists);
    assert.equal(errorCode(missing), "DKR-011", missing.text);
    const named = await run(
      "docker_create_service",
      { name: uniqueName("bt-hidden"), image: BUSYBOX },
      [],
      lists,
    );
    assert.equal(errorCode(named), "DKR-007", named.text);
    // The policy engine holds the same line for raw requests (no handler in between).
    const raw = (op: AnyOperation) =>
      lists.engine.json<Json>(op).then(
        (data) => ({ data, code: undefined as string | undefined }),
        (error) => ({ data: undefined, code: error.code as string }),
      );
    const spec = (name: string, mounts: unknown[] = []) => ({
      Name: name,
      TaskTemplate: { ContainerSpec: { Image: BUSYBOX, Mounts: mounts } },
    });
    const bind = [{ Type: "bind", Source: "/etc", Target: "/x" }];
    assert.equal(
      (await raw(swarm.createOp("services", spec("bt-raw", bind)))).code,
      "DKR-007",
    );
    assert.equal(
      (await raw(swarm.createOp("services", spec(uniqueName("bt-hidden")))))
        .code,
      "DKR-007",
    );
    // The host network by an ID prefix, in the task template or the deprecated top-level list.
    const hostId = await sdocker("network", "inspect", "host", "--format", "{{.Id}}");
    const onHost = { ...spec("bt-raw"), Networks: [{ Target: hostId.slice(0, 6) }] };
    assert.equal(
      (await raw(swarm.createOp("services", onHost))).code,
      "DKR-007",
    );
    const taskOnHost = spec("bt-raw") as Json;
    taskOnHost.TaskTemplate.Networks = [{ Target: hostId }];
    assert.equal(
      (await raw(swarm.createOp("services", taskOnHost))).code,
      "DKR-007",
    );
    // A plugin task installs an engine plugin with its own privileges: never.
    const plugin = {
      Name: "bt-raw",
      TaskTemplate: {
        Runtime: "plugin",
        PluginSpec: { Name: "vieux/sshfs", Remote: "vieux/sshfs" },
      },
    };
    assert.equal(
      (await raw(swarm.createOp("services", plugin))).code,
      "DKR-007",
    );
    const all = await raw(swarm.listOp("services"));
    assert.ok(!JSON.stringify(all.data).includes(hidden));
    const hiddenId = await sdocker("service", "inspect", "--format", "{{.ID}}", hidden);
    const tasks = await raw(swarm.listOp("tasks"));
    assert.ok(!(tasks.data as Json[]).some((t) => t.ServiceID === hiddenId));
    assert.equal((await raw(swarm.inspectOp("services", hiddenId))).code, "DKR-011");
    assert.equal(await sdocker("service", "ls", "-q", "--filter", "name=bt-raw"), "");
    const imageLists = await testApp({
      dockerHost: HOST,
      allow: "all",
      denyImages: ["berth-test/busybox:v2"],
    });
    const image = await run(
      "docker_update_service",
      { service_id: hidden, image: BUSYBOX_V2 },
      [],
      imageLists,
    );
    assert.equal(errorCode(image), "DKR-007", image.text);
  } finally {
    await cleanupSwarm();
  }
});

Deno.test("a slow rollout is handed off with an operation_id past the long budget", async () => {
  const name = uniqueName("bt-slow");
  const quick = await testApp({ dockerHost: HOST, allow: "all", longBudget: "1s" });
  try {
    await ok("docker_create_service", {
      name,
      image: BUSYBOX,
      command: idle("slow"),
      replicas: 2,
      update_config: { parallelism: 1, delay: "3s" },
      labels: LABELS,
    });
    const started = await quick.interpreter.call("docker_update_service", {
      service_id: name,
      env: { ROUND: "2" },
    });
    assert.equal(started.structured.status, "running", started.text);
    const id = started.structured.operation_id as string;
    const done = await waitFor(
      "the rollout to end",
      () => quick.interpreter.call("docker_operation_status", { operation_id: id, wait: 5 }),
      (r) => r.structured.status !== "running",
      60_000,
    );
    assert.equal(done.structured.status, "succeeded", done.text);
    assert.match(done.text, /2\/2 tasks running/);
    assert.equal(
      await sdocker(
        "service",
        "inspect",
        "--format",
        "{{json .Spec.TaskTemplate.ContainerSpec.Env}}",
        name,
      ),
      '["ROUND=2"]',
    );
  } finally {
    await cleanupSwarm();
  }
});
