/**
 * Rewrites tests/snapshots/tools/<tool>.json from the built-in manifests
 * (the exact tools/list entries with `--allow all --output-schemas`), removing snapshots of
 * tools that no longer exist. It rebuilds src/manifest/bundle.ts first
 * (tests/tools/build_manifests.ts), so that one command brings every file
 * generated from the manifests up to date after an edit or a merge.
 *
 *   deno run -A tests/tools/update_snapshots.ts
 *
 * @module
 */

import { writeBundle } from "./build_manifests.ts";
import { fullCatalog, readSnapshots, SNAPSHOT_DIR, snapshotText } from "./catalog.ts";

if (import.meta.main) {
  if (await writeBundle()) console.log("rewrote src/manifest/bundle.ts");
  const { app, definitions } = await fullCatalog();
  Deno.mkdirSync(SNAPSHOT_DIR, { recursive: true });
  const before = readSnapshots();
  let changed = 0;
  for (const definition of definitions) {
    const text = snapshotText(definition);
    if (before.get(definition.name) !== text) {
      Deno.writeTextFileSync(new URL(`${definition.name}.json`, SNAPSHOT_DIR), text);
      console.log(`${before.has(definition.name) ? "updated" : "added"}: ${definition.name}`);
      changed++;
    }
    before.delete(definition.name);
  }
  for (const name of before.keys()) {
    Deno.removeSync(new URL(`${name}.json`, SNAPSHOT_DIR));
    console.log(`removed: ${name}`);
    changed++;
  }
  console.log(`${definitions.length} tool snapshots, ${changed} changed`);
  app.engine.close();
}
