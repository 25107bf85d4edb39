/**
 * The sandbox, proven: a probe (tests/e2e/sandbox_probe.ts) runs under the
 * very permission set berth runs with (`-P=berth`, shared by `deno task
 * start`, these tests and `deno task compile`), and under the locked-down
 * recipe of the README; berth itself runs under the recipe too.
 *
 * Suite label: `attacks` (sandbox escapes).
 */

import assert from "node:assert/strict";
import { type Output, run } from "./_mcp.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import denoConfig from "../../deno.json" with { type: "json" };

/**
 * The locked-down recipe: one socket, nothing else (README "Sandbox"), read
 * from `deno task start:locked` so the test runs what operators run.
 */
export const LOCKED_RECIPE: string[] = denoConfig.tasks["start:locked"].split(" ")
  .filter((word) => word.startsWith("--allow-"));

/** `deno ARGS` in the repository, with no BERTH_ variable and no user config. */
const deno = (args: string[]): Promise<Output> => run(Deno.execPath(), args);

async function probe(flags: string[], port: number): Promise<Record<string, string>> {
  const out = await deno([
    "run",
    "--no-prompt",
    ...flags,
    "tests/e2e/sandbox_probe.ts",
    String(port),
  ]);
  assert.equal(out.code, 0, out.stderr);
  return JSON.parse(out.stdout.trim().split("\n").pop()!);
}

/** A TCP listener on loopback that accepts (and drops) whatever reaches it; `using` closes it. */
function listener(): { port: number } & Disposable {
  const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    for await (const conn of server) conn.close();
  })().catch(() => {});
  return { port: (server.addr as Deno.NetAddr).port, [Symbol.dispose]: () => server.close() };
}

const NEVER = [
  "read_etc_shadow",
  "read_etc_passwd",
  "read_home_ssh",
  "read_home_ssh_key",
  "read_home_docker_config",
  "write_tmp",
  "write_home",
  "run_subprocess",
  "ffi",
  "env_path",
  "net_metadata",
  "net_other_unix_socket",
];

Deno.test("attacks: sandbox: -P=berth refuses /etc/shadow, ~/.ssh, subprocesses, FFI, foreign env and sockets", async () => {
  using tcp = listener();
  const result = await probe(["-P=berth"], tcp.port);
  for (const attempt of NEVER) assert.equal(result[attempt], "NotCapable", attempt);
  assert.equal(result.engine_ping, "ok", "the engine socket stays reachable");
  assert.equal(result.net_tcp_local, "ok", "tcp:// engines are reachable under the default set");
});

Deno.test("attacks: sandbox: the locked-down recipe reaches its one engine and nothing else", async () => {
  using tcp = listener();
  const result = await probe(LOCKED_RECIPE, tcp.port);
  for (const attempt of NEVER) assert.equal(result[attempt], "NotCapable", attempt);
  assert.equal(result.net_tcp_local, "NotCapable", "a loopback TCP listener is out of reach");
  assert.equal(result.engine_ping, "ok");
});

/** `berth call docker_version` under these Deno permission flags, without prompts. */
async function callVersion(flags: string[], ...options: string[]) {
  return await deno([
    "run",
    "--no-prompt",
    ...flags,
    "src/main.ts",
    "call",
    "docker_version",
    ...options,
  ]);
}

Deno.test("attacks: sandbox: berth runs under the recipe and names the permission it lacks", async () => {
  let out = await callVersion(LOCKED_RECIPE);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout).isError, false);

  {
    using tcp = listener();
    out = await callVersion(LOCKED_RECIPE, "--docker-host", `tcp://127.0.0.1:${tcp.port}`);
    const result = JSON.parse(out.stdout);
    assert.equal(result.structuredContent.error.code, "DKR-005");
    assert.match(result.text, new RegExp(`--allow-net=127\\.0\\.0\\.1:${tcp.port}`));
  }

  out = await callVersion(["-P=berth"], "--docker-host", "unix:///tmp/berth-not-a-socket.sock");
  const result = JSON.parse(out.stdout);
  assert.equal(result.structuredContent.error.code, "DKR-005");
  assert.match(result.text, /--allow-read=\/tmp\/berth-not-a-socket\.sock/);
  assert.match(result.text, /--allow-net=unix:\/tmp\/berth-not-a-socket\.sock/);
});

Deno.test("attacks: sandbox: a recipe that hides /etc/berth warns at every log level, naming the flag", async () => {
  const withoutEtc = LOCKED_RECIPE.map((flag) => flag.replace(",/etc/berth", ""));
  assert.notDeepEqual(withoutEtc, LOCKED_RECIPE, "the recipe grants /etc/berth");
  let out = await callVersion(withoutEtc, "--log-level", "error");
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /berth: warn: no config file was read: .*\/etc\/berth\/config\.yaml/);
  assert.match(out.stderr, /NOT in force/);
  assert.match(out.stderr, /--allow-read=[^ ]*\/etc\/berth[, ]/);

  // The recipe itself sees /etc/berth: the hidden home config is a notice at warn level
  // (silent at --log-level error), no alarm.
  out = await callVersion(LOCKED_RECIPE, "--log-level", "error");
  assert.doesNotMatch(out.stderr, /no config file was read|NOT in force/);
  out = await callVersion(LOCKED_RECIPE);
  assert.doesNotMatch(out.stderr, /NOT in force/);
  assert.match(out.stderr, /berth: warn: \S*\/berth\/config\.yaml was not read/);
});

Deno.test("attacks: sandbox: an audit log outside the set stops start-up, naming --allow-write", async () => {
  const out = await callVersion(["-P=berth"], "--audit-log", "/tmp/berth-sandbox-audit.jsonl");
  assert.equal(out.code, 2);
  assert.match(out.stderr, /DKR-005 permission_denied: Cannot open the audit log/);
  assert.match(out.stderr, /--allow-write=\/tmp\/berth-sandbox-audit\.jsonl/);
});

/** The `--allow-read=…` flag a refusal's text names. */
function hintedReadFlag(text: string): string {
  const flag = /--allow-read=\S+/.exec(text);
  assert.ok(flag, text);
  return flag[0];
}

Deno.test("attacks: sandbox: the --allow-read a refusal names keeps the engine in reach", async () => {
  using dir = tempDir("berth-sandbox-hint-", { "config.json": "{}" });
  const config = `${dir.path}/config.json`;
  let out = await callVersion(["-P=berth"], "--config", config);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /DKR-005 permission_denied: Cannot read config file/);
  const flag = hintedReadFlag(out.stderr);
  assert.ok(flag.startsWith(`--allow-read=${config},`), flag);
  assert.match(out.stderr, /after -P=berth in the deno run command/);

  // Next to -P=berth the flag replaces the set's read list: had it named only
  // the file, the socket would be out of reach and docker_version would fail.
  out = await callVersion(["-P=berth", flag], "--config", config);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout).isError, false);
});

Deno.test("attacks: sandbox: a build context the sandbox refuses is readable with the flag named", async () => {
  // No Dockerfile: once the context is readable the build stops at DKR-004, creating nothing.
  using dir = tempDir("berth-sandbox-build-", { "README": "no Dockerfile here" });
  const build = (flags: string[]) =>
    deno([
      "run",
      "--no-prompt",
      ...flags,
      "src/main.ts",
      "call",
      "docker_build_image",
      JSON.stringify({ path: dir.path, tag: "berth-test/sandbox-hint:never" }),
      "--allow",
      "images",
    ]);
  let error = JSON.parse((await build(["-P=berth"])).stdout).structuredContent.error;
  assert.equal(error.code, "DKR-005");
  const flag = hintedReadFlag(error.hint);

  error = JSON.parse((await build(["-P=berth", flag])).stdout).structuredContent.error;
  assert.equal(error.code, "DKR-004", error.message);
  assert.match(error.message, /'dockerfile'/);
});

Deno.test("attacks: sandbox: a system location as build context is refused by policy, not by the sandbox", async () => {
  // Judged before berth reads it: the answer never tells the operator to open /etc to berth.
  for (const path of ["/etc", "/root/.ssh", "/var/run"]) {
    const out = await deno([
      "run",
      "--no-prompt",
      "-P=berth",
      "src/main.ts",
      "call",
      "docker_build_image",
      JSON.stringify({ path, tag: "berth-test/sandbox-hint:never" }),
      "--allow",
      "images",
    ]);
    const error = JSON.parse(out.stdout).structuredContent.error;
    assert.equal(error.code, "DKR-007", `${path}: ${error.message}`);
    assert.doesNotMatch(`${error.message} ${error.hint}`, /--allow-read/);
  }
});
