#!/usr/bin/env bash
# Builds berth's Claude Desktop bundle (.mcpb): the npm package (launcher,
# deno.json, dist/bundle/, manifest/) with its pinned `deno` dependency installed under
# server/, and packaging/mcpb/manifest.json, then `mcpb validate` and
# `mcpb pack` (@anthropic-ai/mcpb from npm).
#
#   packaging/mcpb/build.sh [OUT_DIR] [OS CPU]
#
# The deno binary is per platform: OS/CPU as npm names them (linux x64,
# darwin arm64, win32 x64 …; default: this machine's), so the release builds
# one bundle per platform. Prints the bundle's path on stdout.
set -euo pipefail

MCPB="@anthropic-ai/mcpb@2.1.2"
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
out="$(mkdir -p "${1:-$repo/dist}" && cd "${1:-$repo/dist}" && pwd)"
os="${2:-$(node -p process.platform)}"
cpu="${3:-$(node -p process.arch)}"
work="$(mktemp -d "${TMPDIR:-/tmp}/berth-mcpb.XXXXXX")"
trap 'rm -rf "$work"' EXIT

tarball="$(bash "$repo/packaging/npm/pack.sh" "$work")"
mkdir -p "$work/bundle/server"
tar -xzf "$tarball" -C "$work/bundle/server" --strip-components=1
cp "$repo/packaging/mcpb/manifest.json" "$work/bundle/manifest.json"
(
  cd "$work/bundle/server"
  # The launcher finds the platform's deno itself (install_api) when the
  # deno package's postinstall did not run, so scripts stay off.
  npm install --omit=dev --no-audit --no-fund --ignore-scripts --no-package-lock \
    --os="$os" --cpu="$cpu" >&2
)
npx -y "$MCPB" validate "$work/bundle/manifest.json" >&2
bundle="$out/berth-$(node -p 'require(process.argv[1]).version' "$work/bundle/manifest.json")-$os-$cpu.mcpb"
npx -y "$MCPB" pack "$work/bundle" "$bundle" >&2
echo "$bundle"
