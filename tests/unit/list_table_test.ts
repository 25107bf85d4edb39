/**
 * List text as an aligned table: each column as wide as its widest cell (up
 * to a cap), header included; templates with literal text are left as written.
 */

import assert from "node:assert/strict";
import { alignColumns } from "../../src/guard/formats.ts";
import { renderList } from "../../src/interpreter/shape.ts";
import type { OutputSpec } from "../../src/manifest/types.ts";

const output = {
  list: "containers",
  header: "ID  NAME STATUS",
  text: "{id} {name} {status}",
} as unknown as OutputSpec;

Deno.test("list table: columns line up under the header, the last one unpadded", () => {
  const text = renderList(output, [
    { id: "a1", name: "web", status: "Up 2 hours" },
    { id: "b2", name: "database-primary", status: null },
  ]);
  assert.equal(
    text,
    [
      "2 containers",
      "ID NAME             STATUS",
      "a1 web              Up 2 hours",
      "b2 database-primary -",
    ].join("\n"),
  );
});

Deno.test("list table: a cell past the cap runs on instead of widening every row", () => {
  const long = "x".repeat(50);
  const [header, first, second] = alignColumns([["NAME", "STATE"], [long, "up"], ["db", "up"]]);
  assert.equal(first, `${long} up`);
  assert.equal(second, `db${" ".repeat(30)} up`);
  assert.equal(header.indexOf("STATE"), second.indexOf("up"));
});

Deno.test("list table: a template with literal text, or a header that does not match, is kept", () => {
  const prose = { list: "volumes", text: "{name} on {driver}" } as unknown as OutputSpec;
  assert.equal(renderList(prose, [{ name: "v", driver: "local" }]), "1 volume\nv on local");
  const mismatch = { ...output, header: "ID NAME" } as OutputSpec;
  assert.equal(
    renderList(mismatch, [{ id: "a", name: "w", status: "s" }]),
    "1 container\nID NAME\na w s",
  );
});
