/**
 * Swarm pure code: service specs from arguments and updates, the create body
 * the guard reads from a spec, the keys a stack refuses, the diagnosis rules
 * on hand-made tasks, and the `swarm` level (no changing tool without it).
 */

import assert from "node:assert/strict";
import { createBodyOf, serviceSpec, updatedSpec } from "../../src/docker/swarm/spec.ts";
import { diagnoseService } from "../../src/docker/swarm/diagnose.ts";
import { currentTasks, taskErrors } from "../../src/docker/swarm/tasks.ts";
import { unsupportedStackKeys } from "../../src/docker/swarm/stack_load.ts";
import { ConfigPolicy } from "../../src/policy/mod.ts";
import { loadConfig } from "../../src/config/mod.ts";
import { createApp } from "../../src/app/mod.ts";
import { BerthError } from "../../src/errors/mod.ts";
import { loadConfigParser } from "../../src/config/mod.ts";

// Config files are parsed with the YAML parser, loaded on demand (src/config/file.ts).
await loadConfigParser();

Deno.test("service spec: arguments map to the engine's spec", () => {
  const spec = serviceSpec({
    name: "web",
    image: "nginx:1",
    replicas: 3,
    command: ["nginx", "-g", "daemon off;"],
    env: { A: "1" },
    ports: ["8080:80", "53/udp"],
    constraints: ["node.role==manager"],
    placement_preferences: ["spread=node.labels.zone"],
    resources: { limits: { cpus: 0.5, memory: "256m" } },
    update_config: { parallelism: 2, delay: "1m30s", failure_action: "rollback" },
  });
  assert.deepEqual(spec.Mode, { Replicated: { Replicas: 3 } });
  assert.deepEqual(spec.TaskTemplate.ContainerSpec.Args, ["nginx", "-g", "daemon off;"]);
  assert.deepEqual(spec.TaskTemplate.ContainerSpec.Env, ["A=1"]);
  assert.deepEqual(spec.EndpointSpec.Ports, [
    { Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: "ingress" },
    { Protocol: "udp", TargetPort: 53, PublishMode: "ingress" },
  ]);
  assert.deepEqual(spec.TaskTemplate.Resources.Limits, {
    NanoCPUs: 5e8,
    MemoryBytes: 256 * 2 ** 20,
  });
  assert.equal(spec.UpdateConfig.Delay, 90e9);
  assert.deepEqual(spec.TaskTemplate.Placement.Preferences, [
    { Spread: { SpreadDescriptor: "node.labels.zone" } },
  ]);
  assert.deepEqual(serviceSpec({ name: "g", image: "x", mode: "global" }).Mode, { Global: {} });
});

Deno.test("service spec: bad values name their parameter", () => {
  const field = (args: Record<string, unknown>) => {
    try {
      serviceSpec({ name: "x", image: "y", ...args });
    } catch (error) {
      return (error as BerthError).message;
    }
    return "no error";
  };
  assert.match(field({ ports: ["eighty"] }), /'ports\[0\]'/);
  assert.match(field({ update_config: { delay: "soon" } }), /'update_config.delay'/);
  assert.match(field({ mode: "global", replicas: 2 }), /'replicas'/);
  assert.match(field({ mounts: [{ type: "npipe", target: "/x" }] }), /'mounts\[0\].type'/);
});

Deno.test("service update: image, replicas, env (null removes) and force on a copy", () => {
  const current = {
    Name: "web",
    Mode: { Replicated: { Replicas: 1 } },
    TaskTemplate: { ContainerSpec: { Image: "a:1", Env: ["KEEP=1", "DROP=2", "SET=old"] } },
  };
  const next = updatedSpec(current, {
    image: "a:2",
    replicas: 4,
    env: { DROP: null, SET: "new", ADD: "3" },
    force: true,
  });
  assert.equal(next.TaskTemplate.ContainerSpec.Image, "a:2");
  assert.equal(next.Mode.Replicated.Replicas, 4);
  assert.deepEqual(next.TaskTemplate.ContainerSpec.Env, ["KEEP=1", "SET=new", "ADD=3"]);
  assert.equal(next.TaskTemplate.ForceUpdate, 1);
  assert.equal(current.TaskTemplate.ContainerSpec.Image, "a:1", "the current spec is untouched");
});

Deno.test("create guard on a service: binds, capabilities, host network and public ports", () => {
  const policy = new ConfigPolicy({ levels: ["swarm"] });
  const check = (spec: Record<string, unknown>) => policy.checkCreateBody(createBodyOf(spec));
  const task = (extra: Record<string, unknown>, top: Record<string, unknown> = {}) => ({
    Name: "s",
    TaskTemplate: { ContainerSpec: { Image: "busybox", ...extra } },
    ...top,
  });
  assert.throws(
    () => check(task({ Mounts: [{ Type: "bind", Source: "/etc", Target: "/x" }] })),
    /DKR|\/etc/,
  );
  assert.throws(() => check(task({ CapabilityAdd: ["SYS_ADMIN"] })), /SYS_ADMIN/);
  // Node generic resources are devices: refused like a container's device requests.
  const gpu = {
    Name: "s",
    TaskTemplate: {
      ContainerSpec: { Image: "busybox" },
      Resources: {
        Reservations: { GenericResources: [{ DiscreteResourceSpec: { Kind: "gpu", Value: 1 } }] },
      },
    },
  };
  assert.throws(() => check(gpu), BerthError);
  assert.throws(
    () =>
      check({
        Name: "s",
        TaskTemplate: { ContainerSpec: { Image: "busybox" }, Networks: [{ Target: "host" }] },
      }),
    /host/i,
  );
  check(task({ Mounts: [{ Type: "volume", Source: "data", Target: "/data" }] }));
  // A volume whose driver options bind a host path is a bind mount in disguise.
  const bindVolume = {
    Type: "volume",
    Source: "v",
    Target: "/x",
    VolumeOptions: {
      DriverConfig: { Name: "local", Options: { type: "none", o: "bind", device: "/etc" } },
    },
  };
  assert.throws(() => check(task({ Mounts: [bindVolume] })), BerthError);
  const ports = task({}, { EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080 }] } });
  check(ports); // public ports are allowed by default
  const strict = new ConfigPolicy({ levels: ["swarm"], guards: { allowPublicPorts: false } });
  assert.throws(() => strict.checkCreateBody(createBodyOf(ports)), /port/i);
});

Deno.test("stack: single-engine keys are refused by key, swarm keys accepted", () => {
  const keys = unsupportedStackKeys({
    services: {
      web: {
        image: "x",
        build: ".",
        container_name: "web",
        privileged: true,
        deploy: {
          replicas: 3,
          placement: { constraints: ["node.role==worker"], max_replicas_per_node: 1 },
          update_config: { parallelism: 1, order: "start-first" },
          endpoint_mode: "dnsrr",
        },
        secrets: ["s"],
      },
    },
    secrets: { s: { file: "./s" } },
    include: [],
  });
  assert.deepEqual(keys.sort(), [
    "include",
    "services.web.build",
    "services.web.container_name",
    "services.web.deploy.endpoint_mode",
    "services.web.deploy.placement.max_replicas_per_node",
    "services.web.privileged",
  ]);
});

const SPEC = { ContainerSpec: { Image: "app:1" }, ForceUpdate: 0 };
const service = (extra: Record<string, unknown> = {}) => ({
  ID: "svc",
  Spec: { Name: "app", Mode: { Replicated: { Replicas: 2 } }, TaskTemplate: SPEC },
  ...extra,
});
const task = (state: string, extra: Record<string, unknown> = {}) => ({
  ID: crypto.randomUUID(),
  ServiceID: "svc",
  Spec: SPEC,
  DesiredState: "running",
  Status: { State: state, ...extra },
});

Deno.test("diagnose service: unschedulable, missing image, exits, paused update, all clear", () => {
  const rules = (tasks: unknown[], s = service()) => diagnoseService(s, tasks).map((f) => f.rule);
  assert.deepEqual(
    rules([
      task("pending", { Err: "no suitable node (scheduling constraints not satisfied on 1 node)" }),
    ]),
    ["no_suitable_node"],
  );
  assert.deepEqual(rules([task("rejected", { Err: "No such image: app:1" })]), ["image_not_found"]);
  const exited = { Err: "task: non-zero exit (3)", ContainerStatus: { ExitCode: 3 } };
  assert.deepEqual(rules([task("failed", exited), task("failed", exited)]), ["task_exit"]);
  assert.deepEqual(rules([task("running"), task("running")]), ["running"]);
  const paused = service({
    UpdateStatus: { State: "paused", Message: "update paused due to failure" },
  });
  assert.equal(rules([task("running")], paused)[0], "update_paused");
  // Tasks of an older spec do not count for the current one.
  const old = { ...task("failed", exited), Spec: { ContainerSpec: { Image: "app:0" } } };
  assert.deepEqual(currentTasks(service(), [old, task("running")]).length, 1);
  assert.deepEqual(taskErrors([task("failed", exited), task("failed", exited)]), [
    { error: "task: non-zero exit (3)", count: 2 },
  ]);
});

Deno.test("level swarm: without it no changing swarm tool is listed, with it all are", async () => {
  const tools = async (allow: string) =>
    (await createApp(loadConfig({ allow }, () => undefined))).tools;
  const read = await tools("read");
  assert.ok(read.some((t) => t.name === "docker_list_services"), "reads need only read");
  assert.deepEqual(read.filter((t) => t.permission === "swarm").map((t) => t.name), []);
  assert.ok(!read.some((t) => /create_service|stack_deploy|create_secret/.test(t.name)));
  const granted = await tools("swarm");
  const changing = granted.filter((t) => t.permission === "swarm").map((t) => t.name).sort();
  assert.deepEqual(changing, [
    "docker_create_config",
    "docker_create_secret",
    "docker_create_service",
    "docker_remove_config",
    "docker_remove_secret",
    "docker_remove_service",
    "docker_rollback_service",
    "docker_stack_deploy",
    "docker_stack_remove",
    "docker_update_node",
    "docker_update_service",
  ]);
});
