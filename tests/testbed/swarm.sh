#!/usr/bin/env bash
# A single-node Swarm for the swarm tests, on a SECOND dockerd with its own
# socket, data root, exec root, pidfile and bridge, so the shared test
# engine never enters swarm mode (a swarm engine changes what other suites see:
# `docker info`, networks, events).
#
# Idempotent and fast when already up (one ping, one `docker info`). Runs as
# root on a fresh Debian 12 after setup.sh has installed docker.io and built
# the test images on the main engine; the busybox image is copied over with
# docker save | docker load, plus a second tag for rolling out a "new" image.
#
# Tunables: BERTH_SWARM_DIR (state, default /tmp/berth-testbed/swarm),
#           BERTH_SWARM_SOCK (default /run/berth-swarm/docker.sock).
set -euo pipefail

STATE_DIR="${BERTH_SWARM_DIR:-/tmp/berth-testbed/swarm}"
SOCK="${BERTH_SWARM_SOCK:-/run/berth-swarm/docker.sock}"
HOST="unix://$SOCK"
BUSYBOX_IMAGE=berth-test/busybox:latest
# The same image under a second tag: a rollout target that needs no registry.
BUSYBOX_V2=berth-test/busybox:v2

TESTBED_NAME=swarm
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

sdocker() { docker -H "$HOST" "$@"; }
answers() { curl -fsS --max-time 3 --unix-socket "$SOCK" http://x/_ping >/dev/null 2>&1; }

mkdir -p "$STATE_DIR" "$(dirname "$SOCK")"

if ! answers; then
  [[ $EUID -eq 0 ]] || die "starting the swarm dockerd needs root"
  command -v dockerd >/dev/null 2>&1 || die "dockerd missing (setup.sh installs docker.io)"
  log "starting a second dockerd on $SOCK (log: $STATE_DIR/dockerd.log)"
  # Own data root, exec root (so its own managed containerd), pidfile and
  # socket, and no iptables rules, so nothing it does touches the main
  # engine's networks. Its own bridge, not --bridge=none: a dockerd told "none" deletes the host's
  # docker0 at start (moby's removeDefaultBridgeInterface), and with it the
  # default network of the main engine, which shares this network namespace.
  if ! ip link show berthswarm0 >/dev/null 2>&1; then
    ip link add berthswarm0 type bridge
    ip addr add 172.31.254.1/24 dev berthswarm0
    ip link set berthswarm0 up
  fi
  setsid nohup dockerd \
    --host "$HOST" \
    --data-root "$STATE_DIR/data" \
    --exec-root /run/berth-swarm/exec \
    --pidfile /run/berth-swarm/dockerd.pid \
    --bridge=berthswarm0 --iptables=false --ip-masq=false \
    </dev/null >>"$STATE_DIR/dockerd.log" 2>&1 &
  pid=$!
  for ((i = 0; i < 120; i++)); do
    answers && break
    kill -0 "$pid" 2>/dev/null || {
      tail -n 20 "$STATE_DIR/dockerd.log" >&2
      die "the swarm dockerd exited during startup"
    }
    sleep 0.5
  done
  answers || die "the swarm dockerd did not answer on $SOCK within 60s"
fi

state="$(sdocker info --format '{{.Swarm.LocalNodeState}}')"
if [[ "$state" != active ]]; then
  log "swarm init on 127.0.0.1"
  sdocker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377 >/dev/null
fi

# The test image, copied from the main engine when missing or different.
main_id="$(docker image inspect --format '{{.Id}}' "$BUSYBOX_IMAGE")"
swarm_id="$(sdocker image inspect --format '{{.Id}}' "$BUSYBOX_IMAGE" 2>/dev/null || true)"
if [[ "$main_id" != "$swarm_id" ]]; then
  log "loading $BUSYBOX_IMAGE into the swarm engine"
  docker save "$BUSYBOX_IMAGE" | sdocker load -q >/dev/null
fi
sdocker tag "$BUSYBOX_IMAGE" "$BUSYBOX_V2"

# Leftovers of earlier runs: the swarm tests label what they create berth.test.
sdocker service ls -q --filter label=berth.test | xargs -r docker -H "$HOST" service rm >/dev/null
sdocker secret ls -q --filter label=berth.test | xargs -r docker -H "$HOST" secret rm >/dev/null
sdocker config ls -q --filter label=berth.test | xargs -r docker -H "$HOST" config rm >/dev/null

log "swarm ok on $SOCK"
