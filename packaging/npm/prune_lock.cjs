#!/usr/bin/env node
// Prunes a deno.lock (v5) to what the deno.json imports need: Deno fetches every
// npm package its lockfile lists on a first start, so the test-only packages the
// repository's lock also pins (the conformance runner and its GitHub client,
// esbuild) would be downloaded by every new npx user for nothing.
//
//   node prune_lock.cjs DIR      rewrites DIR/deno.lock in place
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const file = path.join(process.argv[2], "deno.lock");
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
if (lock.version !== "5") throw new Error(`prune_lock: lock version ${lock.version}, expected 5`);

/** The package name of a lock key or dependency (`@a/b@1.0.0_peer` → `@a/b`). */
const nameOf = (key) => key.slice(0, key.indexOf("@", 1) < 0 ? key.length : key.indexOf("@", 1));

/** The lock key a dependency names: `name@version` (a prefix of its key) or a bare name. */
function keyOf(dep) {
  const keys = Object.keys(lock.npm);
  if (dep.indexOf("@", 1) > 0) {
    return keys.find((k) => k === dep || k.startsWith(`${dep}_`));
  }
  return keys.find((k) => nameOf(k) === dep);
}

const roots = [
  ...(lock.workspace?.dependencies ?? []),
  ...Object.values(lock.workspace?.members ?? {}).flatMap((m) => m.dependencies ?? []),
];
const specifiers = {};
const keep = new Set();
const queue = [];
for (const spec of roots) {
  const resolved = lock.specifiers[spec];
  if (resolved === undefined) throw new Error(`prune_lock: ${spec} is not in the lock`);
  specifiers[spec] = resolved;
  if (spec.startsWith("npm:")) queue.push(`${nameOf(spec.slice(4))}@${resolved}`);
}
while (queue.length) {
  const key = queue.pop();
  if (keep.has(key)) continue;
  const entry = lock.npm[key];
  if (!entry) throw new Error(`prune_lock: ${key} is not in the lock`);
  keep.add(key);
  for (const dep of [...(entry.dependencies ?? []), ...(entry.optionalDependencies ?? [])]) {
    const found = keyOf(dep);
    if (!found) throw new Error(`prune_lock: ${key} needs ${dep}, which is not in the lock`);
    queue.push(found);
  }
}
// Deno also records the package.json beside deno.json (the launcher's own `deno`
// dependency); without it here, the first start would rewrite the installed lock.
const pkg = JSON.parse(fs.readFileSync(path.join(process.argv[2], "package.json"), "utf8"));
const pkgDeps = Object.entries(pkg.dependencies ?? {}).map(([n, v]) => `npm:${n}@${v}`).sort();
if (pkgDeps.length) lock.workspace = { ...lock.workspace, packageJson: { dependencies: pkgDeps } };
lock.specifiers = specifiers;
lock.npm = Object.fromEntries(Object.entries(lock.npm).filter(([key]) => keep.has(key)));
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
