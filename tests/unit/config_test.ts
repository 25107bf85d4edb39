/**
 * Configuration: flags override the file, the file overrides defaults, the
 * contract's sample config loads unchanged, and unknown keys are refused
 * with their key path.
 */

import assert from "node:assert/strict";
import { type CliOptions, loadConfig, parseTimeoutFlags, splitList } from "../../src/config/mod.ts";
import { parseConfigText } from "../../src/config/mod.ts";
import { BerthError } from "../../src/errors/mod.ts";
import { DEFAULT_TIMEOUTS } from "../../src/guard/deadline.ts";
import { LEVELS } from "../../src/manifest/types.ts";

const SAMPLE = new URL("../fixtures/config_sample.json", import.meta.url).pathname;

/** An environment with only the given variables (never the user's). */
function env(vars: Record<string, string> = {}): (name: string) => string | undefined {
  return (name) => vars[name];
}

function load(cli: CliOptions = {}, vars: Record<string, string> = {}) {
  return loadConfig(cli, env(vars));
}

function withConfigFile(text: string, ext = "yaml"): string {
  const path = Deno.makeTempFileSync({ prefix: "berth-config-", suffix: `.${ext}` });
  Deno.writeTextFileSync(path, text);
  return path;
}

function assertDkr004(fn: () => unknown, pattern: RegExp): BerthError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof BerthError, String(error));
    assert.equal(error.code, "DKR-004");
    assert.match(`${error.message} ${error.hint}`, pattern);
    return error;
  }
  assert.fail("no error");
}

Deno.test("config: defaults without flags, env or file", () => {
  const config = load();
  assert.equal(config.dockerHost, "unix:///var/run/docker.sock");
  assert.deepEqual(config.levels, ["read"]);
  assert.equal(config.bypassPermissions, false);
  assert.deepEqual(config.timeouts, DEFAULT_TIMEOUTS);
  assert.deepEqual(config.manifestDirs, []);
  assert.equal(config.toolsets, undefined);
  assert.equal(config.logLevel, "warn");
  assert.equal(config.configPath, undefined);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.timeouts));
});

Deno.test("config: the contract's sample config JSON loads unchanged", () => {
  const config = load({ config: SAMPLE });
  assert.equal(config.configPath, SAMPLE);
  assert.equal(config.dockerHost, "unix:///var/run/docker.sock");
  assert.deepEqual(config.tls, {
    ca: "/path/ca.pem",
    cert: "/path/cert.pem",
    key: "/path/key.pem",
  });
  assert.deepEqual(config.levels, ["read"]);
  assert.deepEqual(config.containers, {
    allow: ["myapp-*", "nginx"],
    deny: ["*-db", "vault", "secrets-*"],
  });
  assert.deepEqual(config.images, { allow: ["myorg/*", "nginx:*"], deny: [] });
  assert.deepEqual(config.exec, {
    blockedCommands: ["rm -rf", "dd if=", "mkfs", "> /dev/"],
    maxOutput: 10000,
    timeoutMs: 30_000,
  });
  assert.equal(config.timeouts.read, 30_000);
  assert.equal(config.timeouts.lifecycle, 60_000);
  assert.equal(config.timeouts.compose, 120_000);
  assert.deepEqual(config.breaker, { failures: 3, windowMs: 60_000, cooldownMs: 300_000 });
  assert.equal(config.fallback.apiKeyEnv, "DOCKER_MCP_FALLBACK_KEY");
  assert.equal(config.fallback.maxLogLines, 200);
});

Deno.test("config: BERTH_CONFIG names the file too", () => {
  assert.equal(load({}, { BERTH_CONFIG: SAMPLE }).configPath, SAMPLE);
});

Deno.test("config: flags override the file, the file overrides defaults", () => {
  const path = withConfigFile(`
docker: { host: "tcp://10.0.0.1:2375" }
permissions: { lifecycle: true, exec: true, whitelist_containers: [web] }
neverhang: { read_timeout: 1000, exec_timeout: "45s" }
log_level: info
`);
  try {
    const fromFile = load({ config: path });
    assert.deepEqual(fromFile.levels, ["read", "lifecycle", "exec"]);
    assert.equal(fromFile.dockerHost, "tcp://10.0.0.1:2375");
    assert.equal(fromFile.timeouts.read, 1000);
    assert.equal(fromFile.timeouts.exec, 45_000);
    assert.equal(fromFile.logLevel, "info");

    const flags = load({
      config: path,
      allow: "images",
      dockerHost: "unix:///run/docker.sock",
      timeout: ["read=5s"],
      logLevel: "debug",
      allowContainers: ["api-*,db"],
    });
    assert.deepEqual(flags.levels, ["read", "images"]);
    assert.equal(flags.dockerHost, "unix:///run/docker.sock");
    assert.equal(flags.timeouts.read, 5000);
    assert.equal(flags.timeouts.exec, 45_000, "the file still sets what flags do not");
    assert.equal(flags.logLevel, "debug");
    assert.deepEqual(flags.containers.allow, ["web", "api-*", "db"]);
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("config: env between flags and file", () => {
  const config = load({}, {
    DOCKER_HOST: "tcp://docker:2375",
    BERTH_LOG_LEVEL: "error",
    BERTH_TOOLSETS: "containers, system",
    BERTH_MANIFESTS: "/a:/b",
    BERTH_AUDIT_LOG: "/tmp/audit.jsonl",
  });
  assert.equal(config.dockerHost, "tcp://docker:2375");
  assert.equal(config.logLevel, "error");
  assert.deepEqual(config.toolsets, ["containers", "system"]);
  assert.deepEqual(config.manifestDirs, ["/a", "/b"]);
  assert.equal(config.auditLog, "/tmp/audit.jsonl");
  assert.equal(
    load({ dockerHost: "unix:///x.sock" }, { DOCKER_HOST: "tcp://d:1" }).dockerHost,
    "unix:///x.sock",
  );
  assert.deepEqual(load({ manifest: ["/c"] }, { BERTH_MANIFESTS: "/a" }).manifestDirs, [
    "/a",
    "/c",
  ]);
});

Deno.test("config: BERTH_ALLOW=all grants every level; --allow overrides it", () => {
  assert.deepEqual(load({}, { BERTH_ALLOW: "all" }).levels, [...LEVELS]);
  assert.deepEqual(load({ allow: "all" }).levels, [...LEVELS]);
  assert.deepEqual(load({}, { BERTH_ALLOW: "lifecycle, EXEC" }).levels, [
    "read",
    "lifecycle",
    "exec",
  ]);
  assert.deepEqual(load({ allow: "read" }, { BERTH_ALLOW: "all" }).levels, ["read"]);
  assertDkr004(() => load({}, { BERTH_ALLOW: "root" }), /Unknown permission level 'root'/);
});

Deno.test("config: an unknown key is refused, naming its key path", () => {
  const cases: [string, RegExp][] = [
    [
      "permissions: { whitelist_container: [web] }",
      /'permissions\.whitelist_container' is not a known key/,
    ],
    ["neverhang: { circuit_breaker: { failure: 3 } }", /'neverhang\.circuit_breaker\.failure'/],
    ["dockr: { socket: /x }", /'dockr' is not a known key/],
    ["docker: { tls: { ca: /a, crt: /b } }", /'docker\.tls\.crt'/],
  ];
  for (const [text, pattern] of cases) {
    const path = withConfigFile(text);
    try {
      const error = assertDkr004(() => load({ config: path }), pattern);
      assert.ok(error.message.includes(path), "the message names the file");
    } finally {
      Deno.removeSync(path);
    }
  }
});

Deno.test("config: wrong types and bad durations name their key", () => {
  assertDkr004(
    () => parseConfigText('{"permissions": {"lifecycle": "yes"}}', "c.json"),
    /'permissions\.lifecycle'/,
  );
  const path = withConfigFile('{"neverhang": {"read_timeout": "soon"}}', "json");
  try {
    assertDkr004(() => load({ config: path }), /neverhang\.read_timeout/);
  } finally {
    Deno.removeSync(path);
  }
  assertDkr004(() => parseConfigText("a: [", "bad.yaml"), /not valid YAML or JSON/);
});

Deno.test("config: a named config file that is missing is an error; the default one is optional", () => {
  assertDkr004(() => load({ config: "/nonexistent/berth.yaml" }), /Cannot read config file/);
  const config = load({}, { HOME: "/nonexistent" });
  assert.equal(config.configPath, undefined);
});

Deno.test("--timeout: CLASS=DURATION, repeatable and comma-separated", () => {
  assert.deepEqual(parseTimeoutFlags(["read=5s"]), { read: 5000 });
  assert.deepEqual(parseTimeoutFlags(["read=5s,exec=1m", "long=900000", "compose=1.5h"]), {
    read: 5000,
    exec: 60_000,
    long: 900_000,
    compose: 5_400_000,
  });
  assert.deepEqual(parseTimeoutFlags(["lifecycle=250ms"]), { lifecycle: 250 });
  assertDkr004(() => parseTimeoutFlags(["slow=5s"]), /--timeout 'slow=5s' is not CLASS=DURATION/);
  assertDkr004(
    () => parseTimeoutFlags(["read"]),
    /Classes are read, lifecycle, exec, compose, long/,
  );
  assertDkr004(() => parseTimeoutFlags(["read=soon"]), /--timeout read/);
  assertDkr004(() => parseTimeoutFlags(["read=0"]), /--timeout read/);
  assert.equal(load({ timeout: ["exec=2s"] }).timeouts.exec, 2000);
});

Deno.test("config: log level and docker host validation", () => {
  assertDkr004(() => load({ logLevel: "loud" }), /Log level 'loud'/);
  const config = load({}, { DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/certs" });
  assert.deepEqual(config.tls, {
    ca: "/certs/ca.pem",
    cert: "/certs/cert.pem",
    key: "/certs/key.pem",
  });
});

Deno.test("splitList: repeatable, comma-separated, trimmed", () => {
  assert.deepEqual(splitList(["a, b", "c", ""]), ["a", "b", "c"]);
  assert.deepEqual(splitList("x"), ["x"]);
  assert.deepEqual(splitList(undefined), []);
});
