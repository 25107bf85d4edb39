# Shared by the test bed scripts (sourced, never run): their log lines, the
# static busybox they build images from, and installing missing Debian
# packages. A script sets TESTBED_NAME (e.g. podman) before sourcing this file
# to tag its lines `testbed(podman):`; without it they read `testbed:`.
#
# Sourced as: source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
# shellcheck shell=bash

log() { printf 'testbed%s: %s\n' "${TESTBED_NAME:+($TESTBED_NAME)}" "$*" >&2; }
die() {
  printf 'testbed%s: ERROR: %s\n' "${TESTBED_NAME:+($TESTBED_NAME)}" "$*" >&2
  exit 1
}

# Prints a statically linked busybox (the only binary of the test images'
# rootfs); fails when there is none. ldd exits non-zero for a static binary.
find_static_busybox() {
  local b
  for b in /bin/busybox /usr/bin/busybox; do
    if [[ -x "$b" ]] && ! ldd "$b" >/dev/null 2>&1; then
      echo "$b"
      return 0
    fi
  done
  return 1
}

# apt_install [--no-recommends] [--no-start] PACKAGE...
# Installs Debian packages as root (apt-get update first), logging to
# $BERTH_TESTBED_DIR/apt.log; on failure shows the log's tail and dies.
# --no-start keeps the packages' maintainer scripts from starting services
# (policy-rc.d exit 101 means "action forbidden" to invoke-rc.d and
# deb-systemd-invoke), e.g. a daemon that would take a port the test bed uses.
apt_install() {
  local recommends=() no_start=0
  while [[ $# -gt 0 && $1 == --* ]]; do
    case $1 in
      --no-recommends) recommends=(--no-install-recommends) ;;
      --no-start) no_start=1 ;;
      *) die "apt_install: unknown option $1" ;;
    esac
    shift
  done
  [[ $EUID -eq 0 ]] || die "need root to install: $*"
  local dir="${BERTH_TESTBED_DIR:-/tmp/berth-testbed}"
  local apt_log="$dir/apt.log" policy=/usr/sbin/policy-rc.d own_policy=0 rc=0
  mkdir -p "$dir"
  log "installing $* (apt log: $apt_log)"
  if [[ $no_start -eq 1 && ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    own_policy=1
  fi
  {
    apt-get update &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y "${recommends[@]}" "$@"
  } >>"$apt_log" 2>&1 || rc=$?
  if [[ $own_policy -eq 1 ]]; then rm -f "$policy"; fi
  if [[ $rc -ne 0 ]]; then
    tail -n 20 "$apt_log" >&2
    die "apt-get install $* failed (rc=$rc)"
  fi
}
