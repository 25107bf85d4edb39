/**
 * The bundled built-in manifests (src/manifest/bundle.ts, read at start
 * instead of the YAML): up to date with manifest/, the same tools as parsing
 * gives, and never used once the files differ from it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { bundledManifests, manifestSources } from "../../src/manifest/builtin.ts";
import { BUILTIN_MANIFEST_DIR, parseManifestDirs } from "../../src/manifest/loader.ts";
import { BUILD_COMMAND, BUNDLE_FILE, bundleText } from "../tools/build_manifests.ts";
import { tempDirWith } from "../helpers/temp_dir.ts";

const ROOT = BUILTIN_MANIFEST_DIR.pathname;

Deno.test("manifest bundle: src/manifest/bundle.ts is up to date with manifest/", async () => {
  const committed = await Deno.readTextFile(BUNDLE_FILE);
  assert.ok(committed === await bundleText(), `bundle.ts is stale: run \`${BUILD_COMMAND}\``);
});

Deno.test("manifest bundle: gives exactly what parsing manifest/ gives, sources included", async () => {
  const bundled = bundledManifests(ROOT);
  assert.ok(bundled, `the bundle does not match manifest/: run \`${BUILD_COMMAND}\``);
  assert.deepStrictEqual(bundled, await parseManifestDirs([ROOT]));
});

Deno.test("manifest bundle: not used for files that differ from it (edited, added, removed)", () => {
  const files = Object.fromEntries(manifestSources(ROOT));
  const copy = (change: (files: Record<string, string>) => void) => {
    const changed = { ...files };
    change(changed);
    return tempDirWith("berth-bundle-", changed);
  };
  const same = copy(() => {});
  const [first] = Object.keys(files).filter((name) => name.includes("/docker_"));
  const dirs = [
    copy((f) => (f[first] = f[first].replace("description:", "description: Changed."))),
    copy((f) => (f["containers/docker_extra.yaml"] = f[first])),
    copy((f) => delete f[first]),
    copy((f) => (f[first.replace(".yaml", "_renamed.yaml")] = f[first], delete f[first])),
  ];
  try {
    const bundled = bundledManifests(same);
    assert.ok(bundled, "an identical copy uses the bundle");
    assert.ok(bundled.tools.every((t) => t.source.startsWith(`${same}/`)), "sources in the copy");
    for (const dir of dirs) assert.equal(bundledManifests(dir), undefined, dir);
    assert.equal(bundledManifests(`${same}/missing`), undefined, "an unreadable root");
  } finally {
    for (const dir of [same, ...dirs]) Deno.removeSync(dir, { recursive: true });
  }
});
