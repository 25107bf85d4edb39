/**
 * `--dynamic-toolsets` as users run it: the SDK client sees the read tools and
 * docker_toolsets, enables a toolset, hears `notifications/tools/list_changed`
 * and lists again. Only levels the operator granted are ever added.
 */

import assert from "node:assert/strict";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/types"
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { builtinApp } from "../tools/catalog.ts";
import {
  callExpectingError,
  callExpectingSuccess,
  callTool,
  codeOf,
  connect,
  SPAWN_TEST,
} from "./_mcp.ts";

const lifecycle = await builtinApp({ allow: "lifecycle" });
lifecycle.engine.close();
const names = (tools: { name: string }[]) => tools.map((t) => t.name);

Deno.test("e2e: --dynamic-toolsets starts small and grows on request", SPAWN_TEST, async () => {
  await using session = await connect(["--dynamic-toolsets", "--allow", "lifecycle"]);
  const { client } = session;
  assert.equal(client.getServerCapabilities()?.tools?.listChanged, true);
  let changes = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changes++;
  });

  const first = names((await client.listTools()).tools);
  const readTools = lifecycle.tools.filter((t) => t.permission === "read").map((t) => t.name);
  assert.deepEqual(first, ["docker_toolsets", ...readTools]);

  // A granted tool of a toolset not enabled yet: the error says how to enable it.
  const early = await callExpectingError(session, "docker_start_container", {
    container_id: "berth-e2e-dyn-missing",
  });
  assert.equal(codeOf(early), "DKR-007", early.content[0]?.text);
  assert.match(early.content[0]?.text ?? "", /docker_toolsets.*"enable": "containers"/);

  const report = await callTool(session, "docker_toolsets");
  const rows = report.structuredContent?.toolsets as { name: string; available: number }[];
  const lifecycleTools = lifecycle.tools.filter((t) => t.permission === "lifecycle");
  assert.equal(
    rows.find((r) => r.name === "containers")?.available,
    lifecycleTools.filter((t) => t.toolset === "containers").length,
  );

  const enabled = await callExpectingSuccess(session, "docker_toolsets", { enable: "containers" });
  const added = enabled.structuredContent?.added as string[];
  assert.ok(added.includes("docker_start_container"), added.join(","));
  assert.ok(!added.includes("docker_create_container"), "create is not granted");

  const second = names((await client.listTools()).tools);
  assert.equal(changes, 1, "one notifications/tools/list_changed");
  assert.deepEqual(second.toSorted(), [...first, ...added].toSorted());
  const offered = lifecycle.tools.map((t) => t.name);
  for (const name of second.slice(1)) assert.ok(offered.includes(name), name);

  // Now callable: a missing container is the engine's answer, not a refusal.
  const started = await callExpectingError(session, "docker_start_container", {
    container_id: "berth-e2e-dyn-missing",
  });
  assert.equal(codeOf(started), "DKR-002", started.content[0]?.text);

  // Images adds nothing at these levels: said, and the list does not change.
  const images = await callExpectingError(session, "docker_toolsets", { enable: "images" });
  assert.equal(codeOf(images), "DKR-007", images.content[0]?.text);
  assert.match(images.content[0]?.text ?? "", /--allow images/);
  const bad = await callExpectingError(session, "docker_toolsets", { enable: "nope" });
  assert.equal(codeOf(bad), "DKR-004");
  assert.deepEqual(names((await client.listTools()).tools), second);
  assert.equal(changes, 1);
});
