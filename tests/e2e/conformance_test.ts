/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`
 * 0.1.16, run with Deno through `npm:` since it needs Node 22) against
 * `berth serve --http` on loopback: the active server suite with
 * tests/conformance/expected_failures.yaml (each entry says why), and
 * server-sse-polling, which the active suite leaves out. Among the scenarios
 * that must pass: server-initialize, ping, tools-list, completion-complete,
 * server-sse-multiple-streams and dns-rebinding-protection.
 */

import assert from "node:assert/strict";
import { REPO, run, SPAWN_TEST } from "./_mcp.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { startHttp } from "./_http.ts";

const CONFORMANCE = "npm:@modelcontextprotocol/conformance@0.1.16";

async function conformance(url: URL, args: string[]): Promise<{ code: number; out: string }> {
  using output = tempDir("berth-conformance-");
  const result = await run(Deno.execPath(), [
    "run",
    "-A",
    CONFORMANCE,
    "server",
    "--url",
    url.href,
    "-o",
    output.path,
    ...args,
  ]);
  return { code: result.code, out: result.stdout + result.stderr };
}

Deno.test({
  name: "conformance: the official server scenarios pass against berth serve --http",
  ...SPAWN_TEST,
  async fn() {
    await using server = await startHttp();
    const active = await conformance(server.url, [
      "--expected-failures",
      `${REPO}/tests/conformance/expected_failures.yaml`,
    ]);
    assert.equal(active.code, 0, active.out);
    for (
      const scenario of [
        "server-initialize",
        "ping",
        "tools-list",
        "completion-complete",
        "server-sse-multiple-streams",
        "dns-rebinding-protection",
      ]
    ) {
      assert.match(active.out, new RegExp(`✓ ${scenario}: \\d+ passed, 0 failed`), scenario);
    }
    const polling = await conformance(server.url, ["--scenario", "server-sse-polling"]);
    assert.equal(polling.code, 0, polling.out);
    assert.match(polling.out, /0 failed/);
  },
});
