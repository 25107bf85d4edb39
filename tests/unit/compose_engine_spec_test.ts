/**
 * Compose model → Engine bodies: compose v2 names and labels, networks with
 * aliases, mounts, ports and limits; the policy sees every service's whole
 * body (dangerous keys mapped, never dropped); the config hash is stable.
 */

import assert from "node:assert/strict";
import { BerthError } from "../../src/errors/mod.ts";
import {
  checkPlan,
  containerPlan,
  networkBody,
  volumeBody,
} from "../../src/docker/compose/engine_spec.ts";
import { checkVolume } from "../../src/docker/compose/engine_resources.ts";
import { projectFromSource } from "../../src/docker/compose/load.ts";
import type { ProjectModel } from "../../src/docker/compose/model.ts";
import { configHash } from "../../src/docker/compose/naming.ts";
import { LevelPolicy, type Policy } from "../../src/policy/mod.ts";

const policy = new LevelPolicy(["read", "create"]);
/** Engine bodies are read field by field below. */
// deno-lint-ignore no-explicit-any
type Json = any;

function load(yaml: string, environment: Record<string, string> = {}): Promise<ProjectModel> {
  return projectFromSource(
    "shop",
    { text: yaml, directory: "/srv/shop", file: "/srv/shop/compose.yaml", dotenv: {} },
    { environment },
    policy,
  );
}

const FILE = `
services:
  web:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "echo hi"]
    environment: { MSG: "\${MSG}" }
    ports: ["127.0.0.1:8080:80", "9000-9001:90-91/udp"]
    volumes:
      - data:/data
      - ./conf:/etc/conf:ro
      - { type: bind, source: /srv/logs, target: /logs, bind: { propagation: rslave } }
      - { type: tmpfs, target: /run, tmpfs: { size: 1m } }
      - /anon
    networks: { back: { aliases: [www] }, front: { priority: 10 } }
    healthcheck: { test: ["CMD", "true"], interval: 1s, timeout: 2s, retries: 3 }
    restart: unless-stopped
    mem_limit: 64m
    cpus: 0.5
    cap_add: [NET_ADMIN]
    privileged: true
    user: "1000:1000"
    working_dir: /app
    hostname: web
    extra_hosts: ["gw:10.0.0.1"]
    logging: { driver: json-file, options: { max-size: 1m } }
    labels: { team: shop }
    depends_on: [db]
  db:
    image: berth-test/busybox:latest
    network_mode: host
networks:
  back: {}
  front: { driver: bridge, labels: { tier: front } }
volumes:
  data: { labels: { keep: "yes" } }
`;

Deno.test("create body: names, compose labels, networks with aliases", async () => {
  const project = await load(FILE, { MSG: "hello" });
  const plan = containerPlan(project, project.services.web, {
    number: 1,
    configHash: "abc",
    imageId: "sha256:1",
  });
  assert.equal(plan.name, "shop-web-1");
  const body = plan.body as Record<string, Json>;
  assert.equal(body.Image, "berth-test/busybox:latest");
  assert.deepEqual(body.Cmd, ["sh", "-c", "echo hi"]);
  assert.deepEqual(body.Env, ["MSG=hello"]);
  assert.deepEqual(body.Labels, {
    team: "shop",
    "com.docker.compose.project": "shop",
    "com.docker.compose.service": "web",
    "com.docker.compose.container-number": "1",
    "com.docker.compose.oneoff": "False",
    "com.docker.compose.project.working_dir": "/srv/shop",
    "com.docker.compose.project.config_files": "/srv/shop/compose.yaml",
    "com.docker.compose.config-hash": "abc",
    "com.docker.compose.version": "2.24.0+berth",
    "com.docker.compose.depends_on": "db:service_started:false",
    "com.docker.compose.image": "sha256:1",
  });
  // Highest priority first: front at create, back connected afterwards.
  assert.equal(body.HostConfig.NetworkMode, "shop_front");
  assert.deepEqual(body.NetworkingConfig, {
    EndpointsConfig: { shop_front: { Aliases: ["web"] } },
  });
  assert.deepEqual(plan.extraNetworks, [{
    name: "shop_back",
    endpoint: { Aliases: ["web", "www"] },
  }]);
});

Deno.test("create body: ports, mounts, health, limits and dangerous options all reach the body", async () => {
  const project = await load(FILE, { MSG: "x" });
  const body = containerPlan(project, project.services.web, { number: 2, configHash: "h" })
    .body as Record<string, Json>;
  const host = body.HostConfig;
  assert.deepEqual(host.PortBindings, {
    "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "8080" }],
    "90/udp": [{ HostIp: "", HostPort: "9000" }],
    "91/udp": [{ HostIp: "", HostPort: "9001" }],
  });
  assert.deepEqual(Object.keys(body.ExposedPorts).sort(), ["80/tcp", "90/udp", "91/udp"]);
  assert.deepEqual(host.Binds, ["/srv/shop/conf:/etc/conf:ro"]);
  assert.deepEqual(host.Mounts, [
    { Type: "volume", Target: "/data", ReadOnly: false, Source: "shop_data" },
    {
      Type: "bind",
      Source: "/srv/logs",
      Target: "/logs",
      ReadOnly: false,
      BindOptions: { Propagation: "rslave" },
    },
    { Type: "tmpfs", Target: "/run", ReadOnly: false, TmpfsOptions: { SizeBytes: 1024 * 1024 } },
    { Type: "volume", Target: "/anon", ReadOnly: false },
  ]);
  assert.deepEqual(body.Healthcheck, {
    Test: ["CMD", "true"],
    Interval: 1e9,
    Timeout: 2e9,
    Retries: 3,
  });
  assert.deepEqual(host.RestartPolicy, { Name: "unless-stopped", MaximumRetryCount: 0 });
  assert.equal(host.Memory, 64 * 1024 * 1024);
  assert.equal(host.NanoCpus, 5e8);
  assert.equal(host.Privileged, true);
  assert.deepEqual(host.CapAdd, ["NET_ADMIN"]);
  assert.deepEqual(host.ExtraHosts, ["gw:10.0.0.1"]);
  assert.deepEqual(host.LogConfig, { Type: "json-file", Config: { "max-size": "1m" } });
  assert.equal(body.User, "1000:1000");
  assert.equal(body.WorkingDir, "/app");
  assert.equal(body.Labels["com.docker.compose.container-number"], "2");
  const db = containerPlan(project, project.services.db, { number: 1, configHash: "h" })
    .body as Record<string, Json>;
  assert.equal(db.HostConfig.NetworkMode, "host");
  assert.equal(db.NetworkingConfig, undefined);
});

/** A policy that records what it was asked and refuses privileged bodies. */
class RecordingPolicy extends LevelPolicy {
  bodies: Record<string, unknown>[] = [];
  paths: string[] = [];
  override checkCreateBody(body: Record<string, unknown>): void {
    this.bodies.push(body);
    if ((body.HostConfig as Record<string, unknown>)?.Privileged) {
      throw new BerthError("denied_by_policy", "Option 'privileged' is not allowed");
    }
  }
  override checkHostPath(path: string): void {
    this.paths.push(path);
  }
}

Deno.test("policy: every bind path and the whole body are checked; privileged is refused", async () => {
  const project = await load(FILE, { MSG: "x" });
  const recording = new RecordingPolicy(["create"]);
  const plan = containerPlan(project, project.services.web, { number: 1, configHash: "h" });
  assert.throws(() => checkPlan(recording, plan), /privileged/);
  assert.deepEqual(recording.paths, ["/srv/shop/conf", "/srv/logs"]);
  assert.equal(recording.bodies.length, 1);
  const sock = await load(
    "services:\n  s:\n    image: x\n    volumes: ['/var/run/docker.sock:/var/run/docker.sock']\n",
  );
  const denySocket: Policy = Object.assign(new LevelPolicy(["create"]), {
    checkHostPath(path: string) {
      if (path.includes("docker.sock")) {
        throw new BerthError("denied_by_policy", `Host path ${path} is not allowed`);
      }
    },
  });
  assert.throws(
    () =>
      checkPlan(denySocket, containerPlan(sock, sock.services.s, { number: 1, configHash: "h" })),
    /docker\.sock/,
  );
  const images: Policy = Object.assign(new LevelPolicy(["create"]), { imageAllowed: () => false });
  assert.throws(
    () => checkPlan(images, plan),
    (e: unknown) =>
      e instanceof BerthError && e.code === "DKR-007" && e.message.includes("service 'web'"),
  );
  const bindVolume = await load(
    "services:\n  s: { image: x }\nvolumes:\n  v: { driver_opts: { type: none, o: bind, device: /etc } }\n",
  );
  const seen: string[] = [];
  const bodies: Record<string, unknown>[] = [];
  checkVolume(
    Object.assign(new LevelPolicy([]), {
      checkHostPath: (p: string) => seen.push(p),
      checkVolumeBody: (b: Record<string, unknown>) => bodies.push(b),
    }),
    "shop",
    "v",
    bindVolume.volumes.v,
  );
  assert.deepEqual(seen, ["/etc"]);
  assert.deepEqual(bodies[0].DriverOpts, { type: "none", o: "bind", device: "/etc" });
});

Deno.test("network and volume bodies carry compose labels", async () => {
  const project = await load(FILE, { MSG: "x" });
  assert.deepEqual(networkBody("shop", "front", project.networks.front), {
    Name: "shop_front",
    CheckDuplicate: true,
    Driver: "bridge",
    Labels: {
      tier: "front",
      "com.docker.compose.project": "shop",
      "com.docker.compose.network": "front",
      "com.docker.compose.version": "2.24.0+berth",
    },
  });
  assert.deepEqual(volumeBody("shop", "data", project.volumes.data), {
    Name: "shop_data",
    Labels: {
      keep: "yes",
      "com.docker.compose.project": "shop",
      "com.docker.compose.volume": "data",
      "com.docker.compose.version": "2.24.0+berth",
    },
  });
});

Deno.test("config hash: stable, sensitive to the container's config only", async () => {
  const a = await load("services:\n  s: { image: x, environment: { A: '1', B: '2' } }\n");
  const b = await load("services:\n  s: { environment: { B: '2', A: '1' }, image: x }\n");
  const c = await load("services:\n  s: { image: x, environment: { A: '1', B: '3' } }\n");
  const d = await load(
    "services:\n  s: { image: x, environment: { A: '1', B: '2' }, depends_on: [t], pull_policy: always }\n  t: { image: y }\n",
  );
  const hash = await configHash(a.services.s);
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.equal(await configHash(b.services.s), hash);
  assert.notEqual(await configHash(c.services.s), hash);
  assert.equal(await configHash(d.services.s), hash);
});

/** The error containerPlan throws for a one-service file `s`. */
async function planError(service: string): Promise<BerthError> {
  const project = await load(`services:\n  s: ${service}\n`);
  try {
    containerPlan(project, project.services.s, { number: 1, configHash: "h" });
  } catch (error) {
    assert.ok(error instanceof BerthError, String(error));
    return error;
  }
  throw new Error("containerPlan accepted the service");
}

Deno.test("spec errors name the compose key the file wrote, in compose's terms (no 'Parameter')", async () => {
  const plain = await planError("{ image: x, mem_limit: 1k }");
  assert.equal(plain.code, "DKR-004");
  assert.equal(
    plain.message,
    "Compose file: 'services.s.mem_limit' must be at least 6m (the engine's minimum)",
  );
  assert.doesNotMatch(plain.hint, /Parameter|call again/);

  const deployed = await planError(
    "{ image: x, deploy: { resources: { limits: { memory: 1k } } } }",
  );
  assert.equal(
    deployed.message,
    "Compose file: 'services.s.deploy.resources.limits.memory' must be at least 6m (the engine's minimum)",
  );

  const reserved = await planError(
    "{ image: x, deploy: { resources: { limits: { memory: 64m }, reservations: { memory: 128m } } } }",
  );
  assert.equal(
    reserved.message,
    "Compose file: 'services.s.deploy.resources.reservations.memory' must not exceed " +
      "deploy.resources.limits.memory",
  );

  const cpus = await planError("{ image: x, deploy: { resources: { limits: { cpus: '2000' } } } }");
  assert.match(cpus.message, /^Compose file: 'services\.s\.deploy\.resources\.limits\.cpus' /);

  const user = await planError("{ image: x, user: 'a b' }");
  assert.equal(
    user.message,
    "Compose file: 'services.s.user' must be a user or uid, optionally with :group or :gid",
  );
  assert.equal(user.hint, "Correct the value in the compose file");
});

Deno.test("config hash: where a limit is written (mem_limit or deploy.resources) does not change it", async () => {
  const plain = await load("services:\n  s: { image: x, mem_limit: 64m }\n");
  const deployed = await load(
    "services:\n  s: { image: x, deploy: { resources: { limits: { memory: 64m } } } }\n",
  );
  assert.equal(deployed.services.s.resource_keys?.mem_limit, "deploy.resources.limits.memory");
  assert.equal(await configHash(deployed.services.s), await configHash(plain.services.s));
});
