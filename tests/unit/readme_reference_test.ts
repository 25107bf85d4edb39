/**
 * README.md's tool reference is generated from the manifests; this fails
 * when it is stale, with the command that regenerates it.
 */

import assert from "node:assert/strict";
import {
  currentSection,
  END,
  expectedReadme,
  firstSentence,
  GENERATE_COMMAND,
  README,
  renderToolReference,
  replaceSection,
  START,
} from "../tools/gen_readme.ts";

Deno.test("README: the tool reference matches the manifests", async () => {
  const readme = Deno.readTextFileSync(README);
  assert.ok(currentSection(readme), `README.md lacks the markers ${START} … ${END}`);
  const expected = await expectedReadme(readme);
  if (readme !== expected) {
    const have = new Set(readme.split("\n"));
    const stale = expected.split("\n").filter((line) => !have.has(line)).slice(0, 5);
    assert.fail(
      `README.md's tool reference is stale (first lines that differ:\n  ${stale.join("\n  ")})\n` +
        `run: ${GENERATE_COMMAND}`,
    );
  }
});

Deno.test("README: every built-in tool has a row", async () => {
  const section = await renderToolReference();
  const readme = Deno.readTextFileSync(README);
  for (const [, name] of section.matchAll(/^\| `(docker_[a-z0-9_]+)` \|/gm)) {
    assert.match(readme, new RegExp(`^\\| \`${name}\` +\\|`, "m"), name);
  }
});

Deno.test("gen_readme: first sentences and section replacement", () => {
  assert.equal(
    firstSentence("List containers, like `docker ps`. Running ones."),
    "List containers, like `docker ps`.",
  );
  assert.equal(firstSentence("Filters, e.g. by name. More."), "Filters, e.g. by name.");
  assert.equal(firstSentence("One line\n  wrapped"), "One line wrapped");
  const text = `a\n${START}\nold\n${END}\nb`;
  assert.equal(replaceSection(text, `${START}\nnew\n${END}`), `a\n${START}\nnew\n${END}\nb`);
  assert.throws(() => replaceSection("no markers", "x"), /markers/);
});
