/**
 * Several engines as a user runs them (README: Several engines): the test
 * engine and the test bed's Podman service side by side, each engine's own
 * CLI as ground truth; a read-only engine beside a writable one; a hung
 * engine (fault injection with a fake socket) beside the real one; an
 * `ssh://` engine through the test bed's sshd; docker CLI contexts made with
 * `docker context create`.
 *
 * Needs tests/testbed/podman.sh and tests/testbed/sshd.sh (setup.sh runs both).
 */

import assert from "node:assert/strict";
import { createApp } from "../../src/app/mod.ts";
import { loadConfig } from "../../src/config/mod.ts";
import type { AuditRecord } from "../../src/policy/audit.ts";
import { FakeEngine } from "../helpers/fake_engine.ts";
import { docker, errorCode, TEST_IMAGE, uniqueName } from "../helpers/mod.ts";
import { loadConfigParser } from "../../src/config/mod.ts";

// Config files are parsed with the YAML parser, loaded on demand (src/config/file.ts).
await loadConfigParser();

const SUITE = "engines";
const RUN = uniqueName("run");
const LABELS = { "berth.test": SUITE, "berth.run": RUN };
const PODMAN_SOCK = "/run/podman/podman.sock";
const STATE_DIR = Deno.env.get("BERTH_TESTBED_DIR") ?? "/tmp/berth-testbed";
const SSH_DIR = `${STATE_DIR}/ssh`;
const REPO = new URL("../../", import.meta.url).pathname;

/** Runs the podman CLI (the ground truth for the Podman engine). */
async function podman(...args: string[]): Promise<string> {
  const out = await new Deno.Command("podman", { args, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`podman ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return text;
}

/** IDs of this run's containers, as an engine's CLI lists them. */
async function runContainers(cli: typeof docker, name?: string): Promise<string[]> {
  const filters = ["--filter", `label=berth.run=${RUN}`];
  if (name) filters.push("--filter", `name=^${name}$`);
  const out = await cli("ps", "-aq", "--no-trunc", ...filters);
  return out ? out.split("\n") : [];
}

/** The full ID in a docker_inspect_container answer. */
function idOf(result: { structured: Record<string, unknown> }): string | undefined {
  return (result.structured.details as { Id?: string } | undefined)?.Id;
}

async function cleanupBoth(): Promise<void> {
  for (const cli of [docker, podman]) {
    const ids = await runContainers(cli);
    if (ids.length) await cli("rm", "-f", ...ids);
    const volumes = await cli("volume", "ls", "-q", "--filter", `label=berth.run=${RUN}`);
    if (volumes) await cli("volume", "rm", "-f", ...volumes.split("\n"));
  }
}

/** An app from a config file's text (and flags), never the user's config or environment. */
async function appFrom(yaml: string, flags: Parameters<typeof loadConfig>[0] = {}) {
  const path = Deno.makeTempFileSync({ prefix: "berth-engines-", suffix: ".yaml" });
  Deno.writeTextFileSync(path, yaml);
  const env = (name: string) => (name === "HOME" ? "/nonexistent" : undefined);
  try {
    return await createApp(
      loadConfig({ allow: "all", confirm: false, ...flags, config: path }, env),
    );
  } finally {
    Deno.removeSync(path);
  }
}

const TWO_ENGINES = `
engines:
  dock: { host: "unix:///var/run/docker.sock" }
  pod: { host: "unix://${PODMAN_SOCK}" }
default_engine: dock
`;

function runArgs(name: string, engine: string) {
  return {
    engine,
    image: TEST_IMAGE,
    name,
    command: ["sleep", "300"],
    labels: LABELS,
  };
}

Deno.test("two engines: listing, creating and removing answer for that engine only (each engine's CLI as ground truth); the audit log names the engine", async () => {
  const audit = Deno.makeTempFileSync({ prefix: "berth-engines-audit-" });
  const app = await appFrom(TWO_ENGINES, { auditLog: audit });
  const name = uniqueName("berth-eng");
  try {
    const engines = await app.interpreter.call("docker_list_engines", {});
    const rows = engines.structured.engines as { name: string; kind: string; reachable: boolean }[];
    assert.deepEqual(rows.map((r) => [r.name, r.kind, r.reachable]), [
      ["dock", "docker", true],
      ["pod", "podman", true],
    ]);

    // The same name on both engines: two different containers.
    const onPod = await app.interpreter.call("docker_run_container", runArgs(name, "pod"));
    assert.ok(!onPod.isError, onPod.text);
    assert.deepEqual(await runContainers(docker, name), [], "nothing reached docker");
    const podIds = await runContainers(podman, name);
    assert.equal(podIds.length, 1);
    const onDock = await app.interpreter.call("docker_run_container", runArgs(name, "dock"));
    assert.ok(!onDock.isError, onDock.text);
    const dockIds = await runContainers(docker, name);
    assert.equal(dockIds.length, 1);
    assert.notEqual(dockIds[0], podIds[0]);

    // Each engine lists its own, and a name or ID is resolved on its engine only.
    const filters = { label: [`berth.run=${RUN}`] };
    for (const [engine, ids] of [["pod", podIds], ["dock", dockIds]] as const) {
      const listed = await app.interpreter.call("docker_list_containers", {
        engine,
        all: true,
        filters,
      });
      const seen = (listed.structured.containers as { id: string }[]).map((c) => c.id);
      assert.deepEqual(seen, ids, `${engine}: ${listed.text}`);
      const inspected = await app.interpreter.call("docker_inspect_container", {
        engine,
        container_id: name,
      });
      assert.equal(idOf(inspected), ids[0], `${engine} resolves ${name} to its own`);
    }
    const crossed = await app.interpreter.call("docker_inspect_container", {
      engine: "dock",
      container_id: podIds[0],
    });
    assert.equal(errorCode(crossed), "DKR-002", "a Podman ID is not found on Docker");
    // No engine argument: the default engine.
    const plain = await app.interpreter.call("docker_inspect_container", { container_id: name });
    assert.equal(idOf(plain), dockIds[0]);

    // Volumes too.
    const volume = uniqueName("berth-eng-vol");
    const made = await app.interpreter.call("docker_create_volume", {
      engine: "pod",
      name: volume,
      labels: LABELS,
    });
    assert.ok(!made.isError, made.text);
    assert.equal(await podman("volume", "ls", "-q", "--filter", `name=${volume}`), volume);
    assert.equal(await docker("volume", "ls", "-q", "--filter", `name=${volume}`), "");

    // Removing on Podman leaves Docker's container of the same name alone.
    const removed = await app.interpreter.call("docker_remove_container", {
      engine: "pod",
      container_id: name,
      force: true,
    });
    assert.ok(!removed.isError, removed.text);
    assert.deepEqual(await runContainers(podman, name), []);
    assert.deepEqual(await runContainers(docker, name), dockIds);

    const records = Deno.readTextFileSync(audit).trim().split("\n").map((l) =>
      JSON.parse(l) as AuditRecord
    );
    const runs = records.filter((r) => r.tool === "docker_run_container");
    assert.deepEqual(runs.map((r) => r.engine), ["pod", "dock"]);
    assert.ok(records.every((r) => r.engine === "pod" || r.engine === "dock"));
    assert.ok(!runs.some((r) => "engine" in (r.arguments as object)), "engine is not an argument");
  } finally {
    app.close();
    Deno.removeSync(audit);
    await cleanupBoth();
  }
});

Deno.test("two engines: a production engine given read only refuses writes while the other accepts them", async () => {
  const app = await appFrom(`
engines:
  dev: { host: "unix:///var/run/docker.sock" }
  prod:
    host: "unix://${PODMAN_SOCK}"
    permissions: { read: true }
default_engine: dev
`);
  const name = uniqueName("berth-eng-ro");
  try {
    const refused = await app.interpreter.call("docker_run_container", runArgs(name, "prod"));
    assert.equal(errorCode(refused), "DKR-007", refused.text);
    assert.match(refused.text, /engine 'prod' does not grant/);
    assert.deepEqual(await runContainers(podman, name), [], "podman never saw a create");
    const volume = await app.interpreter.call("docker_create_volume", {
      engine: "prod",
      name,
      labels: LABELS,
    });
    assert.equal(errorCode(volume), "DKR-007");

    const accepted = await app.interpreter.call("docker_run_container", runArgs(name, "dev"));
    assert.ok(!accepted.isError, accepted.text);
    assert.equal((await runContainers(docker, name)).length, 1);

    // Reads still work on prod, and the listing says what each engine grants.
    const listed = await app.interpreter.call("docker_list_containers", { engine: "prod" });
    assert.ok(!listed.isError, listed.text);
    const engines = await app.interpreter.call("docker_list_engines", {});
    const levels = Object.fromEntries(
      (engines.structured.engines as { name: string; levels: string[] }[]).map((
        r,
      ) => [r.name, r.levels]),
    );
    assert.deepEqual(levels.prod, ["read"]);
    assert.ok(levels.dev.includes("create"));
  } finally {
    app.close();
    await cleanupBoth();
  }
});

Deno.test("fake socket: one engine hangs (accepts, never answers) — calls to the other engine go on while its calls wait, and only its breaker opens", async () => {
  const fake = FakeEngine.start("engines-hang");
  fake.behaviour = "hang";
  fake.pingBehaviour = "hang";
  const app = await appFrom(`
engines:
  real: { host: "unix:///var/run/docker.sock" }
  hung:
    host: "${fake.dockerHost}"
    neverhang: { read_timeout: 8s, circuit_breaker: { failures: 2 } }
default_engine: real
`);
  try {
    const baseline: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      assert.ok(!(await app.interpreter.call("docker_list_containers", {})).isError);
      baseline.push(performance.now() - t0);
    }
    // More hung calls than one engine lets into flight (16): the real engine has its own limit.
    let settled = 0;
    const hung = Array.from(
      { length: 20 },
      () =>
        app.interpreter.call("docker_list_containers", { engine: "hung" }).finally(() => settled++),
    );
    const during: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const result = await app.interpreter.call("docker_list_containers", { engine: "real" });
      during.push(performance.now() - t0);
      assert.ok(!result.isError, result.text);
    }
    assert.equal(settled, 0, "every call to the real engine ended while the hung ones waited");
    const results = await Promise.all(hung);
    assert.ok(results.every((r) => errorCode(r) === "DKR-008" || errorCode(r) === "DKR-009"));
    const [real, hungSlot] = app.engines.slots;
    assert.equal(hungSlot.breaker?.state, "open");
    assert.equal(real.breaker?.state, "closed");
    // Open breaker: refused at once; the real engine still answers.
    assert.equal(
      errorCode(await app.interpreter.call("docker_version", { engine: "hung" })),
      "DKR-009",
    );
    assert.ok(!(await app.interpreter.call("docker_version", { engine: "real" })).isError);
    const listing = await app.interpreter.call("docker_list_engines", {});
    const rows = listing.structured.engines as { name: string; breaker: string }[];
    assert.deepEqual(rows.map((r) => [r.name, r.breaker]), [["real", "closed"], ["hung", "open"]]);
    const ms = (list: number[]) => list.map((n) => Math.round(n)).join("/");
    console.log(`real engine list_containers ms: alone ${ms(baseline)}; beside hung ${ms(during)}`);
  } finally {
    app.close();
    fake.close();
  }
});

Deno.test("ssh engine: ssh://root@127.0.0.1:2222 reaches the test engine through a real sshd", async () => {
  const ssh =
    `ssh: { identity_file: ${SSH_DIR}/id_ed25519, known_hosts_file: ${SSH_DIR}/known_hosts }`;
  const yaml = `
engines:
  local: { host: "unix:///var/run/docker.sock" }
  remote: { host: "ssh://root@127.0.0.1:2222", ${ssh} }
  stranger: { host: "ssh://nobody@127.0.0.1:2222", ${ssh} }
default_engine: local
`;
  const app = await appFrom(yaml);
  const name = uniqueName("berth-eng-ssh");
  try {
    const made = await app.interpreter.call("docker_run_container", runArgs(name, "remote"));
    assert.ok(!made.isError, made.text);
    const ids = await runContainers(docker, name);
    assert.equal(ids.length, 1, "the container is on the engine behind sshd");
    const inspected = await app.interpreter.call("docker_inspect_container", {
      engine: "remote",
      container_id: name,
    });
    assert.equal(idOf(inspected), ids[0]);
    const logs = await app.interpreter.call("docker_exec_command", {
      engine: "remote",
      container_id: name,
      command: ["echo", "over ssh"],
    });
    assert.match(logs.text, /over ssh/);
    const engines = await app.interpreter.call("docker_list_engines", {});
    const remote = (engines.structured.engines as { name: string; endpoint: string }[])[1];
    assert.equal(remote.endpoint, "ssh://root@127.0.0.1:2222");
    // sshd refuses the key for another user: ssh's own words, as an unreachable engine.
    const refused = await app.interpreter.call("docker_version", { engine: "stranger" });
    assert.equal(errorCode(refused), "DKR-001", refused.text);
    assert.match(refused.text, /ssh connection to ssh:\/\/nobody@127.0.0.1:2222 failed.*publickey/);
  } finally {
    app.close();
    await cleanupBoth();
  }

  // As users run it: the berth-ssh set runs ssh; the default set says to use it.
  const dir = Deno.makeTempDirSync({ prefix: "berth-engines-ssh-" });
  Deno.writeTextFileSync(`${dir}/config.yaml`, yaml);
  const run = async (set: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `-P=${set}`,
        `--allow-read=${dir},./manifest,/etc/berth,/var/run/docker.sock`,
        "src/main.ts",
        "call",
        "docker_version",
        '{"engine":"remote"}',
        "--config",
        `${dir}/config.yaml`,
      ],
      cwd: REPO,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return JSON.parse(new TextDecoder().decode(out.stdout)) as { text: string; isError: boolean };
  };
  try {
    const allowed = await run("berth-ssh");
    assert.ok(!allowed.isError, allowed.text);
    const refused = await run("berth");
    assert.ok(refused.isError);
    assert.match(refused.text, /DKR-005.*does not let berth run ssh.*-P=berth-ssh/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("contexts: a context made with docker context create is found and used, by --context, DOCKER_CONTEXT and the config file; the sandbox error gives the exact flag", async () => {
  const config = Deno.makeTempDirSync({ prefix: "berth-engines-ctx-" });
  const ctx = uniqueName("berth-ctx");
  const env = { DOCKER_CONFIG: config };
  const cli = async (...args: string[]) => {
    const out = await new Deno.Command("docker", { args, env, stdout: "piped", stderr: "piped" })
      .output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
  };
  await cli("context", "create", ctx, "--docker", "host=unix:///var/run/docker.sock");
  const vars = (name: string) =>
    name === "DOCKER_CONFIG" ? config : name === "HOME" ? "/nonexistent" : undefined;
  try {
    const byFlag = await createApp(loadConfig({ context: ctx }, vars));
    assert.equal(byFlag.config.context, ctx);
    assert.ok(!(await byFlag.interpreter.call("docker_version", {})).isError);
    byFlag.close();
    const byEnv = loadConfig({}, (n) => n === "DOCKER_CONTEXT" ? ctx : vars(n));
    assert.equal(byEnv.dockerHost, "unix:///var/run/docker.sock");

    const yaml = `${config}/berth.yaml`;
    Deno.writeTextFileSync(
      yaml,
      `engines:\n  ctx: { context: ${ctx} }\n  pod: { host: "unix://${PODMAN_SOCK}" }\n` +
        `default_engine: ctx\n`,
    );
    const named = await createApp(loadConfig({ config: yaml }, vars));
    const version = await named.interpreter.call("docker_version", { engine: "ctx" });
    assert.ok(!version.isError, version.text);
    named.close();

    // Under the default set the store is out of reach: the error names the flag, which works.
    const berth = async (...extra: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-P=berth", ...extra, "src/main.ts", "call", "docker_version", "{}"],
        cwd: REPO,
        env: { DOCKER_CONFIG: config, DOCKER_CONTEXT: ctx },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      return { ok: out.success, text };
    };
    const refused = await berth();
    assert.ok(!refused.ok);
    assert.match(refused.text, /DKR-005.*context store/);
    const flag = /--allow-read=\S+?(?=[;'"\s])/.exec(refused.text)?.[0];
    assert.ok(flag?.startsWith(`--allow-read=${config}/contexts,`), refused.text);
    const granted = await berth(flag!);
    assert.ok(granted.ok, granted.text);

    // The setup line the error names first grants the store and the context's socket.
    assert.ok(refused.text.includes(`berth setup CLIENT --context ${ctx}`), refused.text);
    const setup = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-P=berth-setup", "src/main.ts", "setup", "generic", "--via", "checkout"]
        .concat(["--context", ctx]),
      cwd: REPO,
      env: { DOCKER_CONFIG: config },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(setup.success, new TextDecoder().decode(setup.stderr));
    const { args } = JSON.parse(new TextDecoder().decode(setup.stdout)).mcpServers.berth as {
      args: string[];
    };
    assert.ok(args.some((a) => a.startsWith(`--allow-read=${config}/contexts,`)), args.join(" "));
    const serve = args.indexOf("serve");
    assert.deepEqual(args.slice(serve), ["serve", "--context", ctx]);
    // The printed server, asked for one call instead of serving (`call` takes serve's options).
    const printed = await new Deno.Command(Deno.execPath(), {
      args: [...args.slice(args.indexOf("run"), serve), "call", "docker_version", "{}"]
        .concat(args.slice(serve + 1)),
      cwd: "/",
      env: { DOCKER_CONFIG: config },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(printed.success, new TextDecoder().decode(printed.stderr));
  } finally {
    await cli("context", "rm", "-f", ctx);
    Deno.removeSync(config, { recursive: true });
  }
});
