#!/usr/bin/env bash
# Podman for berth's several-engines tests: Debian's podman, its Docker-compatible
# API served by `podman system service` on /run/podman/podman.sock (a path berth's
# permission set already allows), and the test busybox image copied in from the
# Docker engine (nothing can be pulled here).
#
# Runs as root on Debian 12 after setup.sh has the Docker engine and its images.
# Idempotent and fast when everything is already up (one ping, one image check).
#
# Tunables: BERTH_TESTBED_DIR (state dir, default /tmp/berth-testbed).
set -euo pipefail

STATE_DIR="${BERTH_TESTBED_DIR:-/tmp/berth-testbed}"
PODMAN_SOCK=/run/podman/podman.sock
BUSYBOX_IMAGE=berth-test/busybox:latest
CONF=/etc/containers/containers.conf
# Marks the containers.conf this script wrote, so it never edits an operator's own file.
CONF_MARK="# written by berth tests/testbed/podman.sh"

TESTBED_NAME=podman
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

mkdir -p "$STATE_DIR"

podman_answers() {
  curl -fsS --max-time 3 --unix-socket "$PODMAN_SOCK" http://d/_ping >/dev/null 2>&1
}

command -v podman >/dev/null 2>&1 || apt_install podman

# Podman's default rlimits exceed what runc may set on these machines
# ("error setting rlimit type 6/7"): pin them to values every kernel accepts.
# Set when a file the service reads at start changed: a running service is restarted.
changed=0
if [[ ! -e $CONF ]] || grep -qF "$CONF_MARK" "$CONF"; then
  want="$CONF_MARK
[containers]
default_ulimits = [\"nofile=4096:4096\", \"nproc=4096:4096\"]"
  if [[ "$(cat "$CONF" 2>/dev/null)" != "$want" ]]; then
    mkdir -p "$(dirname "$CONF")"
    printf '%s\n' "$want" >"$CONF"
    changed=1
  fi
elif ! grep -q 'default_ulimits' "$CONF"; then
  log "WARNING: $CONF is not ours and sets no default_ulimits; podman may fail with 'error setting rlimit'"
fi

# Docker treats registries on 127.0.0.0/8 as plain HTTP; Podman must be told (the test
# bed's registries on :5000 and :5001 speak HTTP).
REGISTRIES=/etc/containers/registries.conf.d/berth-testbed.conf
want_registries='# written by berth tests/testbed/podman.sh: the test bed registries speak HTTP
[[registry]]
location = "127.0.0.1:5000"
insecure = true

[[registry]]
location = "127.0.0.1:5001"
insecure = true'
if [[ "$(cat "$REGISTRIES" 2>/dev/null)" != "$want_registries" ]]; then
  mkdir -p "$(dirname "$REGISTRIES")"
  printf '%s\n' "$want_registries" >"$REGISTRIES"
  changed=1
fi

# A service we started before these files changed reads them again only when restarted.
if [[ $changed -eq 1 ]] && podman_answers && [[ -f "$STATE_DIR/podman.pid" ]] &&
  kill "$(cat "$STATE_DIR/podman.pid")" 2>/dev/null; then
  log "configuration changed: restarting the podman service"
  for ((i = 0; i < 40; i++)); do
    podman_answers || break
    sleep 0.25
  done
fi

if podman_answers; then
  log "podman service on $PODMAN_SOCK already up"
else
  log "starting podman system service on $PODMAN_SOCK (log: $STATE_DIR/podman.log)"
  mkdir -p "$(dirname "$PODMAN_SOCK")"
  rm -f "$PODMAN_SOCK"
  # --time=0: never exit for idleness. setsid/nohup as for dockerd in setup.sh.
  setsid nohup podman system service --time=0 "unix://$PODMAN_SOCK" \
    </dev/null >>"$STATE_DIR/podman.log" 2>&1 &
  echo $! >"$STATE_DIR/podman.pid"
  for ((i = 0; i < 60; i++)); do
    podman_answers && break
    sleep 0.25
  done
  podman_answers || {
    tail -n 20 "$STATE_DIR/podman.log" >&2
    die "podman service did not answer on $PODMAN_SOCK within 15s"
  }
fi

# The busybox image, as Docker has it (docker-archive keeps its name and config).
want_id="$(docker image inspect --format '{{.Id}}' "$BUSYBOX_IMAGE")"
have_digest="$(podman image inspect --format '{{.Digest}}' "$BUSYBOX_IMAGE" 2>/dev/null || true)"
have_id="$(podman image inspect --format '{{.Id}}' "$BUSYBOX_IMAGE" 2>/dev/null || true)"
if [[ -n "$have_id" && "sha256:$have_id" == "$want_id" || "$have_id" == "$want_id" ]]; then
  log "image $BUSYBOX_IMAGE present in podman"
else
  log "copying $BUSYBOX_IMAGE from docker into podman (had '${have_digest:-none}')"
  docker image save "$BUSYBOX_IMAGE" | podman load >"$STATE_DIR/podman-load.log" 2>&1 || {
    cat "$STATE_DIR/podman-load.log" >&2
    die "podman load of $BUSYBOX_IMAGE failed"
  }
fi

# Leftovers of earlier test runs (podman's own objects labelled by berth's tests).
podman ps -aq --filter label=berth.test | xargs -r podman rm -f >/dev/null 2>&1 || true
podman network ls -q --filter label=berth.test | xargs -r podman network rm -f >/dev/null 2>&1 || true
podman volume ls -q --filter label=berth.test | xargs -r podman volume rm -f >/dev/null 2>&1 || true

log "podman ok ($(podman version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
