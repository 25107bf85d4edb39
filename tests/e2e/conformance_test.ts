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
import { REPO, SPAWN_TEST } from "./_mcp.ts";
import { startHttp } from "./_http.ts";

const CONFORMANCE = "npm:@modelcontextprotocol/conformance@0.1.16";

async function conformance(url: URL, args: string[]): Promise<{ code: number; out: string }> {
  const output = Deno.makeTempDirSync({ prefix: "berth-conformance-" });
  try {
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CONFORMANCE, "server", "--url", url.href, "-o", output, ...args],
      cwd: REPO,
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: result.code, out: decode(result.stdout) + decode(result.stderr) };
  } finally {
    Deno.removeSync(output, { recursive: true });
  }
}

Deno.test({
  name: "conformance: the official server scenarios pass against berth serve --http",
  ...SPAWN_TEST,
  async fn() {
    const server = await startHttp();
    try {
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
    } finally {
      await server.stop();
    }
  },
});
