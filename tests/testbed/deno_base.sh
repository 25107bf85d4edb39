#!/usr/bin/env bash
# Local stand-in for the official Deno base image (denoland/deno:debian-X), which
# cannot be pulled here: `deno task image` builds berth's Dockerfile on it.
#
# Made from the pinned `deno` npm package's binary (the version
# packaging/npm/package.json depends on, fetched with `npm pack` of its
# platform package) and the shared libraries it links, plus what the official
# image has and berth's entrypoint uses: a shell and a few tools (static
# busybox) and setpriv (util-linux, with its libraries). Like the official
# image: deno at /bin/deno, a `deno` user (uid/gid 1993), DENO_DIR=/deno-dir/.
#
# Idempotent: the image carries a recipe label; a second run only checks it.
# Needs root, a Docker engine, npm, and busybox-static (tests/testbed/setup.sh
# installs it first).
set -euo pipefail

repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
STATE_DIR="${BERTH_TESTBED_DIR:-/tmp/berth-testbed}"
RECIPE_LABEL=berth.testbed.recipe
RECIPE_VERSION=1

# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

version="$(node -p 'require(process.argv[1]).dependencies.deno' "$repo/packaging/npm/package.json")"
case "$(uname -m)" in
  x86_64) npm_pkg="@deno/linux-x64-glibc" ;;
  aarch64 | arm64) npm_pkg="@deno/linux-arm64-glibc" ;;
  *) die "no deno npm package for $(uname -m)" ;;
esac
IMAGE="berth-test/deno-base:$version"

busybox="$(find_static_busybox)" || die "no statically linked busybox (apt-get install busybox-static)"
setpriv="$(command -v setpriv)" || die "no setpriv (apt-get install util-linux)"

# The files' contents, not their names: a checkout in another folder (every CI clone) is the same recipe.
recipe="v$RECIPE_VERSION-$version-$(cat "$busybox" "$setpriv" "${BASH_SOURCE[0]}" /etc/ssl/certs/ca-certificates.crt 2>/dev/null | sha256sum | cut -c1-16)"
if [[ "$(docker image inspect --format "{{index .Config.Labels \"$RECIPE_LABEL\"}}" "$IMAGE" 2>/dev/null || true)" == "$recipe" ]]; then
  log "image $IMAGE present"
  exit 0
fi

log "building $IMAGE from $npm_pkg@$version"
mkdir -p "$STATE_DIR"
work="$(mktemp -d "$STATE_DIR/deno-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$npm_pkg@$version" >/dev/null) || die "npm pack $npm_pkg@$version failed"
tar -xzf "$work"/*.tgz -C "$work"
deno_bin="$work/package/deno"
[[ -x "$deno_bin" ]] || die "$npm_pkg@$version holds no deno binary"

rootfs="$work/rootfs"
mkdir -p "$rootfs"/{bin,usr/bin,etc,tmp,proc,sys,dev,root,home/deno,deno-dir}
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/root"

# Every shared library (and the loader) that deno and setpriv link, at its own path.
copy_libs() {
  local lib
  for lib in $(ldd "$1" | grep -oE '/[^ ]+' | sort -u); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
}
copy_libs "$deno_bin"
copy_libs "$setpriv"

cp "$busybox" "$rootfs/bin/busybox"
while read -r applet; do
  [[ -n "$applet" && "$applet" != busybox ]] && ln -sf busybox "$rootfs/bin/$applet"
done < <("$busybox" --list)
cp "$deno_bin" "$rootfs/bin/deno"
cp "$setpriv" "$rootfs/usr/bin/setpriv"
# The host's trusted CAs, as the official image has Debian's: on a machine whose
# egress goes through a TLS proxy, the build's `deno cache` must trust what the host
# trusts (DENO_CERT adds the file to deno's own roots).
ca_bundle=/etc/ssl/certs/ca-certificates.crt
cert_env=()
if [[ -f "$ca_bundle" ]]; then
  mkdir -p "$rootfs/etc/ssl/certs"
  cp -L "$ca_bundle" "$rootfs$ca_bundle"
  cert_env=(--change "ENV DENO_CERT=$ca_bundle")
fi

cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
deno:x:1993:1993::/home/deno:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
deno:x:1993:
nogroup:x:65534:
GROUP

# The official image's /deno-dir and home belong to the deno user; the rest to root.
chown -R 0:0 "$rootfs"
chown 1993:1993 "$rootfs/deno-dir" "$rootfs/home/deno"
tar -C "$rootfs" --numeric-owner -c . |
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV DENO_DIR=/deno-dir/' \
    --change 'ENTRYPOINT ["/bin/deno"]' "${cert_env[@]}" \
    --change "LABEL $RECIPE_LABEL=$recipe" \
    - "$IMAGE" >/dev/null
log "image $IMAGE built"
