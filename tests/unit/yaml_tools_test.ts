/**
 * The built-in tools declared in YAML alone (no handler, no named shaper):
 * how many there are, and that each makes, from real engine answers, exactly
 * the result the TypeScript it replaced made. The answers and those results
 * were recorded on the real engine by tests/tools/record_shapes.ts, through
 * the code of the time (tests/fixtures/yaml_tools); the replay goes through
 * the interpreter's shaping and its final redaction, as a call does.
 */

import assert from "node:assert/strict";
import { loadManifests } from "../../src/manifest/mod.ts";
import { InputValidator } from "../../src/interpreter/input.ts";
import { evaluateWith, shapeDeclarative } from "../../src/interpreter/shape.ts";
import { isTrue } from "../../src/interpreter/filters.ts";
import { redactResult } from "../../src/interpreter/call_guard.ts";

const { tools } = await loadManifests();

interface Fixture {
  tool: string;
  args: Record<string, unknown>;
  api_version?: string;
  filters_containers?: boolean;
  answers: { method: string; path: string; answer: unknown }[];
  structured: Record<string, unknown>;
  text: string;
}

const FIXTURES = new URL("../fixtures/yaml_tools/", import.meta.url);

/** The tools with no TypeScript of their own. */
function yamlOnly(): string[] {
  return tools.filter((t) => !t.handler && !t.output.shaper).map((t) => t.name).sort();
}

/** How many built-in tools (swarm's aside) need no TypeScript: only ever raised (issue 12's aim: 15). */
const YAML_ONLY_AT_LEAST = 15;

Deno.test("yaml tools: the default catalogue's tools declared in YAML alone", () => {
  const catalogue = new Set(tools.filter((t) => t.toolset !== "swarm").map((t) => t.name));
  const names = yamlOnly().filter((n) => catalogue.has(n));
  assert.ok(
    names.length >= YAML_ONLY_AT_LEAST,
    `${names.length} of ${catalogue.size} are YAML alone: ${names.join(", ")}`,
  );
});

for (const entry of [...Deno.readDirSync(FIXTURES)].sort((a, b) => a.name.localeCompare(b.name))) {
  const fixture = JSON.parse(Deno.readTextFileSync(new URL(entry.name, FIXTURES))) as Fixture;
  Deno.test(`yaml tools: ${entry.name} gives the recorded result`, () => {
    const spec = tools.find((t) => t.name === fixture.tool)!;
    assert.ok(!spec.handler && !spec.output.shaper, `${spec.name} still has TypeScript`);
    const args = new InputValidator(spec.input).parse(fixture.args);
    const policy = { filters_containers: fixture.filters_containers ?? false };
    // Each engine answer by its route: request.before's (which may set an input to a
    // full ID), the tool's own, then request.also's.
    const answer = (path: string) => fixture.answers.find((a) => a.path === path);
    const planned = { ...args };
    const expand = (path: string) => path.replace(/\{(\w+)\}/g, (_, n) => String(planned[n]));
    const before: Record<string, unknown> = {};
    for (const [name, route] of Object.entries(spec.request!.before ?? {})) {
      before[name] = answer(expand(route.path))?.answer;
      assert.ok(before[name], `the recorded answers hold ${route.path}`);
      for (const [input, path] of Object.entries(route.sets ?? {})) {
        planned[input] = (before[name] as Record<string, unknown>)[path];
      }
    }
    const main = answer(expand(spec.request!.path));
    assert.ok(main, `the recorded answers hold ${spec.request!.path}`);
    const also: Record<string, unknown> = {};
    for (const [name, route] of Object.entries(spec.request!.also ?? {})) {
      const read = route.when === undefined || isTrue(evaluateWith(route.when, { args, policy }));
      assert.equal(!!answer(route.path), read, `${route.path} was read as 'when' says`);
      also[name] = read ? answer(route.path)!.answer : undefined;
    }
    const reads = Object.keys(before).length + 1 + Object.values(also).filter(Boolean).length;
    assert.equal(fixture.answers.length, reads, "no engine call more or less than recorded");
    const data = spec.response?.kind === "empty" ? {} : main.answer;
    const shaped = shapeDeclarative(spec.output, data, {
      ...before,
      ...also,
      args,
      policy,
      api_version: fixture.api_version,
    });
    const result = redactResult({ ...shaped, isError: false });
    assert.equal(result.text, fixture.text);
    assert.deepEqual(result.structured, fixture.structured);
    // Key order too: it is what a client sees in the JSON.
    assert.equal(JSON.stringify(result.structured), JSON.stringify(fixture.structured));
  });
}
