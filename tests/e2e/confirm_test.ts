/**
 * Confirmation of calls that cannot be undone over MCP (suite
 * `attacks-confirm`): a client that declared the elicitation capability is
 * asked through `elicitation/create` (form mode, one boolean `confirm` field);
 * only an explicit accept with `confirm: true` lets the call run; exec and
 * copy_to are not asked about. A client without
 * the capability is not asked; `--no-confirm` never asks.
 */

import assert from "node:assert/strict";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/types"
import { CallToolResultSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import {
  cleanup,
  defer,
  docker,
  removeLabelled,
  runContainer,
  TEST_IMAGE,
} from "../helpers/mod.ts";
import { connect, SPAWN_TEST } from "./_mcp.ts";

const SUITE = "attacks-confirm";

type Answer = { action: "accept" | "decline" | "cancel"; content?: Record<string, unknown> };

/**
 * berth with `--allow all` and `args`; a client that declares elicitation
 * when it has `answers` (given in turn, then "cancel"), recording what it was asked.
 */
async function session(args: string[], answers?: Answer[]) {
  const asked: { message: string; requestedSchema: unknown }[] = [];
  const spawned = await connect(["--allow", "all", ...args], {
    name: "berth-e2e-confirm",
    capabilities: answers ? { elicitation: { form: {} } } : {},
    handlers: (client) => {
      if (!answers) return;
      client.setRequestHandler(ElicitRequestSchema, (request) => {
        const params = request.params as { message: string; requestedSchema: unknown };
        asked.push({ message: params.message, requestedSchema: params.requestedSchema });
        return answers.shift() ?? { action: "cancel" };
      });
    },
  });
  const call = async (name: string, args: Record<string, unknown>) =>
    await spawned.client.request(
      { method: "tools/call", params: { name, arguments: args } },
      CallToolResultSchema,
    );
  const remove = (container: string) =>
    call("docker_remove_container", { container_id: container, force: true });
  return { ...spawned, asked, call, remove };
}

async function exists(name: string): Promise<boolean> {
  return (await docker("ps", "-a", "-q", "--filter", `name=^/${name}$`)) !== "";
}

Deno.test({
  name: "attacks: confirm: a destructive call runs only on an explicit yes (elicitation/create)",
  ...SPAWN_TEST,
  async fn() {
    await cleanup(SUITE);
    await using _cleanup = defer(() => cleanup(SUITE));
    const name = await runContainer(SUITE);
    await using s = await session([], [
      { action: "decline" },
      { action: "accept", content: { confirm: false } },
      { action: "cancel" },
      { action: "accept", content: { confirm: true } },
    ]);
    // Exec and copy_to are marked destructive but are not removals: never asked.
    const exec = await s.call("docker_exec_command", { container_id: name, command: ["true"] });
    assert.equal(exec.isError, undefined, JSON.stringify(exec.content));
    const copy = await s.call("docker_copy_to_container", {
      container_id: name,
      path: "/tmp",
      files: [{ name: "confirm.txt", content: "x" }],
    });
    assert.equal(copy.isError, undefined, JSON.stringify(copy.content));
    assert.equal(s.asked.length, 0, "exec and copy_to do not ask");
    for (let i = 0; i < 3; i++) {
      const result = await s.remove(name);
      assert.equal(result.isError, true);
      assert.match(JSON.stringify(result.content), /Cancelled by the user/);
      assert.equal(await exists(name), true, `answer ${i} is not a yes`);
    }
    const result = await s.remove(name);
    assert.equal(result.isError, undefined, JSON.stringify(result.content));
    assert.equal(await exists(name), false);
    assert.equal(s.asked.length, 4);
    const schema = s.asked[0].requestedSchema as { properties: Record<string, { type: string }> };
    assert.deepEqual(
      Object.keys(schema.properties),
      ["confirm"],
      "nothing but a yes/no is asked",
    );
    assert.equal(schema.properties.confirm.type, "boolean");
    assert.match(s.asked[0].message, new RegExp(name));
  },
});

Deno.test({
  name: "attacks: confirm: clients without elicitation, and --no-confirm, are not asked",
  ...SPAWN_TEST,
  async fn() {
    await cleanup(SUITE);
    await using _cleanup = defer(() => cleanup(SUITE));
    await using plain = await session([]);
    await using off = await session(["--no-confirm"], []);
    const a = await runContainer(SUITE);
    assert.equal((await plain.remove(a)).isError, undefined);
    assert.equal(await exists(a), false);
    const b = await runContainer(SUITE);
    assert.equal((await off.remove(b)).isError, undefined);
    assert.equal(await exists(b), false);
    assert.equal(off.asked.length, 0, "--no-confirm never asks");
  },
});

Deno.test({
  name:
    "attacks: confirm: compose up asks before it removes (orphans, a recreated service); a no removes nothing",
  ...SPAWN_TEST,
  async fn() {
    const project = `berth-confirm-${Date.now().toString(36)}`;
    const service = (name: string, command: string) =>
      `  ${name}:\n    image: ${TEST_IMAGE}\n    command: [sh, -c, "${command}"]\n` +
      `    labels: {berth.test: ${SUITE}}\n`;
    await using _cleanup = defer(() => removeLabelled(`com.docker.compose.project=${project}`));
    await using s = await session([], []); // every question is answered "cancel"
    const ids = async () =>
      Object.fromEntries(
        (await docker(
          "ps",
          "-a",
          "--filter",
          `label=com.docker.compose.project=${project}`,
          "--format",
          '{{.Label "com.docker.compose.service"}} {{.ID}} {{.State}}',
        )).split("\n").filter(Boolean).map((
          l,
        ) => [l.split(" ")[0], l.split(" ").slice(1).join(" ")]),
      );
    const up = await s.call("docker_compose_up", {
      project_name: project,
      compose_yaml: `services:\n${service("a", "sleep 600")}${service("b", "sleep 600")}`,
    });
    assert.equal(up.isError, undefined, JSON.stringify(up.content));
    assert.equal(s.asked.length, 0, "creating asks nothing");
    const before = await ids();
    assert.deepEqual(Object.keys(before).sort(), ["a", "b"]);

    const orphans = await s.call("docker_compose_up", {
      project_name: project,
      compose_yaml: `services:\n${service("a", "sleep 600")}`,
      remove_orphans: true,
    });
    assert.match(JSON.stringify(orphans.content), /Cancelled by the user/);
    assert.equal(s.asked.length, 1, "asked before the call started");
    assert.deepEqual(await ids(), before, "the orphan is still there");

    const changed = await s.call("docker_compose_up", {
      project_name: project,
      compose_yaml: `services:\n${service("a", "sleep 601")}${service("b", "sleep 600")}`,
    });
    assert.match(JSON.stringify(changed.content), /Cancelled by the user/);
    assert.equal(s.asked.length, 2);
    assert.match(s.asked[1].message, /is about to remove container/);
    assert.deepEqual(await ids(), before, "the old container is neither removed nor stopped");
  },
});

Deno.test({
  name:
    "attacks: confirm: stopping a container started with auto-remove (--rm) removes it, so it asks; a plain stop does not",
  ...SPAWN_TEST,
  async fn() {
    await cleanup(SUITE);
    await using _cleanup = defer(() => cleanup(SUITE));
    await using s = await session([], [{ action: "decline" }, {
      action: "accept",
      content: { confirm: true },
    }]);
    const removable = await runContainer(SUITE, { args: ["--rm"] });
    const declined = await s.call("docker_stop_container", {
      container_id: removable,
      timeout: 0,
    });
    assert.equal(declined.isError, true, JSON.stringify(declined.content));
    assert.match(JSON.stringify(declined.content), /DKR-007|Cancelled by the user/);
    assert.equal(
      await docker("inspect", "-f", "{{.State.Running}}", removable),
      "true",
      "a no leaves it running",
    );
    assert.match(s.asked[0].message, /auto-remove/);

    const accepted = await s.call("docker_kill_container", { container_id: removable });
    assert.equal(accepted.isError, undefined, JSON.stringify(accepted.content));

    const plain = await runContainer(SUITE);
    const stopped = await s.call("docker_stop_container", { container_id: plain, timeout: 0 });
    assert.equal(stopped.isError, undefined, JSON.stringify(stopped.content));
    assert.equal(s.asked.length, 2, "the plain stop was not asked about");
    assert.equal(await exists(plain), true);
  },
});
