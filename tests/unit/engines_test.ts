/**
 * Several engines (README: Several engines): the `engines:` map and its
 * defaults and ceilings, docker CLI contexts, ssh:// addresses, the `engine`
 * parameter, and the promise that one engine leaves the catalogue unchanged.
 * Pure code: no engine is reached.
 */

import assert from "node:assert/strict";
import { createApp } from "../../src/app/mod.ts";
import { resolveContext } from "../../src/config/contexts.ts";
import { type CliOptions, loadConfig } from "../../src/config/mod.ts";
import { parseDockerHost } from "../../src/config/endpoint.ts";
import { describeEndpoint } from "../../src/engine/docker_host.ts";
import { kindOf } from "../../src/engine/identity.ts";
import { sshArgs } from "../../src/engine/ssh.ts";
import { BerthError } from "../../src/errors/mod.ts";
import { snapshotText } from "../tools/catalog.ts";
import { tempDirWith } from "../helpers/temp_dir.ts";
import { loadConfigParser } from "../../src/config/mod.ts";

// Config files are parsed with the YAML parser, loaded on demand (src/config/file.ts).
await loadConfigParser();

const noEnv = (vars: Record<string, string> = {}) => (name: string) => vars[name];

function configFile(text: string): string {
  const path = Deno.makeTempFileSync({ prefix: "berth-engines-", suffix: ".yaml" });
  Deno.writeTextFileSync(path, text);
  return path;
}

function load(text: string, cli: CliOptions = {}, vars: Record<string, string> = {}) {
  const path = configFile(text);
  try {
    return loadConfig({ ...cli, config: path }, noEnv(vars));
  } finally {
    Deno.removeSync(path);
  }
}

function refusal(fn: () => unknown): BerthError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof BerthError, String(error));
    return error;
  }
  assert.fail("no error");
}

const TWO = `
permissions: { blacklist_containers: ["vault"] }
engines:
  laptop: { host: "unix:///var/run/docker.sock" }
  prod:
    host: "tcp://prod.example:2376"
    tls: { ca: /etc/berth/ca.pem }
    permissions: { read: true, blacklist_containers: ["db-*"] }
    neverhang: { read_timeout: 5s }
    exec_safety: { blocked_commands: ["shutdown"] }
default_engine: laptop
`;

Deno.test("engines: each engine has its endpoint, timeouts and lists; deny lists add up", () => {
  const config = load(TWO, { allow: "all" });
  assert.deepEqual(config.engines.map((e) => e.name), ["laptop", "prod"]);
  assert.equal(config.defaultEngine, "laptop");
  const [laptop, prod] = config.engines;
  assert.equal(laptop.dockerHost, "unix:///var/run/docker.sock");
  assert.equal(prod.dockerHost, "tcp://prod.example:2376");
  assert.deepEqual(prod.tls, { ca: "/etc/berth/ca.pem" });
  assert.equal(prod.timeouts.read, 5_000);
  assert.equal(laptop.timeouts.read, 30_000);
  assert.deepEqual(laptop.containers.deny, ["vault"]);
  assert.deepEqual(prod.containers.deny, ["vault", "db-*"]);
  assert.deepEqual(prod.exec.blockedCommands, ["shutdown"]);
  assert.ok(laptop.exec.blockedCommands.includes("rm -rf"), "the default exec guard");
  // The top level's fields are the default engine's.
  assert.equal(config.dockerHost, laptop.dockerHost);
});

Deno.test("engines: an engine's permissions are a ceiling the command line cannot pass", () => {
  const config = load(TWO, { allow: "all" });
  const [laptop, prod] = config.engines;
  assert.equal(laptop.ceiling, undefined, "no level keys: no ceiling");
  assert.ok(laptop.levels.includes("create"));
  assert.deepEqual(prod.ceiling, ["read"]);
  assert.deepEqual(prod.levels, ["read"]);
  const pod = load(
    `
engines:
  pod: { host: "unix:///run/podman/podman.sock", permissions: { lifecycle: true, create: true, images: false } }
`,
    { allow: "all" },
  ).engines[0];
  assert.deepEqual(pod.levels, ["read", "lifecycle", "create"]);
  // Without --allow, the engine's own block grants (like the top level's does).
  assert.deepEqual(load(TWO).engines[1].levels, ["read"]);
});

Deno.test("engines: bypass drops guards but never an engine's ceiling", async () => {
  const path = configFile(TWO);
  try {
    const app = await createApp(
      loadConfig({ config: path, bypassPermissions: true }, noEnv()),
    );
    const [laptop, prod] = app.engines.slots;
    assert.ok(laptop.policy.allowsLevel("system"));
    assert.ok(!prod.policy.allowsLevel("lifecycle"));
    assert.ok(prod.policy.allowsLevel("read"));
    app.close();
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("engines: mistakes are refused naming the key and the fix", () => {
  const several = `engines:\n  a: { host: "unix:///a.sock" }\n  b: { host: "unix:///b.sock" }\n`;
  assert.match(refusal(() => load(several)).message, /'default_engine' is required/);
  assert.match(
    refusal(() => load(`${several}default_engine: c\n`)).message,
    /'default_engine' names no engine \('c'\)/,
  );
  assert.match(refusal(() => load(`engines:\n  a: {}\n`)).message, /'engines.a' has no host/);
  assert.match(
    refusal(() => load(`docker: { host: "unix:///x" }\n${several}default_engine: a\n`)).message,
    /'docker' cannot stand beside 'engines'/,
  );
  assert.match(
    refusal(() => load(`engines:\n  "a b": { host: "unix:///a" }\n`)).message,
    /not an engine name/,
  );
  assert.match(
    refusal(() => load(`engines:\n  a: { host: "unix:///a", bogus: 1 }\n`)).message,
    /'engines.a.bogus' is not a known key/,
  );
  assert.match(
    refusal(() => load(`${several}default_engine: a\n`, { dockerHost: "unix:///c" })).message,
    /--docker-host cannot be used/,
  );
  assert.match(refusal(() => load(`default_engine: a\n`)).message, /needs an 'engines' map/);
});

Deno.test("engines: one engine leaves tools/list byte-identical, named or not", async () => {
  const plain = await createApp(loadConfig({ allow: "all" }, noEnv()));
  const path = configFile(`engines:\n  only: { host: "unix:///var/run/docker.sock" }\n`);
  const named = await createApp(loadConfig({ allow: "all", config: path }, noEnv()));
  Deno.removeSync(path);
  const text = (app: typeof plain) =>
    app.tools.map((t) => snapshotText(app.interpreter.definition(t.name)!)).join("");
  assert.equal(text(named), text(plain));
  assert.ok(!plain.tools.some((t) => t.name === "docker_list_engines"));
  plain.close();
  named.close();
});

Deno.test("engines: with several, every tool takes an optional engine parameter", async () => {
  const path = configFile(TWO);
  const app = await createApp(loadConfig({ allow: "all", config: path }, noEnv()));
  Deno.removeSync(path);
  assert.ok(app.tools.some((t) => t.name === "docker_list_engines"));
  for (const tool of app.tools) {
    const schema = app.interpreter.definition(tool.name)!.inputSchema;
    const property = (schema.properties as Record<string, Record<string, unknown>>)?.engine;
    if (tool.name === "docker_list_engines") {
      assert.equal(property, undefined);
      continue;
    }
    assert.deepEqual(property?.enum, ["laptop", "prod"], tool.name);
    assert.ok(!((schema.required as string[] | undefined) ?? []).includes("engine"));
  }
  const unknown = await app.interpreter.call("docker_list_containers", { engine: "staging" });
  assert.ok(unknown.isError);
  assert.match(unknown.text, /DKR-004.*Unknown engine 'staging'.*one of laptop, prod/);
  // prod's ceiling refuses before anything is sent (its address does not even resolve).
  const write = await app.interpreter.call("docker_start_container", {
    container_id: "web",
    engine: "prod",
  });
  assert.match(write.text, /DKR-007.*engine 'prod' does not grant/);
  // A caller's levels (an HTTP token) and the engine's ceiling both hold.
  const everything = { name: "ops", allowsLevel: () => true };
  const readOnly = { name: "viewer", allowsLevel: (level: string) => level === "read" };
  const args = { container_id: "web", engine: "prod" };
  const ceiling = await app.interpreter.call("docker_start_container", args, {
    caller: everything,
  });
  assert.match(ceiling.text, /DKR-007.*engine 'prod' does not grant/);
  const token = await app.interpreter.call("docker_start_container", {
    ...args,
    engine: "laptop",
  }, { caller: readOnly });
  assert.match(token.text, /DKR-007.*viewer/);
  app.close();
});

Deno.test("contexts: a context's endpoint and TLS files come from the CLI's store", () => {
  const id = "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f";
  const dir = tempDirWith("berth-ctx-", {
    [`contexts/meta/${id}/meta.json`]: JSON.stringify({
      Name: "remote",
      Metadata: {},
      Endpoints: { docker: { Host: "tcp://10.1.2.3:2376", SkipTLSVerify: false } },
    }),
    [`contexts/tls/${id}/docker/ca.pem`]: "ca",
    [`contexts/tls/${id}/docker/cert.pem`]: "cert",
    [`contexts/tls/${id}/docker/key.pem`]: "key",
  });
  try {
    const env = noEnv({ DOCKER_CONFIG: dir });
    const ctx = resolveContext("remote", env);
    assert.equal(ctx.host, "tcp://10.1.2.3:2376");
    assert.equal(ctx.tls?.ca, `${dir}/contexts/tls/${id}/docker/ca.pem`);
    assert.equal(ctx.tls?.key, `${dir}/contexts/tls/${id}/docker/key.pem`);
    assert.equal(resolveContext("default", env).host, "unix:///var/run/docker.sock");
    assert.match(refusal(() => resolveContext("nope", env)).message, /'nope' was not found/);
    // DOCKER_CONTEXT selects it; DOCKER_HOST wins over it, as in the docker CLI.
    const byEnv = loadConfig({}, noEnv({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: "remote" }));
    assert.equal(byEnv.dockerHost, "tcp://10.1.2.3:2376");
    assert.equal(byEnv.context, "remote");
    const hostWins = loadConfig(
      {},
      noEnv({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: "remote", DOCKER_HOST: "unix:///x.sock" }),
    );
    assert.equal(hostWins.dockerHost, "unix:///x.sock");
    assert.equal(
      loadConfig({ context: "remote" }, noEnv({ DOCKER_CONFIG: dir })).tls?.cert,
      `${dir}/contexts/tls/${id}/docker/cert.pem`,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("ssh: ssh://user@host:port parses like the docker CLI's, never with a password", () => {
  const endpoint = parseDockerHost("ssh://deploy@build.example:2222", undefined, {
    identityFile: "/etc/berth/id",
    options: ["StrictHostKeyChecking=yes"],
  });
  assert.equal(describeEndpoint(endpoint), "ssh://deploy@build.example:2222");
  assert.ok(endpoint.kind === "ssh");
  assert.deepEqual(sshArgs(endpoint).slice(-6), [
    "StrictHostKeyChecking=yes",
    "--",
    "build.example",
    "docker",
    "system",
    "dial-stdio",
  ]);
  assert.ok(sshArgs(endpoint).includes("BatchMode=yes"), "never prompts");
  assert.match(refusal(() => parseDockerHost("ssh://u:secret@h")).message, /carries a password/);
  assert.doesNotMatch(refusal(() => parseDockerHost("ssh://u:secret@h")).message, /secret/);
  assert.match(refusal(() => parseDockerHost("ssh://h/var/run")).message, /has a path/);
});

Deno.test("engine kind: podman is told from its /version components", () => {
  assert.equal(kindOf({ Components: [{ Name: "Podman Engine", Version: "4.3.1" }] }), "podman");
  assert.equal(kindOf({ Components: [{ Name: "Engine", Version: "20.10.24" }] }), "docker");
  assert.equal(kindOf({}), "docker");
});

Deno.test("permission sets: berth-ssh is the berth set plus running ssh, nothing else", async () => {
  const { default: config } = await import("../../deno.json", { with: { type: "json" } });
  const sets = config.permissions as Record<string, Record<string, unknown>>;
  const { run, ...rest } = sets["berth-ssh"];
  assert.deepEqual(run, ["ssh"]);
  assert.deepEqual(rest, sets.berth);
  assert.equal(sets.berth.run, undefined, "the default set runs nothing");
});

Deno.test("default engine: the system socket, else rootless Docker, rootless Podman, rootful Podman", () => {
  const only = (...paths: string[]) => (path: string) => paths.includes(path);
  const env = noEnv({ XDG_RUNTIME_DIR: "/run/user/1000" });
  const host = (present: (path: string) => boolean) =>
    loadConfig({}, env, () => false, present).dockerHost;
  assert.equal(
    host(only("/var/run/docker.sock", "/run/user/1000/podman/podman.sock")),
    "unix:///var/run/docker.sock",
  );
  assert.equal(
    host(only("/run/user/1000/docker.sock", "/run/user/1000/podman/podman.sock")),
    "unix:///run/user/1000/docker.sock",
  );
  assert.equal(
    host(only("/run/user/1000/podman/podman.sock")),
    "unix:///run/user/1000/podman/podman.sock",
  );
  assert.equal(host(only("/run/podman/podman.sock")), "unix:///run/podman/podman.sock");
  assert.equal(host(only()), "unix:///var/run/docker.sock", "nothing there: the usual error");
  const config = loadConfig({}, env, () => false, only("/run/podman/podman.sock"));
  assert.match(config.notices.join("\n"), /using \/run\/podman\/podman.sock/);
  // Anything named wins over discovery.
  assert.equal(
    loadConfig({}, noEnv({ DOCKER_HOST: "unix:///x.sock" }), () => false, only()).dockerHost,
    "unix:///x.sock",
  );
});
