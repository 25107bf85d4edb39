#!/usr/bin/env bash
# Build self-contained berth executables with `deno compile`.
#
#   .github/scripts/compile.sh                 # all release targets
#   .github/scripts/compile.sh x86_64-unknown-linux-gnu aarch64-apple-darwin
#   deno task compile --read /srv/app --read /srv/tools x86_64-unknown-linux-gnu
#
# --read PATH / --write-path PATH (repeatable, before the targets) bake wider
# read or write roots into the binary, as the npm launcher and the image's
# entrypoint take them at start: a compiled binary's permissions cannot be
# widened at run time. Each list is the new paths followed by the berth
# set's own (an --allow-read next to -P=berth replaces the set's list).
#
# Output: dist/berth-<target>[.exe] plus dist/SHA256SUMS.
# Cross-compiling works from any host: deno downloads the matching `denort`
# runtime for each target from dl.deno.land (so this needs internet access).
#
# DENO overrides the deno command; default is `deno` on PATH, else the pinned
# npm build via npx (same version as the README's test command).
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."

ALL_TARGETS=(
  x86_64-unknown-linux-gnu
  aarch64-unknown-linux-gnu
  x86_64-apple-darwin
  aarch64-apple-darwin
  x86_64-pc-windows-msvc
)

if [[ -n "${DENO:-}" ]]; then
  deno_cmd=("$DENO")
elif command -v deno >/dev/null 2>&1; then
  deno_cmd=(deno)
else
  deno_cmd=(npx -y deno@2.9.6)
fi

# The berth set's list for one permission, from deno.json (the same set the tests run).
set_list() {
  "${deno_cmd[@]}" eval --quiet \
    "import c from './deno.json' with { type: 'json' }; console.log(c.permissions.berth['$1'].join(','))"
}

extra_read=()
extra_write=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --read) extra_read+=("$2") && shift 2 ;;
    --read=*) extra_read+=("${1#--read=}") && shift ;;
    --write-path) extra_write+=("$2") && shift 2 ;;
    --write-path=*) extra_write+=("${1#--write-path=}") && shift ;;
    --) shift ;;
    *) break ;;
  esac
done
grants=()
if [[ ${#extra_read[@]} -gt 0 ]]; then
  grants+=("--allow-read=$(IFS=,; echo "${extra_read[*]}"),$(set_list read)")
fi
if [[ ${#extra_write[@]} -gt 0 ]]; then
  grants+=("--allow-write=$(IFS=,; echo "${extra_write[*]}"),$(set_list write)")
fi

if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  targets=("${ALL_TARGETS[@]}")
fi

# Fail early on typos instead of after several slow downloads.
for t in "${targets[@]}"; do
  if [[ " ${ALL_TARGETS[*]} " != *" $t "* ]]; then
    echo "compile: unknown target '$t' (known: ${ALL_TARGETS[*]})" >&2
    exit 2
  fi
done

mkdir -p dist
# The binaries carry the bundle of src/ (packaging/bundle.ts), as the npm package and the image do.
"${deno_cmd[@]}" run -A packaging/bundle.ts
for t in "${targets[@]}"; do
  out="dist/berth-$t"
  [[ "$t" == *-windows-* ]] && out+=".exe"
  echo "compile: $t -> $out" >&2
  # -P=berth      bake in the `berth` permission set from deno.json, so the
  #               binary runs with exactly the permissions `deno task start` has
  # --no-prompt   a stdio MCP server must never block on a permission prompt
  #               (stdin/stdout belong to the MCP client)
  # --include     embed the YAML manifests, read at runtime, not imported;
  #               denort adds its embedded file system to the read allowlist
  #               itself (cli/rt/run.rs, "grant read access to the vfs"), so
  #               the baked-in set needs no path for them
  #  ${grants}    extra roots from --read / --write-path, each list led by them
  # --v8-flags    the heap settings every way runs berth with (src/setup/ways.ts, V8_FLAGS)
  "${deno_cmd[@]}" compile \
    -P=berth \
    ${grants[@]+"${grants[@]}"} \
    --no-prompt \
    --v8-flags=--max-semi-space-size=1,--heap-growing-percent=25 \
    --include manifest \
    --target "$t" \
    --output "$out" \
    dist/bundle/main.js
done

# Checksums over everything in dist/, so a partial rebuild keeps the file whole.
(
  cd dist
  shopt -s nullglob
  files=(berth-*)
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "${files[@]}" >SHA256SUMS
  else
    shasum -a 256 "${files[@]}" >SHA256SUMS # macOS
  fi
)
echo "compile: done; dist/SHA256SUMS:" >&2
cat dist/SHA256SUMS >&2
