/**
 * Counts in text output take the noun in the right number ("1 entry",
 * "2 entries"), including list headers rendered from manifest list names.
 */

import assert from "node:assert/strict";
import { counted } from "../../src/guard/formats.ts";
import { renderList } from "../../src/interpreter/shape.ts";
import type { OutputSpec } from "../../src/manifest/types.ts";

Deno.test("counted: one takes the singular, any other count the plural", () => {
  const cases: [number, string, string][] = [
    [1, "entries", "1 entry"],
    [2, "entries", "2 entries"],
    [0, "entries", "0 entries"],
    [1, "processes", "1 process"],
    [3, "processes", "3 processes"],
    [1, "images", "1 image"],
    [1, "volumes", "1 volume"],
    [1, "layers", "1 layer"],
    [1, "lines", "1 line"],
    [1, "steps", "1 step"],
    [1, "matches", "1 match"],
  ];
  for (const [n, noun, text] of cases) assert.equal(counted(n, noun), text);
});

Deno.test("list text: the header counts one item in the singular", () => {
  const output = { list: "containers", text: "{name}" } as unknown as OutputSpec;
  assert.equal(renderList(output, [{ name: "web" }]), "1 container\nweb");
  assert.equal(renderList(output, [{ name: "web" }, { name: "db" }]), "2 containers\nweb\ndb");
  assert.equal(renderList(output, []), "No containers");
});
