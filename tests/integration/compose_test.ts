/**
 * Compose tools against the real engine, cross-checked with the compose CLI
 * (Debian's docker-compose 1.29, which finds containers by label): a
 * two-service stack (web depends_on db being healthy, a named volume, a
 * custom network with an alias, ${TAG:-latest}, ${MSG} and $$) goes up, is
 * listed, logs per service, comes up again unchanged without recreation,
 * recreates a changed service and goes down leaving nothing. The CLI lists
 * and stops berth's projects; berth lists and removes the CLI's.
 *
 * Every object carries `berth.test=compose` or belongs to one of this run's
 * projects, and is removed by those labels afterwards.
 */

import assert from "node:assert/strict";
import type { App } from "../../src/app/mod.ts";
import type { ToolResult } from "../../src/interpreter/mod.ts";
import { cleanup, docker, errorCode, removeLabelled, testApp, uniqueName } from "../helpers/mod.ts";

const SUITE = "compose";
const app: App = await testApp({ allow: "all" });
const projects = {
  berth: uniqueName("bcompose"),
  cliStops: uniqueName("bcompose-clidown"),
  cliMade: uniqueName("bcompose-cliup"),
  bad: uniqueName("bcompose-bad"),
  build: uniqueName("bcompose-build"),
  conditions: uniqueName("bcompose-cond"),
};

const COMPOSE = `
services:
  db:
    image: berth-test/busybox:\${TAG:-latest}
    command: ["sh", "-c", "trap 'exit 0' TERM; echo db ready; sleep 3600 & wait"]
    healthcheck: { test: ["CMD", "true"], interval: 1s, timeout: 2s, retries: 5 }
    volumes: ["data:/data"]
    networks: [back]
    labels: { berth.test: ${SUITE} }
  web:
    image: berth-test/busybox:\${TAG:-latest}
    command:
      - sh
      - -c
      - 'trap "exit 0" TERM; echo "msg=$\${MSG} dollar=$$"; sleep 3600 & wait'
    environment:
      MSG: \${MSG}
    depends_on:
      db: { condition: service_healthy }
    networks:
      back: { aliases: [frontend] }
    labels: { berth.test: ${SUITE} }
networks:
  back:
    labels: { berth.test: ${SUITE} }
volumes:
  data:
    labels: { berth.test: ${SUITE} }
`;

const dir = await Deno.makeTempDir({ prefix: "berth-compose-" });
const file = `${dir}/compose.yaml`;
await Deno.writeTextFile(file, COMPOSE);

/** Calls a tool in the foreground. */
async function run(tool: string, args: Record<string, unknown>): Promise<ToolResult> {
  return await app.interpreter.call(tool, args, { background: false });
}

// deno-lint-ignore no-explicit-any
type Json = any;

async function ok(tool: string, args: Record<string, unknown>): Promise<Json> {
  const result = await run(tool, args);
  if (result.isError) throw new Error(`${tool} failed: ${result.text}`);
  return result.structured;
}

/** Runs docker-compose 1.29 in the project directory; answers stdout + stderr. */
async function compose(project: string, msg: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("docker-compose", {
    args: ["-p", project, "-f", file, ...args],
    cwd: dir,
    env: { MSG: msg },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`docker-compose ${args.join(" ")}: ${text}`);
  return text;
}

/** Container, network and volume names left for a project (by its compose label). */
async function leftovers(project: string): Promise<string[]> {
  const filter = `label=com.docker.compose.project=${project}`;
  const found = await Promise.all([
    docker("ps", "-a", "--filter", filter, "--format", "{{.Names}}"),
    docker("network", "ls", "--filter", filter, "--format", "{{.Name}}"),
    docker("volume", "ls", "--filter", filter, "--format", "{{.Name}}"),
  ]);
  return found.join("\n").split("\n").filter(Boolean);
}

/** IDs of the project's containers by service. */
function idsOf(up: Json): Record<string, string> {
  return Object.fromEntries(up.services.map((s: Json) => [s.name, s.containers[0].id]));
}

async function inspect(name: string): Promise<Json> {
  return JSON.parse(await docker("inspect", name))[0];
}

async function removeProjects(): Promise<void> {
  for (const project of Object.values(projects)) {
    await removeLabelled(`com.docker.compose.project=${project}`);
  }
}

Deno.test({
  name: "compose: a stack made by berth, checked by the compose CLI",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const P = projects.berth;
    let first: Record<string, string> = {};
    try {
      await t.step("up creates networks, volumes and services in depends_on order", async () => {
        const up = await ok("docker_compose_up", {
          project_name: P,
          compose_file: file,
          environment: { MSG: "hello" },
        });
        assert.deepEqual(up.services.map((s: Json) => [s.name, s.status]), [
          ["db", "created"],
          ["web", "created"],
        ]);
        assert.deepEqual(up.resources, [
          { kind: "network", name: `${P}_back`, status: "created" },
          { kind: "volume", name: `${P}_data`, status: "created" },
          { kind: "image", name: "berth-test/busybox:latest", status: "present", service: "db" },
          { kind: "image", name: "berth-test/busybox:latest", status: "present", service: "web" },
        ]);
        first = idsOf(up);
        const web = await inspect(`${P}-web-1`);
        const db = await inspect(`${P}-db-1`);
        assert.equal(web.Config.Image, "berth-test/busybox:latest"); // ${TAG:-latest}
        assert.ok(web.Config.Env.includes("MSG=hello"));
        assert.equal(db.State.Health.Status, "healthy");
        // web started only once db was healthy.
        const healthyAt = db.State.Health.Log.find((l: Json) => l.ExitCode === 0).End;
        assert.ok(Date.parse(web.State.StartedAt) >= Date.parse(healthyAt));
        const labels = web.Config.Labels;
        assert.equal(labels["com.docker.compose.project"], P);
        assert.equal(labels["com.docker.compose.service"], "web");
        assert.equal(labels["com.docker.compose.container-number"], "1");
        assert.equal(labels["com.docker.compose.oneoff"], "False");
        assert.equal(labels["com.docker.compose.project.working_dir"], dir);
        assert.equal(labels["com.docker.compose.project.config_files"], file);
        assert.match(labels["com.docker.compose.config-hash"], /^[0-9a-f]{64}$/);
        assert.ok(labels["com.docker.compose.version"]);
        const aliases = web.NetworkSettings.Networks[`${P}_back`].Aliases;
        assert.ok(aliases.includes("web") && aliases.includes("frontend"), String(aliases));
        assert.equal(db.Mounts[0].Name, `${P}_data`);
        const net = JSON.parse(await docker("network", "inspect", `${P}_back`))[0];
        assert.equal(net.Labels["com.docker.compose.network"], "back");
        assert.equal(net.Labels["com.docker.compose.project"], P);
      });

      await t.step("ps lists the project, and so does the CLI", async () => {
        const ps = await ok("docker_compose_ps", { project_name: P });
        assert.equal(ps.count, 1);
        const services = ps.projects[0].services;
        assert.deepEqual(services.map((s: Json) => s.name), ["db", "web"]);
        assert.deepEqual(services.map((s: Json) => s.containers[0].state), ["running", "running"]);
        assert.equal(services[0].containers[0].health, "healthy");
        const all = await ok("docker_compose_ps", {});
        assert.ok(all.projects.some((p: Json) => p.name === P));
        const cli = await compose(P, "hello", "ps");
        assert.match(cli, new RegExp(`${P}-db-1 .*Up \\(healthy\\)`));
        assert.match(cli, new RegExp(`${P}-web-1 .*Up`));
      });

      await t.step("logs come per service", async () => {
        const logs = await ok("docker_compose_logs", { project_name: P });
        const byService = Object.fromEntries(
          logs.services.map((s: Json) => [s.name, s.containers[0].logs]),
        );
        assert.equal(byService.db, "db ready");
        assert.equal(byService.web, "msg=hello dollar=$"); // $$ is a literal $
        const web = await ok("docker_compose_logs", {
          project_name: P,
          services: ["web"],
          tail: 1,
        });
        assert.deepEqual(web.services.map((s: Json) => s.name), ["web"]);
      });

      await t.step("up again changes nothing and recreates nothing", async () => {
        const up = await ok("docker_compose_up", {
          project_name: P,
          compose_file: file,
          environment: { MSG: "hello" },
        });
        assert.deepEqual(up.services.map((s: Json) => s.status), ["unchanged", "unchanged"]);
        assert.deepEqual(idsOf(up), first);
        assert.deepEqual(up.resources[0], { kind: "network", name: `${P}_back`, status: "exists" });
      });

      await t.step("a changed service is recreated, the others are kept", async () => {
        const up = await ok("docker_compose_up", {
          project_name: P,
          compose_file: file,
          environment: { MSG: "changed" },
        });
        assert.deepEqual(up.services.map((s: Json) => [s.name, s.status]), [
          ["db", "unchanged"],
          ["web", "recreated"],
        ]);
        const ids = idsOf(up);
        assert.equal(ids.db, first.db);
        assert.notEqual(ids.web, first.web);
        assert.ok((await inspect(`${P}-web-1`)).Config.Env.includes("MSG=changed"));
        assert.equal(
          await docker("ps", "-aq", "--filter", `id=${first.web}`),
          "",
          "the old container is gone",
        );
      });

      await t.step("down removes containers, network and volume: nothing is left", async () => {
        const down = await ok("docker_compose_down", { project_name: P, remove_volumes: true });
        assert.deepEqual([...down.removed.containers].sort(), [`${P}-db-1`, `${P}-web-1`]);
        assert.deepEqual(down.removed.networks, [`${P}_back`]);
        assert.deepEqual(down.removed.volumes, [`${P}_data`]);
        assert.deepEqual(await leftovers(P), []);
        assert.equal((await ok("docker_compose_ps", { project_name: P })).count, 0);
        assert.doesNotMatch(await compose(P, "changed", "ps"), new RegExp(P));
      });
    } finally {
      await removeProjects();
    }
  },
});

Deno.test({
  name: "compose: the CLI stops berth's project, berth takes down the CLI's",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    try {
      await t.step("a project made by berth is stopped and removed by the CLI", async () => {
        const P = projects.cliStops;
        await ok("docker_compose_up", {
          project_name: P,
          compose_file: file,
          environment: { MSG: "x" },
        });
        await compose(P, "x", "down", "-v");
        assert.deepEqual(await leftovers(P), []);
        assert.equal((await ok("docker_compose_ps", { project_name: P })).count, 0);
      });

      await t.step("a project made by the CLI is listed and taken down by berth", async () => {
        const P = projects.cliMade;
        await compose(P, "from-cli", "up", "-d");
        const ps = await ok("docker_compose_ps", { project_name: P });
        assert.deepEqual(
          ps.projects[0].services.map((s: Json) => [s.name, s.containers[0].state]),
          [["db", "running"], ["web", "running"]],
        );
        const logs = await ok("docker_compose_logs", { project_name: P, services: ["web"] });
        assert.equal(logs.services[0].containers[0].logs, "msg=from-cli dollar=$");
        const down = await ok("docker_compose_down", { project_name: P, remove_volumes: true });
        assert.equal(down.removed.containers.length, 2);
        assert.deepEqual(down.removed.networks, [`${P}_back`]);
        assert.deepEqual(down.removed.volumes, [`${P}_data`]);
        assert.deepEqual(await leftovers(P), []);
        assert.doesNotMatch(await compose(P, "from-cli", "ps"), /Up/);
      });
    } finally {
      await removeProjects();
    }
  },
});

Deno.test({
  name:
    "compose: unsupported keys, missing variables and the create guard refuse before anything is made",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const P = projects.bad;
    try {
      const devices = await run("docker_compose_up", {
        project_name: P,
        compose_yaml: COMPOSE.replace(
          "    networks: [back]\n",
          "    networks: [back]\n    devices: ['/dev/null']\n",
        ),
        environment: { MSG: "x" },
      });
      assert.equal(errorCode(devices), "DKR-004");
      assert.match(devices.text, /services\.db\.devices/);
      const required = await run("docker_compose_up", {
        project_name: P,
        compose_yaml: COMPOSE.replace("MSG: ${MSG}", "MSG: ${X:?missing}"),
      });
      assert.equal(errorCode(required), "DKR-004");
      assert.match(required.text, /'X' is required: missing/);
      const name = await run("docker_compose_up", {
        project_name: "Bad Name",
        compose_yaml: COMPOSE,
      });
      assert.equal(errorCode(name), "DKR-004");
      assert.match(name.text, /project_name/);
      // The create guard sees every service: a compose file is no way around it.
      const dangerous = {
        privileged: "    privileged: true\n",
        "/var/run/docker.sock": "    volumes: ['/var/run/docker.sock:/var/run/docker.sock']\n",
        "host": "    network_mode: host\n",
      };
      for (const [what, key] of Object.entries(dangerous)) {
        const yaml = `services:\n  s:\n    image: berth-test/busybox:latest\n${key}`;
        const refused = await run("docker_compose_up", { project_name: P, compose_yaml: yaml });
        assert.equal(errorCode(refused), "DKR-007", refused.text);
        assert.ok(refused.text.toLowerCase().includes(what.toLowerCase()), refused.text);
        // Said in the file's terms: the service and its key, not the engine's field.
        assert.match(refused.text, /: Service 's': /);
        assert.doesNotMatch(refused.text, /Option '|Privileged|NetworkMode/);
      }
      const privileged = await run("docker_compose_up", {
        project_name: P,
        compose_yaml:
          `services:\n  s:\n    image: berth-test/busybox:latest\n${dangerous.privileged}`,
      });
      assert.match(privileged.text, /Service 's': 'privileged' is not allowed/);
      assert.deepEqual(await leftovers(P), []);
    } finally {
      await removeProjects();
      await cleanup(SUITE);
    }
  },
});

const BUILD_COMPOSE = `
services:
  app:
    build: ./app
    labels: { berth.test: ${SUITE} }
  extra:
    image: 127.0.0.1:5000/berth-test/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    profiles: [extra]
    labels: { berth.test: ${SUITE} }
`;

Deno.test({
  name: "compose: build, pull, profiles, orphans and remove_images local",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const P = projects.build;
    const buildDir = `${dir}/build`;
    await Deno.mkdir(`${buildDir}/app`, { recursive: true });
    await Deno.writeTextFile(
      `${buildDir}/app/Dockerfile`,
      `FROM berth-test/busybox:latest\nLABEL berth.test=${SUITE}\n` +
        `CMD ["sh", "-c", "trap 'exit 0' TERM; echo built; sleep 3600 & wait"]\n`,
    );
    const buildFile = `${buildDir}/compose.yaml`;
    await Deno.writeTextFile(buildFile, BUILD_COMPOSE);
    const image = `${P}-app`;
    try {
      await t.step("a build: service is built; a service with a profile waits for it", async () => {
        const up = await ok("docker_compose_up", { project_name: P, compose_file: buildFile });
        assert.deepEqual(up.services.map((s: Json) => [s.name, s.status]), [["app", "created"]]);
        assert.deepEqual(up.resources.filter((r: Json) => r.kind === "image"), [
          { kind: "image", name: image, status: "built", service: "app" },
        ]);
        assert.equal((await inspect(`${P}-app-1`)).Config.Image, image);
      });

      await t.step(
        "profiles enable a service; pull pulls, a built image is not rebuilt",
        async () => {
          const up = await ok("docker_compose_up", {
            project_name: P,
            compose_file: buildFile,
            profiles: ["extra"],
            pull: true,
          });
          assert.deepEqual(up.services.map((s: Json) => [s.name, s.status]), [
            ["app", "unchanged"],
            ["extra", "created"],
          ]);
          const actions = up.resources.filter((r: Json) => r.kind === "image").map((r: Json) =>
            r.status
          );
          assert.deepEqual(actions, ["present", "pulled"]);
        },
      );

      await t.step("a service gone from the file is an orphan, removed on request", async () => {
        const single = BUILD_COMPOSE.slice(0, BUILD_COMPOSE.indexOf("  extra:"));
        await Deno.writeTextFile(buildFile, single);
        const kept = await ok("docker_compose_up", { project_name: P, compose_file: buildFile });
        assert.ok(kept.warnings.some((w: string) => w.includes(`${P}-extra-1`)), kept.warnings);
        assert.ok(await docker("ps", "-q", "--filter", `name=^${P}-extra-1$`));
        const down = await ok("docker_compose_down", { project_name: P, compose_file: buildFile });
        assert.deepEqual(down.removed.containers, [`${P}-app-1`]);
        // The orphan stays, and so does the network it is still attached to.
        assert.deepEqual(down.skipped.map((s: Json) => [s.kind, s.name]), [
          ["container", `${P}-extra-1`],
          ["network", `${P}_default`],
        ]);
        const removed = await ok("docker_compose_up", {
          project_name: P,
          compose_file: buildFile,
          remove_orphans: true,
        });
        assert.ok(removed.warnings.some((w: string) => w.startsWith("Removed orphan")));
        assert.equal(await docker("ps", "-aq", "--filter", `name=^${P}-extra-1$`), "");
      });

      await t.step("down with remove_images local removes the built image only", async () => {
        const down = await ok("docker_compose_down", {
          project_name: P,
          compose_file: buildFile,
          remove_images: "local",
        });
        assert.deepEqual(down.removed.images, [image]);
        await assert.rejects(docker("image", "inspect", image));
        assert.ok(
          await docker("image", "inspect", "--format", "{{.Id}}", "berth-test/busybox:latest"),
        );
        assert.deepEqual(await leftovers(P), []);
      });
    } finally {
      await removeProjects();
      await docker("rmi", "-f", image).catch(() => {});
    }
  },
});

const CONDITIONS = `
services:
  migrate:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "sleep 1; echo migrated"]
    labels: { berth.test: ${SUITE} }
  web:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    depends_on: { migrate: { condition: service_completed_successfully } }
    labels: { berth.test: ${SUITE} }
  sick:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    healthcheck: { test: ["CMD", "false"], interval: 1s, retries: 1 }
    profiles: [sick]
    labels: { berth.test: ${SUITE} }
  needs-sick:
    image: berth-test/busybox:latest
    depends_on: { sick: { condition: service_healthy } }
    profiles: [sick]
    labels: { berth.test: ${SUITE} }
`;

Deno.test({
  name: "compose: depends_on waits for completion; an unhealthy dependency stops up",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const P = projects.conditions;
    try {
      const up = await ok("docker_compose_up", { project_name: P, compose_yaml: CONDITIONS });
      assert.deepEqual(up.services.map((s: Json) => [s.name, s.containers[0].state]), [
        ["migrate", "exited"],
        ["web", "running"],
      ]);
      const migrate = await inspect(`${P}-migrate-1`);
      const web = await inspect(`${P}-web-1`);
      assert.equal(migrate.State.ExitCode, 0);
      assert.ok(Date.parse(web.State.StartedAt) >= Date.parse(migrate.State.FinishedAt));
      const sick = await run("docker_compose_up", {
        project_name: P,
        compose_yaml: CONDITIONS,
        services: ["needs-sick"],
      });
      assert.equal(errorCode(sick), "DKR-010", sick.text);
      assert.match(sick.text, /'needs-sick' depends on 'sick', which is unhealthy/);
      assert.equal(await docker("ps", "-aq", "--filter", `name=^${P}-needs-sick-1$`), "");
    } finally {
      await removeProjects();
    }
  },
});

globalThis.addEventListener("unload", () => {
  app.engine.close();
  Deno.removeSync(dir, { recursive: true });
});
