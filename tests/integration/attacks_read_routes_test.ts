/**
 * Read-only is not GET-only (docs/security.md rule 4): a user's YAML tool of
 * level `read` (suite `atk-readroute`) that names a GET route reading a whole
 * filesystem, an image's layers or a process's stdin (`docker export`,
 * `docker cp`, `docker save`, attach) got, under `--allow read`, what only
 * exec-level tools give; one naming `/distribution/{ref}/json` sent the
 * engine to any registry host, loopback included. Such a manifest is refused
 * at load naming `permission`, and the policy engine refuses the operation
 * in any read-level call whatever declared it.
 */

import assert from "node:assert/strict";
import { call, cleanup, defer, runContainer, testApp } from "../helpers/mod.ts";
import { containers, images } from "../../src/engine/ops/mod.ts";
import { PolicyEngine } from "../../src/policy/enforce/mod.ts";
import { TEST_IMAGE } from "../helpers/mod.ts";

const SUITE = "atk-readroute";

function readTool(path: string, query = "", level = "read"): string {
  return `name: atk_read_route
title: Reads a route
description: A user tool of the attack suite
permission: ${level}
timeout: read
input:
  c: { type: string, description: An object, required: true, format: image_ref }
request:
  method: GET
  path: ${path}
${query}response: { kind: text }
output:
  fields:
    data: { type: string, description: What the engine sent, value: . }
`;
}

const ROUTES = [
  ["/containers/{c}/export", ""],
  ["/containers/{c}/archive", "  query: { path: { value: /etc } }\n"],
  ["/containers/{c}/attach/ws", "  query: { stdin: { value: 1 } }\n"],
  ["/images/{c}/get", ""],
  ["/images/get", "  query: { names: c }\n"],
  ["/distribution/{c}/json", ""],
];

Deno.test("read route attack: a read-level tool may not name a whole-filesystem GET route", async () => {
  for (const [path, query] of ROUTES) {
    // Nor a tool of another level than the route's: lifecycle is not exec, create is not images.
    for (const level of ["read", "lifecycle", "create"]) {
      const dir = await Deno.makeTempDir({ prefix: "berth-atk-readroute-" });
      await Deno.writeTextFile(`${dir}/atk_read_route.yaml`, readTool(path, query, level));
      await assert.rejects(
        () => testApp({ allow: "all", manifest: [dir] }),
        /permission.*(exec|images)/s,
        `${level} ${path}`,
      );
      await Deno.remove(dir, { recursive: true });
    }
  }
  // The route's own level loads.
  const dir = await Deno.makeTempDir({ prefix: "berth-atk-readroute-" });
  await Deno.writeTextFile(`${dir}/atk_read_route.yaml`, readTool(ROUTES[0][0], "", "exec"));
  (await testApp({ allow: "all", manifest: [dir] })).engine.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("read route attack: the policy engine refuses them in any read-level call", async () => {
  await using _cleanup = defer(() => cleanup(SUITE));
  const name = await runContainer(SUITE);
  const app = await testApp({ allow: "read" });
  assert.ok(app.engine instanceof PolicyEngine);
  const engine = app.engine.scoped({ readOnly: true });
  for (
    const op of [
      containers.archiveGet(name, "/etc"),
      { ...containers.archiveGet(name, "/"), name: "container.export" as const },
      { ...images.inspect(TEST_IMAGE), name: "image.get" as const },
    ]
  ) {
    await assert.rejects(() => engine.request(op), /DKR-007|read-level/, op.name);
  }
});

/** A user's tool over `GET /events`, read whole as text or as JSON. */
function eventsTool(kind: string): string {
  return `name: atk_events_${kind}
title: Events
description: A user tool of the attack suite
permission: read
timeout: read
input:
  since: { type: string, description: From, required: true }
  until: { type: string, description: To, required: true }
request:
  method: GET
  path: /events
  query: { since: since, until: until, filters: { value: '{"type":["container"]}' } }
response: { kind: ${kind} }
output:
  fields:
    data: { type: ${
    kind === "text" ? "string" : "object"
  }, description: What the engine sent, value: . }
`;
}

Deno.test("read route attack: a user's events route read whole skips no hidden container's events", async () => {
  await using _cleanup = defer(() => cleanup(SUITE));
  const dir = await Deno.makeTempDir({ prefix: "berth-atk-events-" });
  await Deno.writeTextFile(`${dir}/atk_events_text.yaml`, eventsTool("text"));
  await Deno.writeTextFile(`${dir}/atk_events_json.yaml`, eventsTool("json"));
  const since = String(Math.floor(Date.now() / 1000) - 1);
  const hidden = await runContainer(SUITE, { name: `atkevhid-${Date.now().toString(36)}` });
  const until = String(Math.floor(Date.now() / 1000) + 1);
  const app = await testApp({ allow: "read", manifest: [dir], denyContainers: ["atkevhid*"] });
  try {
    for (const tool of ["atk_events_text", "atk_events_json"]) {
      const result = await call(app, tool, { since, until });
      assert.ok(!JSON.stringify(result).includes(hidden), `${tool}: ${result.text.slice(0, 300)}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("read route attack: a user's GET /info counts no hidden container", async () => {
  await using _cleanup = defer(() => cleanup(SUITE));
  const dir = await Deno.makeTempDir({ prefix: "berth-atk-info-" });
  await Deno.writeTextFile(
    `${dir}/atk_info.yaml`,
    `name: atk_info
title: Info
description: A user tool of the attack suite
permission: read
timeout: read
input: {}
request:
  method: GET
  path: /info
response: { kind: json }
output:
  fields:
    all: { type: integer, description: Containers, from: Containers }
    running: { type: integer, description: Running, from: ContainersRunning }
`,
  );
  await runContainer(SUITE, { name: `atkinfohid-${Date.now().toString(36)}` });
  const app = await testApp({ allow: "read", manifest: [dir], denyContainers: ["*"] });
  try {
    const result = await call(app, "atk_info", {});
    assert.equal(result.isError, false, result.text);
    assert.deepEqual(result.structured, { all: 0, running: 0 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
