/**
 * What a model needs to call a tool right the first time, checked on every
 * built-in parameter: the format of a time, a size or a duration, the unit
 * of a number of seconds or milliseconds, and a default in the schema's
 * `default` (never in prose, where a client cannot read it). Also: the
 * words, aliases and hidden habits a manifest accepts are never published.
 */

import assert from "node:assert/strict";
import { loadManifests } from "../../src/manifest/mod.ts";
import type { ParamSpec, ToolSpec } from "../../src/manifest/types.ts";
import { inputJsonSchema } from "../../src/interpreter/input.ts";

const { tools } = await loadManifests();

/** Every top-level parameter of every built-in tool, with its path for messages. */
function params(): [string, string, ParamSpec, ToolSpec][] {
  return tools.flatMap((tool) =>
    Object.entries(tool.input).map(([name, param]) =>
      [`${tool.name}.${name}`, name, param, tool] as [string, string, ParamSpec, ToolSpec]
    )
  );
}

/** What a description must say for a format (or point at a sibling that says it). */
const FORMAT_WORDS: Record<string, RegExp> = {
  time: /RFC 3339|Like since/,
  bytes: /\d+[kmg]\b|bytes/i,
  duration: /\d+s\b|ms\b|seconds/i,
};

Deno.test("descriptions: times, sizes and durations say their format", () => {
  const missing: string[] = [];
  for (const [path, , param] of params()) {
    const words = param.format ? FORMAT_WORDS[param.format] : undefined;
    if (words && !words.test(param.description)) missing.push(`${path}: ${param.description}`);
  }
  assert.deepEqual(missing, [], "say the format (e.g. RFC 3339, 15m) in these descriptions");
});

Deno.test("descriptions: numbers of seconds and milliseconds say their unit", () => {
  const missing: string[] = [];
  for (const [path, name, param] of params()) {
    const types = Array.isArray(param.type) ? param.type : [param.type];
    if (!types.includes("integer") && !types.includes("number")) continue;
    const unit = /_ms$/.test(name)
      ? /\bms\b/
      : /(timeout|seconds|wait)$/.test(name)
      ? /seconds/i
      : undefined;
    if (unit && !unit.test(param.description)) missing.push(`${path}: ${param.description}`);
  }
  assert.deepEqual(missing, [], "say the unit in these descriptions");
});

Deno.test("descriptions: defaults are in the schema's default, not in prose", () => {
  const prose: string[] = [];
  for (const [path, , param] of params()) {
    if (/\bdefault\b/i.test(param.description)) prose.push(`${path}: ${param.description}`);
  }
  assert.deepEqual(prose, [], "move these defaults to the manifest's default: key");
  // The default reaches the published schema, where a client reads it.
  for (const tool of tools) {
    const schema = inputJsonSchema(tool.input) as {
      properties?: Record<string, { default?: unknown }>;
    };
    for (const [name, param] of Object.entries(tool.input)) {
      if (param.default === undefined || param.hidden) continue;
      assert.deepEqual(schema.properties?.[name]?.default, param.default, `${tool.name}.${name}`);
    }
  }
});

Deno.test("descriptions: aliases, words and hidden habits stay out of tools/list", () => {
  let aliases = 0;
  for (const tool of tools) {
    const text = JSON.stringify(inputJsonSchema(tool.input));
    for (const [name, param] of Object.entries(tool.input)) {
      if (param.hidden) assert.ok(!text.includes(`"${name}"`), `${tool.name}.${name} is listed`);
      for (const alias of param.aliases ?? []) {
        aliases++;
        if (!tool.input[alias]) {
          assert.ok(!text.includes(`"${alias}":`), `${tool.name}: alias ${alias} is listed`);
        }
      }
      assert.ok(!text.includes('"words"') && !text.includes('"aliases":['), tool.name);
    }
  }
  assert.ok(aliases > 0, "the built-in manifests declare aliases");
});
