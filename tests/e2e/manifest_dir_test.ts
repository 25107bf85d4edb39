/**
 * `--manifest DIR`: a user's YAML tool for an engine route berth does not
 * ship, served by the spawned server and called over MCP. Also proves the
 * SDK client's outputSchema validation is active, and that levels apply to
 * user tools as to built-ins.
 */

import assert from "node:assert/strict";
import { type TempDir, tempDir } from "../helpers/temp_dir.ts";
import { cleanup, defer, runContainer } from "../helpers/mod.ts";
import { builtinApp } from "../tools/catalog.ts";
import {
  callExpectingError,
  callTool,
  codeOf,
  connect,
  readAlso,
  run,
  serveArgs,
  SPAWN_TEST,
} from "./_mcp.ts";

const SUITE = "e2e-manifest";
const ROUTE = "/containers/{container_id}/changes";

const CHANGES = `name: probe_container_changes
title: Filesystem changes
description: Files changed in a container since it was created, like \`docker diff\`.
permission: read
timeout: read
input:
  container_id: { type: string, description: Container name or ID, required: true, format: name_or_id }
request:
  method: GET
  path: ${ROUTE}
  target: { container: container_id }
response:
  kind: json
  errors: { 404: container_not_found }
output:
  list: changes
  fields:
    path: { type: string, description: Changed path, from: Path }
    kind: { type: integer, description: "0 changed, 1 added, 2 deleted", from: Kind }
  header: KIND PATH
  text: "{kind} {path}"
`;

/** The same route with an output schema the answer cannot match. */
const MISDECLARED = CHANGES.replace("probe_container_changes", "probe_misdeclared_changes")
  .replace(
    /output:[\s\S]*$/,
    `output:
  fields:
    first_kind: { type: string, description: Declared a string; the engine answers a number, from: "0.Kind" }
`,
  );

const PAUSE = `name: probe_pause
title: Pause (user tool)
description: Pause a container.
permission: lifecycle
timeout: lifecycle
input:
  container_id: { type: string, description: Container name or ID, required: true, format: name_or_id }
request:
  method: POST
  path: /containers/{container_id}/pause
  target: { container: container_id }
response:
  kind: empty
output:
  schema:
    paused: { type: boolean, description: True when paused }
`;

function manifestDir(): TempDir {
  return tempDir("berth-e2e-manifest-", {
    "probe_container_changes.yaml": CHANGES,
    "probe_misdeclared_changes.yaml": MISDECLARED,
    "probe_pause.yaml": PAUSE,
  });
}

Deno.test("e2e --manifest: no built-in tool uses the probe's route", async () => {
  const app = await builtinApp();
  app.engine.close();
  const users = app.allTools.filter((t) => t.request?.path === ROUTE).map((t) => t.name);
  assert.deepEqual(users, [], "pick another route for this test");
});

Deno.test("e2e --manifest: a user's YAML tool is listed and called", SPAWN_TEST, async (t) => {
  using dir = manifestDir();
  await cleanup(SUITE);
  await using _cleanup = defer(() => cleanup(SUITE));
  const container = await runContainer(SUITE, {
    args: ["--network", "none"],
    command: ["sh", "-c", "touch /tmp/berth-probe; sleep 3600"],
  });
  await using session = await connect(["--manifest", dir.path, "--output-schemas"], {
    denoFlags: readAlso([dir.path]),
  });
  const { tools } = await session.client.listTools();
  const names = tools.map((x) => x.name);

  await t.step("the user tools of granted levels are listed", () => {
    assert.ok(names.includes("probe_container_changes"), names.join(", "));
    assert.ok(!names.includes("probe_pause"), "a lifecycle tool on a read-only server");
  });

  await t.step("calling it reaches the engine route and shapes the answer", async () => {
    let result;
    for (let attempt = 0; attempt < 50; attempt++) {
      result = await callTool(session, "probe_container_changes", { container_id: container });
      const changes = result.structuredContent?.changes as { path: string }[] | undefined;
      if (changes?.some((c) => c.path === "/tmp/berth-probe")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(result && !result.isError, result?.content[0]?.text);
    const changes = result.structuredContent!.changes as { path: string; kind: number }[];
    assert.deepEqual(changes.find((c) => c.path === "/tmp/berth-probe"), {
      path: "/tmp/berth-probe",
      kind: 1,
    });
    assert.equal(result.structuredContent!.count, changes.length);
    assert.match(result.content[0].text!, /^\d+ changes\nKIND PATH\n/);
    assert.match(result.content[0].text!, /^1 +\/tmp\/berth-probe$/m);
  });

  await t.step("user tools get the same id checks and error mapping", async () => {
    const hostile = await callExpectingError(session, "probe_container_changes", {
      container_id: "../../info",
    });
    assert.equal(codeOf(hostile), "DKR-004");
    const missing = await callExpectingError(session, "probe_container_changes", {
      container_id: "berth-e2e-no-such-container",
    });
    assert.equal(codeOf(missing), "DKR-002", missing.content[0]?.text);
  });

  await t.step("the SDK client rejects output that does not match the outputSchema", async () => {
    await assert.rejects(
      () => callTool(session, "probe_misdeclared_changes", { container_id: container }),
      /output schema/,
    );
  });

  await t.step("a user tool of a level not granted answers DKR-007", async () => {
    const result = await callExpectingError(session, "probe_pause", { container_id: container });
    assert.equal(codeOf(result), "DKR-007", result.content[0]?.text);
    assert.match(result.content[0]?.text ?? "", /'lifecycle'/);
  });
});

Deno.test("e2e --manifest: a directory the sandbox refuses names the permission", async () => {
  using dir = manifestDir();
  const { code, stdout, stderr } = await run(Deno.execPath(), serveArgs(["--manifest", dir.path]));
  assert.equal(code, 2, stderr);
  assert.equal(stdout, "", "nothing on stdout");
  assert.ok(stderr.includes(`--allow-read=${dir.path}`), stderr);
  // setup --manifest grants and keeps loading it; setup --read would drop the --manifest.
  assert.ok(stderr.includes(`berth setup CLIENT --manifest ${dir.path}'`), stderr);
});
