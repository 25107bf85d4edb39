/**
 * The locked-down recipe (`deno task start:locked`, README, docs/security.md)
 * lets berth read `/etc/berth`: without it the system config is out of sight
 * and an operator's deny lists, exec guard and audit log would not apply.
 */

import assert from "node:assert/strict";
import denoConfig from "../../deno.json" with { type: "json" };

const LOCKED_TASK: string = denoConfig.tasks["start:locked"];

/** The paths of the first `--allow-read=` in a text. */
function readPaths(text: string): string[] {
  const match = /--allow-read=(\S+)/.exec(text);
  assert.ok(match, "the text has an --allow-read flag");
  return match[1].split(",");
}

function docText(path: string): string {
  return Deno.readTextFileSync(new URL(`../../${path}`, import.meta.url));
}

/** The text of the fenced recipe that follows `marker`. */
function recipeAfter(doc: string, marker: string): string {
  const start = doc.indexOf(marker);
  assert.ok(start >= 0, `the doc has '${marker}'`);
  return doc.slice(start, doc.indexOf("```\n", doc.indexOf("```sh", start) + 5));
}

Deno.test("locked recipe: deno task start:locked may read /etc/berth and its one socket", () => {
  assert.deepEqual(readPaths(LOCKED_TASK), ["./manifest", "/etc/berth", "/var/run/docker.sock"]);
  assert.match(LOCKED_TASK, /--no-prompt/);
});

Deno.test("locked recipe: README and docs/security.md show the task's read, write and net flags", () => {
  const flags = (text: string) =>
    text.split(/\s+/).filter((w) => /^--allow-(read|write|net)=/.test(w));
  const task = flags(LOCKED_TASK);
  const readme = recipeAfter(docText("README.md"), "narrow the rest to exactly one socket");
  const security = recipeAfter(docText("docs/security.md"), "deno task start:locked` runs from");
  assert.deepEqual(flags(readme), task);
  assert.deepEqual(flags(security), task);
});
