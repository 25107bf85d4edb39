/**
 * The swarm tools as users run them: `deno run -P=berth … serve` against the
 * test bed's swarm engine on its own socket. The `berth` permission set lists
 * only the usual sockets, so the swarm socket is granted with the flags the
 * README gives for another socket; without them berth says which grant is
 * missing. A server without the `swarm` level lists no changing swarm tool.
 */

import assert from "node:assert/strict";
import { alsoAllowed, callExpectingError, callTool, codeOf, connect } from "./_mcp.ts";

const SOCKET = "/run/berth-swarm/docker.sock";
const HOST = `unix://${SOCKET}`;

/** The berth set plus the swarm socket (a flag next to -P replaces the set's list). */
function grant(): string[] {
  return alsoAllowed({ read: [SOCKET], write: [SOCKET] });
}

const CHANGING = [
  "docker_create_service",
  "docker_update_service",
  "docker_rollback_service",
  "docker_remove_service",
  "docker_stack_deploy",
  "docker_stack_remove",
  "docker_create_secret",
  "docker_remove_secret",
  "docker_create_config",
  "docker_remove_config",
  "docker_update_node",
];

Deno.test("e2e swarm: the swarm socket needs its grant; berth names it", async () => {
  await using s = await connect(["--docker-host", HOST]);
  const result = await callExpectingError(s, "docker_swarm_info", {});
  assert.equal(codeOf(result), "DKR-005", result.content[0]?.text);
  assert.match(String(result.content[0]?.text), new RegExp(SOCKET.replaceAll("/", "\\/")));
});

Deno.test("e2e swarm: read-only lists no changing swarm tool; with swarm it does and they work", async () => {
  {
    await using reader = await connect(["--docker-host", HOST], { denoFlags: grant() });
    const names = (await reader.client.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes("docker_list_services"));
    assert.deepEqual(CHANGING.filter((n) => names.includes(n)), []);
    const info = await callTool(reader, "docker_swarm_info", {});
    assert.equal((info.structuredContent as { state: string }).state, "active");
    const denied = await callExpectingError(reader, "docker_create_secret", {
      name: "x",
      data: "y",
    });
    assert.equal(codeOf(denied), "DKR-007");
  }
  await using writer = await connect(["--docker-host", HOST, "--allow", "swarm", "--no-confirm"], {
    denoFlags: grant(),
  });
  const names = (await writer.client.listTools()).tools.map((t) => t.name);
  assert.deepEqual(CHANGING.filter((n) => !names.includes(n)), []);
  const name = `bt-e2e-config-${Date.now().toString(36)}`;
  await callTool(writer, "docker_create_config", {
    name,
    data: "from e2e\n",
    labels: { "berth.test": "swarm" },
  });
  const shown = await callTool(writer, "docker_inspect_config", { name });
  assert.equal((shown.structuredContent as { data: string }).data, "from e2e\n");
  await callTool(writer, "docker_remove_config", { name });
});
