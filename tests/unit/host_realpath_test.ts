/**
 * Unit tests of realHostPath: symlinks are resolved, a missing rest resolves
 * through its deepest existing ancestor, a dangling symlink and a path the
 * sandbox hides are refused (fail closed). Real files in a temporary folder.
 */

import assert from "node:assert/strict";
import { BerthError } from "../../src/errors/mod.ts";
import { realHostPath } from "../../src/policy/enforce/host_realpath.ts";

Deno.test("realHostPath: symlinks resolve, missing tails resolve through their parent", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "berth-realpath-" }));
  try {
    await Deno.symlink("/", `${dir}/escape`);
    await Deno.mkdir(`${dir}/sub`);
    await Deno.symlink(`${dir}/sub`, `${dir}/link`);
    assert.equal(await realHostPath(`${dir}/escape`), "/");
    assert.equal(await realHostPath(`${dir}/escape/etc`), "/etc");
    assert.equal(await realHostPath(`${dir}/link/new/deeper`), `${dir}/sub/new/deeper`);
    assert.equal(await realHostPath(`${dir}/missing`), `${dir}/missing`);
    await Deno.symlink("/nonexistent-berth-target/x", `${dir}/dangling`);
    for (const path of [`${dir}/dangling`, `${dir}/dangling/y`]) {
      await assert.rejects(realHostPath(path), (e: unknown) => {
        assert.ok(e instanceof BerthError);
        assert.equal(e.code, "DKR-007");
        assert.match(e.message, /a symlink to a place that does not exist/);
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
