/**
 * The pattern worker's committed module is what its entry and re2js build to
 * (tests/tools/build_worker.ts), and it is whole: it imports nothing, so a
 * worker started from it never resolves a package at run time (a compiled
 * binary embeds none for it), and it matches with RE2.
 *
 * @module
 */

import assert from "node:assert/strict";
import { BUILD_COMMAND, WORKER_MODULE, workerModuleText } from "../tools/build_worker.ts";
import { RE2_WORKER_SOURCE } from "../../src/guard/re2_worker.ts";

Deno.test({
  name: "re2 worker: src/guard/re2_worker.ts is up to date (deno task build:worker)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const committed = await Deno.readTextFile(WORKER_MODULE);
    assert.ok(
      committed === await workerModuleText(),
      `re2_worker.ts is stale: run ${BUILD_COMMAND}`,
    );
  },
});

Deno.test("re2 worker: the module imports nothing and answers a batch by RE2's rules", async () => {
  assert.doesNotMatch(RE2_WORKER_SOURCE, /\bimport\s*[\s{*"'(]|\bimport\(|\brequire\(/);
  const url = `data:text/javascript,${encodeURIComponent(RE2_WORKER_SOURCE)}`;
  const worker = new Worker(url, { type: "module" });
  try {
    const answer = new Promise<boolean[]>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => reject(event.message);
    });
    // RE2 syntax JavaScript's RegExp lacks: a leading (?i) and \C-free classes.
    worker.postMessage({ pattern: "(?i)^err(or)?\\b" });
    worker.postMessage({ lines: ["ERROR: disk", "warning", "Err here", "terror"] });
    assert.deepEqual(await answer, [true, false, true, false]);
  } finally {
    worker.terminate();
  }
});
