/**
 * The V8 heap settings (src/setup/ways.ts, `V8_FLAGS`; docs/performance.md)
 * are the same on every way berth starts: the deno.json tasks, compiled
 * binaries, the npm launcher, the image, `berth setup`'s checkout command
 * and the tests' spawned servers; and V8 accepts them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { launchFor, V8_FLAGS } from "../../src/setup/ways.ts";
import { planServer } from "../../src/setup/options.ts";
import { serveArgs } from "../e2e/_mcp.ts";
import denoConfig from "../../deno.json" with { type: "json" };

const text = (path: string) => Deno.readTextFileSync(new URL(`../../${path}`, import.meta.url));

Deno.test("v8 flags: every way of starting berth passes the same ones", () => {
  const tasks = denoConfig.tasks as Record<string, string>;
  for (const task of ["start", "start:locked", "start:ssh", "berth"]) {
    assert.ok(tasks[task].split(" ").includes(V8_FLAGS), `deno task ${task}`);
  }
  for (const file of [".github/scripts/compile.sh", "packaging/image/entrypoint.sh"]) {
    assert.ok(text(file).split(/\s+/).includes(V8_FLAGS), file);
  }
  assert.ok(text("packaging/npm/bin/berth.cjs").includes(`"${V8_FLAGS}",`), "berth.cjs");
  assert.ok(serveArgs().includes(V8_FLAGS), "the tests' servers");
  const checkout = launchFor("checkout", planServer({}, undefined), { image: "berth:local" });
  assert.ok(checkout.args.includes(V8_FLAGS), "berth setup --via checkout");
});

Deno.test("v8 flags: V8 knows every one of them", async () => {
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", V8_FLAGS, "0"],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
});
