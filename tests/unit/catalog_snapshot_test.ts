/**
 * The catalogue snapshot: one JSON file per tool holding its exact tools/list
 * entry (full catalogue, `--allow all --output-schemas`: the default entry
 * leaves out the title and outputSchema), plus catalogue-wide checks that
 * every tool must pass whoever wrote it.
 */

import assert from "node:assert/strict";
import type { JsonSchema } from "../../src/interpreter/input.ts";
import { BUILTIN_MANIFEST_DIR } from "../../src/manifest/mod.ts";
import { SEVERAL_ENGINES_HANDLERS } from "../../src/interpreter/engines.ts";
import { annotationsFor } from "../../src/interpreter/annotations.ts";
import {
  builtinApp,
  fullCatalog,
  listText,
  readSnapshots,
  snapshotText,
  tokens,
  UPDATE_COMMAND,
} from "../tools/catalog.ts";

/**
 * Ceilings on the tools/list answer as a client gets it by default (o200k
 * tokens): the full catalogue (`--allow all`) and the default read set. The
 * bench prints the same figures beside these targets.
 */
// The swarm toolset (24 tools) adds about 2,210 to the full set and 840 (its 13 reads) to the read set.
const TOKEN_BUDGET = { full: 8250, read: 2650 };
/** Issue 13's targets, for the catalogue without swarm (its 51 tools): 6,000 and 1,800. */
const CORE_BUDGET = { full: 6000, read: 1800 };

const { app, definitions } = await fullCatalog();
app.engine.close();
const specs = new Map(app.allTools.map((t) => [t.name, t]));

/** Where two texts first differ, as `line N: - old | + new`. */
function firstDifference(before: string, after: string): string {
  const a = before.split("\n");
  const b = after.split("\n");
  const i = a.findIndex((line, n) => line !== b[n]);
  const at = i < 0 ? a.length : i;
  return `line ${at + 1}: - ${(a[at] ?? "").trim()} | + ${(b[at] ?? "").trim()}`;
}

Deno.test("catalogue snapshot: every tools/list entry matches tests/snapshots/tools", () => {
  const snapshots = readSnapshots();
  const problems: string[] = [];
  for (const definition of definitions) {
    const stored = snapshots.get(definition.name);
    if (stored === undefined) problems.push(`missing: ${definition.name}.json`);
    else if (stored !== snapshotText(definition)) {
      problems.push(
        `changed: ${definition.name} (${firstDifference(stored, snapshotText(definition))})`,
      );
    }
    snapshots.delete(definition.name);
  }
  for (const name of snapshots.keys()) problems.push(`extra: ${name}.json (no such tool)`);
  if (problems.length) {
    assert.fail(
      `The catalogue differs from its snapshot:\n  ${problems.join("\n  ")}\n` +
        `If the change is intended, run: ${UPDATE_COMMAND}`,
    );
  }
});

Deno.test("catalogue: names are unique docker_* names, all from built-in manifests", () => {
  assert.ok(definitions.length > 0);
  const seen = new Set<string>();
  for (const { name } of definitions) {
    assert.ok(!seen.has(name), `${name} is listed twice`);
    seen.add(name);
    assert.match(name, /^docker_[a-z][a-z0-9_]*$/);
    const source = specs.get(name)?.source ?? "";
    assert.ok(source.startsWith(BUILTIN_MANIFEST_DIR.pathname), `${name} comes from ${source}`);
  }
  // docker_list_engines is listed only with several engines (tests/unit/engines_test.ts).
  const oneEngine = app.allTools.filter((t) => !SEVERAL_ENGINES_HANDLERS.has(t.handler ?? ""));
  assert.equal(definitions.length, oneEngine.length, "--allow all lists every loaded tool");
});

/**
 * Paths of properties without a description: every named property and every
 * map-value schema, at any depth (through items, unions and nested objects).
 */
function undescribed(schema: unknown, path: string, out: string[] = []): string[] {
  if (!schema || typeof schema !== "object") return out;
  const s = schema as JsonSchema;
  for (const [name, child] of Object.entries((s.properties ?? {}) as Record<string, JsonSchema>)) {
    if (typeof child.description !== "string" || !child.description.trim()) {
      out.push(`${path}.${name}`);
    }
    undescribed(child, `${path}.${name}`, out);
  }
  // A map's values and a list's items are what their parameter's description
  // says; only the properties of an object inside them need their own.
  const values = s.additionalProperties;
  if (values && typeof values === "object") undescribed(values, `${path}.*`, out);
  if (s.items) undescribed(s.items, `${path}[]`, out);
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    ((s[key] ?? []) as JsonSchema[]).forEach((option, i) =>
      undescribed(option, `${path}|${i}`, out)
    );
  }
  return out;
}

Deno.test("catalogue: every input property has a description", () => {
  const missing: string[] = [];
  for (const d of definitions) {
    assert.ok(d.description.trim().length > 0, `${d.name}: tool description`);
    assert.ok(d.title.trim().length > 0, `${d.name}: title (sent with --output-schemas)`);
    undescribed(d.inputSchema, `${d.name} input`, missing);
  }
  assert.deepEqual(missing, [], `properties without a description:\n  ${missing.join("\n  ")}`);
});

Deno.test("catalogue: schemas are objects; inputs say they refuse unknown keys", () => {
  for (const d of definitions) {
    assert.equal(d.inputSchema.type, "object", d.name);
    assert.equal(d.inputSchema.additionalProperties, false, d.name);
    assert.equal(d.outputSchema.type, "object", d.name);
    const required = (d.inputSchema.required ?? []) as string[];
    const properties = Object.keys((d.inputSchema.properties ?? {}) as object);
    for (const r of required) assert.ok(properties.includes(r), `${d.name}: required ${r}`);
  }
});

Deno.test("catalogue: every tool refuses an unknown parameter and names it", async () => {
  // The schemas say additionalProperties: false; validation must do what they say.
  for (const d of definitions) {
    const result = await app.interpreter.call(d.name, { no_such_parameter: 1 });
    assert.equal(result.isError, true, d.name);
    const error = result.structured.error as { code: string; message: string };
    assert.equal(error.code, "DKR-004", `${d.name}: ${error.message}`);
    assert.match(error.message, /no_such_parameter/, d.name);
  }
});

Deno.test("catalogue: annotations agree with permission and method", () => {
  for (const d of definitions) {
    const spec = specs.get(d.name)!;
    const full = annotationsFor(spec);
    const a = d.annotations;
    const readOnly = spec.permission === "read";
    assert.equal(
      a.readOnlyHint ?? false,
      readOnly,
      `${d.name}: readOnlyHint vs permission ${spec.permission}`,
    );
    if (readOnly) {
      assert.equal(full.destructiveHint, false, `${d.name}: a read tool is not destructive`);
      assert.equal(full.idempotentHint, true, `${d.name}: a read tool is idempotent`);
      // The other hints weigh side effects, which a read-only tool has not.
      assert.deepEqual(a, { readOnlyHint: true }, d.name);
    } else {
      // Left out means the MCP default: destructive, not idempotent, open world.
      assert.equal(a.destructiveHint ?? true, full.destructiveHint, d.name);
      assert.equal(a.idempotentHint ?? false, full.idempotentHint, d.name);
      assert.equal(a.openWorldHint ?? true, full.openWorldHint, d.name);
    }
    if (spec.request?.method === "DELETE") {
      assert.equal(full.destructiveHint, true, `${d.name}: DELETE is destructive`);
    }
    if (readOnly && spec.request) {
      assert.ok(
        ["GET", "HEAD"].includes(spec.request.method),
        `${d.name}: read tool with ${spec.request.method}`,
      );
    }
  }
});

const everyToolset = await builtinApp({ allow: "all" });
everyToolset.engine.close();
const core = everyToolset.toolsets.map((t) => t.name).filter((name) => name !== "swarm").join(",");
const BUDGETS = [
  ["full", { allow: "all" }, TOKEN_BUDGET.full],
  ["read", {}, TOKEN_BUDGET.read],
  ["full without swarm", { allow: "all", toolsets: core }, CORE_BUDGET.full],
  ["read without swarm", { toolsets: core }, CORE_BUDGET.read],
] as const;
for (const [set, options, budget] of BUDGETS) {
  Deno.test(
    `catalogue: the ${set} tools/list answer fits in ${budget} o200k tokens`,
    async () => {
      const listed = await builtinApp(options);
      listed.engine.close();
      const text = listText(listed);
      const used = tokens(text);
      if (used > budget) {
        const heaviest = JSON.parse(text).tools
          .map((d: { name: string }) => [d.name, tokens(JSON.stringify(d))] as const)
          .sort((a: [string, number], b: [string, number]) => b[1] - a[1])
          .slice(0, 8)
          .map(([name, n]: [string, number]) => `${name} ${n}`);
        assert.fail(
          `tools/list is ${used} tokens for ${listed.tools.length} tools (budget ` +
            `${budget}); heaviest: ${heaviest.join(", ")}. Compress descriptions ` +
            `rather than raise the ceiling.`,
        );
      }
    },
  );
}
