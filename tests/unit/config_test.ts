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
import { loadConfigParser } from "../../src/config/mod.ts";

// Config files are parsed with the YAML parser, loaded on demand (src/config/file.ts).
await loadConfigParser();

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
    allowIndirection: false,
  });
  assert.equal(config.timeouts.read, 30_000);
  assert.equal(config.timeouts.lifecycle, 60_000);
  assert.equal(config.timeouts.compose, 120_000);
  assert.deepEqual(config.breaker, { failures: 3, windowMs: 60_000, cooldownMs: 10_000 });
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

/** A sandbox that lets berth read only these paths (what Deno's permission query answers). */
function readable(...paths: string[]): (path: string) => boolean {
  return (path) => paths.some((p) => path === p || path.startsWith(`${p}/`));
}

Deno.test("config: a default config the sandbox hides is not 'absent': a warning names the --allow-read flag", () => {
  const config = loadConfig({}, env({ XDG_CONFIG_HOME: "/home/op/.config" }), readable());
  assert.equal(config.configPath, undefined);
  assert.equal(config.warnings.length, 1);
  const [warning] = config.warnings;
  assert.match(warning, /no config file was read/);
  assert.match(warning, /\/home\/op\/\.config\/berth\/config\.yaml or \/etc\/berth\/config\.yaml/);
  assert.match(warning, /NOT in force/);
  assert.match(warning, /--allow-read=\/home\/op\/\.config\/berth,\/etc\/berth[,\s]/);
});

Deno.test("config: the home-config warning appears only when no config file was read", () => {
  const dir = Deno.makeTempDirSync({ prefix: "berth-xdg-" });
  try {
    Deno.mkdirSync(`${dir}/berth`);
    Deno.writeTextFileSync(
      `${dir}/berth/config.yaml`,
      "permissions: { blacklist_containers: [vault] }",
    );
    const found = loadConfig({}, env({ XDG_CONFIG_HOME: dir }), readable(dir, "/etc/berth"));
    assert.equal(found.configPath, `${dir}/berth/config.yaml`);
    assert.deepEqual(found.containers.deny, ["vault"]);
    assert.deepEqual(found.warnings, []);

    // A named file: the defaults are not looked at, so nothing hidden matters.
    const named = loadConfig({ config: `${dir}/berth/config.yaml` }, env(), readable(dir));
    assert.deepEqual(named.warnings, []);

    // The system file is visible (and absent here): the home file, which -P=berth never
    // reaches, is a short notice at warn level, not an alarm on every start.
    const hidden = loadConfig({}, env({ HOME: "/home/op" }), readable("/etc/berth"));
    assert.deepEqual(hidden.warnings, []);
    assert.equal(hidden.notices.length, 1);
    assert.match(hidden.notices[0], /^\/home\/op\/\.config\/berth\/config\.yaml was not read/);
    assert.match(hidden.notices[0], /--config \/home\/op\/\.config\/berth\/config\.yaml/);
    assert.match(hidden.notices[0], /\/etc\/berth\/config\.yaml$/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("config: bad durations name the file and say how to write one; 0 must be more than 0", () => {
  const spaced = withConfigFile("neverhang: { read_timeout: '30 s' }");
  const zero = withConfigFile("neverhang: { read_timeout: 0 }");
  try {
    const error = assertDkr004(() => load({ config: spaced }), /'neverhang\.read_timeout'/);
    assert.ok(error.message.includes(spaced), "the message names the file");
    assert.match(error.message, /'30 s'/);
    assert.match(error.hint, /Write 30s, 2m/);
    const zeroError = assertDkr004(() => load({ config: zero }), /must be more than 0/);
    assert.ok(zeroError.message.includes(zero));
  } finally {
    Deno.removeSync(spaced);
    Deno.removeSync(zero);
  }
  assertDkr004(() => load({ timeout: ["read=0"] }), /'--timeout read' must be more than 0/);
});

Deno.test("config: typos that would fail closed are refused: unknown capability, empty glob", () => {
  const cases: [string, RegExp][] = [
    [
      "permissions: { allowed_capabilities: [SYS_ADMN] }",
      /'permissions\.allowed_capabilities\.0' is not a Linux capability; known names: .*SYS_ADMIN/,
    ],
    [
      "permissions: { blacklist_containers: [db, ''] }",
      /'permissions\.blacklist_containers\.1'.*empty/,
    ],
    ["permissions: { whitelist_images: ['  '] }", /'permissions\.whitelist_images\.0'.*empty/],
    ["exec_safety: { blocked_commands: [''] }", /'exec_safety\.blocked_commands\.0'.*empty/],
    [
      "permissions: { allowed_volume_drivers: [local] }",
      /'permissions\.allowed_volume_drivers\.0' local is always allowed/,
    ],
    [
      "permissions: { allowed_volume_drivers: ['a b'] }",
      /'permissions\.allowed_volume_drivers\.0' must be a volume driver name/,
    ],
    ["permissions: { allow_volume_driver_opts: yes please }", /allow_volume_driver_opts/],
    ["exec_safety: { allow_indirection: 1 }", /exec_safety\.allow_indirection/],
  ];
  for (const [text, pattern] of cases) assertDkr004(() => parseConfigText(text, "c.yaml"), pattern);
  const ok = parseConfigText(
    "permissions: { allowed_capabilities: [net_admin, CAP_SYS_PTRACE] }",
    "c",
  );
  assert.deepEqual(ok.permissions?.allowed_capabilities, ["net_admin", "CAP_SYS_PTRACE"]);
  const path = withConfigFile(
    "permissions: { allow_volume_driver_opts: true, allowed_volume_drivers: [rexray/ebs] }",
  );
  try {
    const { guards } = load({ config: path });
    assert.equal(guards.allowVolumeDriverOpts, true);
    assert.deepEqual(guards.allowedVolumeDrivers, ["rexray/ebs"]);
    assert.equal(load().guards.allowVolumeDriverOpts, false, "off by default");
    assert.equal(load().exec.allowIndirection, false, "computed commands refused by default");
  } finally {
    Deno.removeSync(path);
  }
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
