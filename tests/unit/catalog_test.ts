/**
 * Annotations derived from permission and method, and the catalogue a
 * session sees: filtered by levels and toolsets, in a fixed order.
 */

import {
  type AnyOperation,
  containers,
  describeOperation,
  images,
  volumes,
} from "../../src/engine/ops/mod.ts";
import assert from "node:assert/strict";
import {
  compareNames,
  nearestToolName,
  orderTools,
  unknownToolError,
  unknownToolsets,
  visibleTools,
} from "../../src/catalog/mod.ts";
import { annotationsFor } from "../../src/interpreter/annotations.ts";
import { needsConfirmation } from "../../src/interpreter/call_guard.ts";
import { confirmingRemovals } from "../../src/interpreter/confirm_removals.ts";
import { removalOf } from "../../src/docker/removals.ts";
import { loadManifests } from "../../src/manifest/mod.ts";
import type { Level, ToolsetSpec, ToolSpec } from "../../src/manifest/types.ts";

function tool(
  name: string,
  permission: Level,
  toolset: string,
  method?: "GET" | "POST" | "PUT" | "DELETE",
): ToolSpec {
  return {
    name,
    title: name,
    description: name,
    permission,
    timeout: "read",
    toolset,
    input: {},
    ...(method ? { request: { method, path: "/x" } } : { handler: "h" }),
    output: { schema: {} },
    source: "test",
  };
}

Deno.test("annotations: every built-in read tool is read-only, never destructive", async () => {
  const { tools } = await loadManifests();
  const read = tools.filter((t) => t.permission === "read");
  assert.ok(read.length > 0);
  for (const spec of read) {
    const a = annotationsFor(spec);
    assert.equal(a.readOnlyHint, true, spec.name);
    assert.equal(a.destructiveHint, false, spec.name);
    assert.equal(a.idempotentHint, true, spec.name);
    assert.deepEqual(Object.keys(a).sort(), [
      "destructiveHint",
      "idempotentHint",
      "openWorldHint",
      "readOnlyHint",
    ]);
  }
});

Deno.test("annotations: every built-in DELETE route is destructive and not read-only", async () => {
  const { tools } = await loadManifests();
  for (const spec of tools.filter((t) => t.request?.method === "DELETE")) {
    const a = annotationsFor(spec);
    assert.equal(a.readOnlyHint, false, spec.name);
    assert.equal(a.destructiveHint, true, spec.name);
  }
  // Whatever the built-ins are today, the rule holds for any DELETE route.
  const a = annotationsFor(tool("docker_remove_thing", "create", "containers", "DELETE"));
  assert.deepEqual(
    [a.readOnlyHint, a.destructiveHint, a.idempotentHint],
    [false, true, true],
  );
});

Deno.test("annotations: write tools by verb", () => {
  const cases: [ToolSpec, boolean, boolean][] = [
    // [spec, destructive, idempotent]
    [tool("docker_start_container", "lifecycle", "containers", "POST"), false, true],
    [tool("docker_kill_container", "lifecycle", "containers", "POST"), true, false],
    [tool("docker_prune_images", "images", "images", "POST"), true, false],
    [tool("docker_system_prune", "system", "system"), true, false],
    [tool("docker_create_volume", "volumes", "volumes", "POST"), false, false],
    [tool("docker_compose_down", "create", "compose"), true, true],
    [tool("docker_put_archive", "exec", "containers", "PUT"), false, true],
  ];
  for (const [spec, destructive, idempotent] of cases) {
    const a = annotationsFor(spec);
    assert.equal(a.readOnlyHint, false, spec.name);
    assert.equal(a.destructiveHint, destructive, `${spec.name} destructive`);
    assert.equal(a.idempotentHint, idempotent, `${spec.name} idempotent`);
  }
  // A read tool is never destructive, whatever its name says.
  assert.equal(
    annotationsFor(tool("docker_remove_preview", "read", "x", "GET")).destructiveHint,
    false,
  );
});

Deno.test("annotations: a read-declared route that changes the engine is not read-only", () => {
  // The loader refuses this pairing; a spec built another way still gets honest hints.
  const remove = annotationsFor(tool("docker_sneaky_remove", "read", "x", "DELETE"));
  assert.deepEqual([remove.readOnlyHint, remove.destructiveHint], [false, true]);
  const pause = annotationsFor(tool("docker_sneaky_pause", "read", "x", "POST"));
  assert.equal(pause.readOnlyHint, false);
  assert.equal(needsConfirmation(tool("docker_sneaky_remove", "read", "x", "DELETE")), true);
});

Deno.test("confirmation: asked before remove, prune, kill, system prune, compose down and stack remove only", async () => {
  const { tools } = await loadManifests();
  const asked = tools.filter((t) => needsConfirmation(t)).map((t) => t.name).sort();
  assert.deepEqual(asked, [
    "docker_compose_down",
    "docker_kill_container",
    "docker_prune_containers",
    "docker_prune_images",
    "docker_prune_networks",
    "docker_prune_volumes",
    "docker_remove_config",
    "docker_remove_container",
    "docker_remove_image",
    "docker_remove_network",
    "docker_remove_secret",
    "docker_remove_service",
    "docker_remove_volume",
    "docker_stack_remove",
    "docker_system_prune",
  ]);
  for (const spec of tools.filter((t) => needsConfirmation(t))) {
    assert.equal(annotationsFor(spec).destructiveHint, true, `${spec.name} is destructive too`);
  }
  // Exec and copy_to may destroy (the hint stays) but are not asked about.
  for (const name of ["docker_exec_command", "docker_copy_to_container"]) {
    const spec = tools.find((t) => t.name === name)!;
    assert.equal(annotationsFor(spec).destructiveHint, true, `${name} keeps destructiveHint`);
    assert.equal(needsConfirmation(spec), false, `${name} is not confirmed`);
  }
  // Any DELETE route is asked about, whatever its name; a read tool never is.
  assert.equal(needsConfirmation(tool("docker_drop_thing", "create", "x", "DELETE")), true);
  assert.equal(needsConfirmation(tool("docker_remove_preview", "read", "x", "GET")), false);
  // Arguments that remove: compose up with remove_orphans is asked before it starts.
  const up = tools.find((t) => t.name === "docker_compose_up")!;
  assert.equal(needsConfirmation(up, { remove_orphans: true }), true);
  assert.equal(needsConfirmation(up, { remove_orphans: false }), false);
});

Deno.test("confirmation backstop: a removal the call did not announce waits for a yes", async () => {
  const sent: string[] = [];
  const engine = {
    json: (op: AnyOperation) => {
      sent.push(describeOperation(op));
      return Promise.resolve(op.name === "container.create" ? { Id: "new1" } : {});
    },
    request: (op: AnyOperation) => {
      sent.push(describeOperation(op));
      return Promise.resolve(new Response(null));
    },
  };
  const asked: string[] = [];
  const no = confirmingRemovals(engine, (what) => {
    asked.push(what);
    return Promise.resolve(false);
  });
  await no.json(containers.create({}));
  await no.request(containers.remove("new1")); // made by this call: not asked
  await assert.rejects(no.request(containers.remove("old/web")), /Cancelled by the user/);
  await assert.rejects(no.json(volumes.prune()), /Cancelled/);
  assert.deepEqual(asked, ["container old/web"], "one question per call");
  assert.deepEqual(sent, ["POST /containers/create", "DELETE /containers/new1"]);
  const yes = confirmingRemovals(engine, () => Promise.resolve(true));
  await yes.request(images.remove("x"));
  assert.equal(sent.at(-1), "DELETE /images/x");
  assert.equal(removalOf(containers.prune()), "unused containers (prune)");
  assert.equal(removalOf(containers.inspect("x")), undefined);
  assert.equal(removalOf(images.remove("library/nginx")), "image library/nginx");
});

const TOOLSETS: ToolsetSpec[] = [
  { name: "system", description: "s", order: 60 },
  { name: "containers", description: "c", order: 10 },
  { name: "images", description: "i", order: 30 },
];
const TOOLS = [
  tool("docker_version", "read", "system"),
  tool("docker_stop_container", "lifecycle", "containers", "POST"),
  tool("docker_pull_image", "images", "images", "POST"),
  tool("docker_list_images", "read", "images", "GET"),
  tool("docker_list_containers", "read", "containers", "GET"),
  tool("my_custom_tool", "read", "custom", "GET"),
  tool("docker_system_prune", "system", "system", "POST"),
];

const names = (tools: ToolSpec[]) => tools.map((t) => t.name);

Deno.test("catalog: fixed order by toolset order, then name; unknown toolsets last", () => {
  const expected = [
    "docker_list_containers",
    "docker_stop_container",
    "docker_list_images",
    "docker_pull_image",
    "docker_system_prune",
    "docker_version",
    "my_custom_tool",
  ];
  assert.deepEqual(names(orderTools(TOOLS, TOOLSETS)), expected);
  assert.deepEqual(names(orderTools([...TOOLS].reverse(), TOOLSETS)), expected);
});

Deno.test("catalog: only granted levels are listed", () => {
  const readOnly = visibleTools(TOOLS, TOOLSETS, { allowsLevel: (l) => l === "read" });
  assert.deepEqual(names(readOnly), [
    "docker_list_containers",
    "docker_list_images",
    "docker_version",
    "my_custom_tool",
  ]);
  const withImages = visibleTools(TOOLS, TOOLSETS, {
    allowsLevel: (l) => l === "read" || l === "images",
  });
  assert.ok(names(withImages).includes("docker_pull_image"));
  assert.ok(!names(withImages).includes("docker_stop_container"));
  assert.equal(visibleTools(TOOLS, TOOLSETS, { allowsLevel: () => true }).length, TOOLS.length);
});

Deno.test("catalog: the toolsets filter combines with levels", () => {
  const chosen = visibleTools(TOOLS, TOOLSETS, {
    allowsLevel: () => true,
    toolsets: ["system", "containers"],
  });
  assert.deepEqual(names(chosen), [
    "docker_list_containers",
    "docker_stop_container",
    "docker_system_prune",
    "docker_version",
  ]);
  const readSystem = visibleTools(TOOLS, TOOLSETS, {
    allowsLevel: (l) => l === "read",
    toolsets: ["system"],
  });
  assert.deepEqual(names(readSystem), ["docker_version"]);
  assert.deepEqual(visibleTools(TOOLS, TOOLSETS, { allowsLevel: () => true, toolsets: [] }), []);
});

Deno.test("catalog: unknown toolsets are reported", () => {
  assert.deepEqual(unknownToolsets(["system", "contaners", "x"], TOOLSETS), ["contaners", "x"]);
  assert.deepEqual(unknownToolsets([], TOOLSETS), []);
});

Deno.test("nearest tool name: words in another order, a missing prefix, else nothing", () => {
  const names = [
    "docker_container_top",
    "docker_list_containers",
    "docker_container_logs",
    "docker_remove_image",
  ];
  assert.equal(nearestToolName("docker_top_container", names), "docker_container_top");
  assert.equal(nearestToolName("list_containers", names), "docker_list_containers");
  assert.equal(nearestToolName("docker_logs_container", names), "docker_container_logs");
  assert.equal(nearestToolName("docker_nope", names), undefined);
  assert.equal(nearestToolName("docker_image_remove_all_tags_now", names), undefined, "too far");
});

Deno.test("unknown tool error: DKR-004 naming the tool; the hint guesses, then says where the list is", () => {
  const names = ["docker_container_top", "docker_list_containers"];
  const list = "list the tools with tools/list";
  const guessed = unknownToolError("list_containers", names, list);
  assert.equal(guessed.code, "DKR-004");
  assert.equal(guessed.message, "Unknown tool 'list_containers'");
  assert.equal(
    guessed.hint,
    "Did you mean docker_list_containers? Otherwise list the tools with tools/list",
  );
  assert.equal(unknownToolError("docker_nope", names, list).hint, "List the tools with tools/list");
});

Deno.test("catalog: compareNames orders names as localeCompare does, without the collator", () => {
  // Every pair of short names over _, digits and letters, where the collator's order and the
  // code points' differ ('_' sorts before digits for the collator, after them in ASCII).
  const alphabet = ["_", "0", "1", "9", "a", "b", "z"];
  const names = [""];
  for (let length = 0; length < 3; length++) {
    for (const name of [...names]) for (const c of alphabet) names.push(name + c);
  }
  const unique = [...new Set(names)];
  for (const a of unique) {
    for (const b of unique) {
      assert.equal(Math.sign(compareNames(a, b)), Math.sign(a.localeCompare(b)), `${a} / ${b}`);
    }
  }
  assert.equal(compareNames("Docker-x", "docker_x"), "Docker-x".localeCompare("docker_x"));
});
