/**
 * The command line as users type it: `deno run -P=berth src/main.ts …`. Bad
 * input answers one line that names what is wrong and the fix, never a stack
 * trace, and a non-zero exit status.
 */

import assert from "node:assert/strict";
import { type Output, runBerth } from "./_mcp.ts";

/** Runs `berth ARGS` under the berth permission set. */
const berth = (...args: string[]): Promise<Output> => runBerth(args);

/** berth's error lines on stderr (its warnings and Deno's left out). */
function berthLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) =>
    line.startsWith("berth:") && !line.startsWith("berth: warn:")
  );
}

/** The one `berth: …` error line of a failed start, with no stack frame anywhere. */
function oneErrorLine(out: { code: number; stdout: string; stderr: string }): string {
  assert.equal(out.code, 2, out.stderr);
  assert.equal(out.stdout, "");
  assert.doesNotMatch(out.stderr, /^\s+at /m, "no stack trace");
  const lines = berthLines(out.stderr);
  assert.equal(lines.length, 1, out.stderr);
  return lines[0];
}

Deno.test("cli: berth call with arguments that are not JSON names them and the fix", async () => {
  const line = oneErrorLine(await berth("call", "docker_inspect_container", "notjson"));
  assert.match(line, /DKR-004 invalid_input: The arguments of berth call must be one JSON object/);
  assert.match(line, /'notjson'/);
  assert.match(line, /Fix: .*berth call docker_inspect_container '\{"container_id":"web"\}'/);
});

Deno.test("cli: berth call with JSON that is not an object is refused the same way", async () => {
  for (const json of ["[1]", "null", '"web"', '{"container_id":']) {
    const line = oneErrorLine(await berth("call", "docker_inspect_container", json));
    assert.match(line, /must be one JSON object/, json);
  }
});

Deno.test("cli: a bad --allow level or --docker-host is one line naming it", async () => {
  let line = oneErrorLine(await berth("call", "docker_version", "--allow", "reed"));
  assert.match(line, /Unknown permission level 'reed'.*Fix: Levels are read, lifecycle/);
  line = oneErrorLine(await berth("call", "docker_version", "--docker-host", "ftp://x"));
  assert.match(line, /Docker host 'ftp:\/\/x' has an unsupported scheme/);
});

Deno.test("cli: a --docker-host error never prints the URL's password", async () => {
  const line = oneErrorLine(
    await berth("call", "docker_version", "--docker-host", "ftp://admin:s3cretpass@x"),
  );
  assert.match(line, /Docker host 'ftp:\/\/\*\*\*REDACTED\*\*\*@x' has an unsupported scheme/);
  for (const host of ["tcp://admin:s3cretpass@[::1", "unix://admin:s3cretpass@sock"]) {
    const out = await berth("call", "docker_version", "--docker-host", host);
    assert.equal(out.code, 2, out.stderr);
    assert.doesNotMatch(out.stderr, /s3cretpass/, host);
  }
});

Deno.test("cli: --bypass-permissions is announced at every log level, with the lists it drops", async () => {
  const out = await berth(
    "tools",
    "--bypass-permissions",
    "--deny-containers",
    "vault",
    "--log-level",
    "error",
  );
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /berth: warn: --bypass-permissions: EVERY permission level is granted/);
  assert.match(out.stderr, /drops the configured name lists \(deny containers vault\)/);
});

Deno.test("cli: an unknown tool or a missing parameter is a DKR-004 result, exit status 1", async () => {
  for (
    const [args, message] of [
      [["call", "docker_nope"], /Unknown tool 'docker_nope'/],
      [["call", "docker_inspect_container"], /Parameter 'container_id' is required/],
    ] as const
  ) {
    const out = await berth(...args);
    assert.equal(out.code, 1, out.stderr);
    assert.doesNotMatch(out.stderr, /^\s+at /m, "no stack trace");
    const result = JSON.parse(out.stdout);
    assert.equal(result.isError, true);
    assert.equal(result.structuredContent.error.code, "DKR-004");
    assert.match(result.structuredContent.error.message, message);
  }
});

Deno.test("cli: an unknown tool's hint names 'berth tools', and the docker_ name when that exists", async () => {
  const hintOf = async (tool: string) => JSON.parse((await berth("call", tool)).stdout).text;
  const unknown = await hintOf("docker_nope");
  assert.match(unknown, /Fix: List the tools with 'berth tools'/);
  assert.doesNotMatch(unknown, /tools\/list/, "the CLI has no tools/list");
  assert.match(await hintOf("list_containers"), /Fix: Did you mean docker_list_containers\?/);
});
