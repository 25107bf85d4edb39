#!/usr/bin/env bash
# Builds the npm package berth-mcp: stages packaging/npm (package.json, the
# launcher, its README) with berth's own files (deno.json, deno.lock,
# manifest/ and dist/bundle/, the bundle of src/ the launcher runs), then
# `npm pack`s it.
#
#   packaging/npm/pack.sh [OUT_DIR]      default OUT_DIR: dist
#
# Prints the tarball's path on stdout. Needs node/npm, and deno for the bundle
# (on PATH, else the pinned npm build through npx).
set -euo pipefail

repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
out="$(mkdir -p "${1:-$repo/dist}" && cd "${1:-$repo/dist}" && pwd)"
stage="$(mktemp -d "${TMPDIR:-/tmp}/berth-npm-stage.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

# The bundle: two levels down, as in the checkout, so it finds manifest/ and deno.json.
if command -v deno >/dev/null 2>&1; then
  deno_cmd=(deno)
else
  deno_cmd=(npx -y "deno@$(node -p 'require(process.argv[1]).dependencies.deno' "$repo/packaging/npm/package.json")")
fi
(cd "$repo" && "${deno_cmd[@]}" run -A packaging/bundle.ts >&2)

cp -R "$repo/packaging/npm/." "$stage/"
rm -f "$stage/pack.sh" "$stage/prune_lock.cjs"
cp -R "$repo/deno.json" "$repo/deno.lock" "$repo/manifest" "$stage/"
mkdir -p "$stage/dist"
cp -R "$repo/dist/bundle" "$stage/dist/bundle"
rm -f "$stage/dist/bundle/.inputs"
# Deno fetches every npm package its lock lists on a first start: ship the lock
# without the test-only ones (conformance runner, esbuild).
node "$repo/packaging/npm/prune_lock.cjs" "$stage"

# Workspace members the package does not ship (tests/browser) would make deno
# warn "Workspace member … not found" on every start: keep only those it ships.
node -e '
  const fs = require("node:fs"), path = require("node:path");
  const file = path.join(process.argv[1], "deno.json");
  const config = JSON.parse(fs.readFileSync(file, "utf8"));
  config.workspace = (config.workspace || []).filter((m) => fs.existsSync(path.join(process.argv[1], m)));
  fs.writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
' "$stage"

# The package's version is berth's (deno.json); a mismatch would publish a lie.
want="$(node -p 'require(process.argv[1]).version' "$repo/deno.json")"
have="$(node -p 'require(process.argv[1]).version' "$stage/package.json")"
[[ "$want" == "$have" ]] || {
  echo "pack: packaging/npm/package.json has version $have, deno.json $want" >&2
  exit 1
}

(cd "$stage" && npm pack --silent --pack-destination "$out") | tail -n 1 | sed "s|^|$out/|"
