/**
 * `docker_image_history`'s output (declared in its manifest): the text and
 * the structured result name each layer by the same id, and by the same
 * marker where the engine has none.
 */

import assert from "node:assert/strict";
import { shapeDeclarative } from "../../src/interpreter/shape.ts";
import { loadManifests } from "../../src/manifest/mod.ts";

/** The engine's own word for a layer it has no image for, as `docker history` prints it. */
const MISSING_LAYER_ID = "<missing>";

const { tools } = await loadManifests();
const history = tools.find((t) => t.name === "docker_image_history")!;

Deno.test("image history: text lines carry the structured id, or <missing> in both", () => {
  const engine = [
    {
      Id: `sha256:${"ab".repeat(32)}`,
      Created: 1_700_000_000,
      CreatedBy: '/bin/sh -c #(nop)  CMD ["sh"]',
      Size: 0,
      Tags: ["app:1"],
    },
    // The engine's own answer for a layer it has no image for (pulled, or a base's).
    { Id: "<missing>", Created: 1_600_000_000, CreatedBy: "ADD file:x in /", Size: 2_000_000 },
    { Id: "", Created: 1_500_000_000, CreatedBy: "", Size: 0, Tags: null },
  ];
  const shaped = shapeDeclarative(history.output, engine);
  const layers = shaped.structured.layers as { id: string }[];
  assert.deepEqual(layers.map((l) => l.id), ["abababababab", MISSING_LAYER_ID, MISSING_LAYER_ID]);
  const lines = shaped.text.split("\n");
  assert.equal(lines[0], "3 layers (newest first)");
  const rows = lines.slice(2);
  assert.equal(rows.length, layers.length);
  rows.forEach((row, i) => assert.ok(row.startsWith(`${layers[i].id} `), row));
  assert.match(
    rows[0],
    /^abababababab 2023-11-14 {2}0 B \/bin\/sh -c #\(nop\) CMD \["sh"\] \[app:1\]$/,
  );
  // The engine's bytes in the docker CLI's units, as `docker history` prints them.
  assert.match(rows[1], /^<missing> {4}2020-09-13 {2}2 MB ADD file:x in \/$/);
  // Columns line up under the header, whatever the id column holds.
  const [created, size] = [lines[1].indexOf("CREATED"), lines[1].indexOf("SIZE")];
  for (const row of rows) {
    assert.match(row.slice(created), /^\d{4}-\d\d-\d\d /, row);
    assert.match(row.slice(size), /^\d+(\.\d+)? (B|kB|MB|GB) /, row);
  }
});
