#!/usr/bin/env bash
# Test bed for berth: makes sure a Docker engine, the local test images and two
# local registries are available, and removes leftovers of earlier test runs.
#
# Runs as root on a Debian 12 (or Ubuntu) machine with no internet access other
# than the apt mirrors, so every image is built locally from busybox-static.
# Idempotent: a second run only checks things and cleans up (a few seconds).
#
# Tunables (all optional):
#   DOCKER_HOST           use this engine; must already answer, nothing is started
#   BERTH_DOCKERD_ARGS    extra arguments for dockerd when we have to start it
#   BERTH_TESTBED_DIR     state dir (default /tmp/berth-testbed)
set -euo pipefail

STATE_DIR="${BERTH_TESTBED_DIR:-/tmp/berth-testbed}"
DEFAULT_SOCK=/var/run/docker.sock

# Image names and registries the tests rely on. Keep in sync with the tests.
BUSYBOX_IMAGE=berth-test/busybox:latest
APP_IMAGE=berth-test/app:latest
OPEN_REG=127.0.0.1:5000
AUTH_REG=127.0.0.1:5001
AUTH_USER=berth
AUTH_PASS=berth-test-pass
# Bump when the image recipes below change, so existing images get rebuilt.
RECIPE_VERSION=1
RECIPE_LABEL=berth.testbed.recipe

# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

mkdir -p "$STATE_DIR"

# --------------------------------------------------------------------------
# Engine detection
# --------------------------------------------------------------------------

# DOCKER_HOST pointing at the default socket is the same as no DOCKER_HOST:
# then we are allowed to start dockerd ourselves.
custom_host=""
if [[ -n "${DOCKER_HOST:-}" && "$DOCKER_HOST" != "unix://$DEFAULT_SOCK" && "$DOCKER_HOST" != "unix:///run/docker.sock" ]]; then
  custom_host="$DOCKER_HOST"
fi

# True when an engine answers. Ask the docker CLI first (honours DOCKER_HOST
# and contexts); else ping the default socket with curl (fresh machine without
# a CLI, or a CLI that fails for its own reasons: never start a 2nd dockerd).
engine_answers() {
  if command -v docker >/dev/null 2>&1 &&
    docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; then
    return 0
  fi
  [[ -z "$custom_host" ]] && command -v curl >/dev/null 2>&1 &&
    curl -fsS --max-time 3 --unix-socket "$DEFAULT_SOCK" http://x/_ping >/dev/null 2>&1
}

# --------------------------------------------------------------------------
# Debian packages (installed only when a needed binary is missing)
# --------------------------------------------------------------------------

engine_up=0
engine_answers && engine_up=1

if [[ $engine_up -eq 0 && -n "$custom_host" ]]; then
  # We cannot start an engine "behind" an arbitrary DOCKER_HOST, and the tests
  # would use that DOCKER_HOST anyway, so fail loudly instead.
  die "DOCKER_HOST=$custom_host does not answer (docker version failed)"
fi

pkgs=()
command -v curl >/dev/null 2>&1 || pkgs+=(curl)
command -v docker >/dev/null 2>&1 || pkgs+=(docker.io)
if [[ $engine_up -eq 0 ]] && ! command -v dockerd >/dev/null 2>&1; then
  [[ " ${pkgs[*]-} " == *" docker.io "* ]] || pkgs+=(docker.io)
fi
find_static_busybox >/dev/null || pkgs+=(busybox-static)
[[ -x /usr/bin/docker-registry ]] || pkgs+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || pkgs+=(apache2-utils)

# --no-start: docker-registry's unit would grab :5000 (with a broken default
# config) and docker.io's init script would race with the dockerd we start below.
if [[ ${#pkgs[@]} -gt 0 ]]; then apt_install --no-start "${pkgs[@]}"; fi

# The compose tests check berth against the compose CLI (Debian's docker-compose
# 1.29). Without recommends: it recommends docker.io, which the engine check
# above already decided about.
command -v docker-compose >/dev/null 2>&1 || apt_install --no-recommends docker-compose

BUSYBOX_BIN="$(find_static_busybox)" || die "no statically linked busybox found"

# --------------------------------------------------------------------------
# Start dockerd if needed
# --------------------------------------------------------------------------

if [[ $engine_up -eq 0 ]]; then
  [[ $EUID -eq 0 ]] || die "no Docker engine answers and starting dockerd needs root"
  log "no engine answers; starting dockerd (log: $STATE_DIR/dockerd.log)"
  # No systemd here: run dockerd detached. setsid keeps it out of our process
  # group (a Ctrl-C on the tests must not kill it) and all fds are redirected
  # so it never holds the caller's stdout pipe (e.g. run.sh's tee) open.
  # shellcheck disable=SC2086 # BERTH_DOCKERD_ARGS is intentionally word-split
  setsid nohup dockerd ${BERTH_DOCKERD_ARGS:-} </dev/null >>"$STATE_DIR/dockerd.log" 2>&1 &
  dockerd_pid=$!
  echo "$dockerd_pid" >"$STATE_DIR/dockerd.pid"
  for ((i = 0; i < 120; i++)); do
    if curl -fsS --max-time 2 --unix-socket "$DEFAULT_SOCK" http://x/_ping >/dev/null 2>&1; then
      break
    fi
    if ! kill -0 "$dockerd_pid" 2>/dev/null; then
      tail -n 20 "$STATE_DIR/dockerd.log" >&2
      die "dockerd exited during startup"
    fi
    sleep 0.5
  done
  engine_answers || {
    tail -n 20 "$STATE_DIR/dockerd.log" >&2
    die "dockerd did not answer on $DEFAULT_SOCK within 60s"
  }
fi

api_version="$(docker version --format '{{.Server.APIVersion}}')"
log "engine answers (API $api_version)"

# --------------------------------------------------------------------------
# Clean up leftovers of earlier (possibly aborted) test runs
# --------------------------------------------------------------------------

# Tests label everything they create with berth.test. Containers first, since
# they hold references to networks and volumes.
docker ps -aq --filter label=berth.test | xargs -r docker rm -f >/dev/null
docker network ls -q --filter label=berth.test | xargs -r docker network rm >/dev/null
docker volume ls -q --filter label=berth.test | xargs -r docker volume rm -f >/dev/null
# A compose up that policy refuses part-way leaves the project's default network
# (networks come before containers), which carries compose's labels, not ours:
# remove the berth-made compose networks no container uses, or a few dozen runs
# exhaust the engine's address pools ("no available IPv4 address pool").
for net in $(docker network ls -q --filter label=com.docker.compose.version=2.24.0+berth); do
  if [[ "$(docker network inspect -f '{{len .Containers}}' "$net" 2>/dev/null)" == 0 ]]; then
    docker network rm "$net" >/dev/null 2>&1 || true
  fi
done

# --------------------------------------------------------------------------
# Test images (built locally: no public registry is reachable)
# --------------------------------------------------------------------------

# IDs of images replaced by a rebuild; removed at the very end, once the
# registry tags have moved to the new image too.
stale_ids=()

# Prints the recipe label of an image, or nothing when the image is missing.
image_recipe() {
  docker image inspect --format "{{index .Config.Labels \"$RECIPE_LABEL\"}}" "$1" 2>/dev/null || true
}

# The busybox image depends only on the busybox binary and the recipe below.
busybox_recipe="v$RECIPE_VERSION-$(sha256sum "$BUSYBOX_BIN" | cut -c1-16)"
if [[ "$(image_recipe "$BUSYBOX_IMAGE")" == "$busybox_recipe" ]]; then
  log "image $BUSYBOX_IMAGE present"
else
  log "building $BUSYBOX_IMAGE from $BUSYBOX_BIN"
  old_id="$(docker image inspect --format '{{.Id}}' "$BUSYBOX_IMAGE" 2>/dev/null || true)"
  build_dir="$STATE_DIR/build"
  rm -rf "$build_dir"
  rootfs="$build_dir/rootfs"
  mkdir -p "$rootfs"/{bin,etc,tmp,proc,sys,dev,var/log,root}
  chmod 1777 "$rootfs/tmp"
  chmod 0700 "$rootfs/root"
  cp "$BUSYBOX_BIN" "$rootfs/bin/busybox"
  # `busybox --install -s` would need a chroot; plain symlinks are equivalent.
  while read -r applet; do
    if [[ -n "$applet" && "$applet" != busybox ]]; then
      ln -sf busybox "$rootfs/bin/$applet"
    fi
  done < <("$BUSYBOX_BIN" --list)
  cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
  cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
  # docker import sets no PATH; the engine adds a default one, but be explicit.
  tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -c . |
    docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["sh"]' \
      --change "LABEL $RECIPE_LABEL=$busybox_recipe" \
      - "$BUSYBOX_IMAGE" >/dev/null
  rm -rf "$build_dir"
  [[ -z "$old_id" ]] || stale_ids+=("$old_id")
fi

# The app image: a tiny HTTP service (busybox httpd) so tests have something
# long-running with a port, labels and log output.
app_dockerfile='FROM berth-test/busybox:latest
LABEL org.opencontainers.image.title="berth test app" berth.testbed.role="app"
COPY index.html /srv/index.html
EXPOSE 8080
CMD ["sh", "-c", "echo berth-test app listening on 8080; exec httpd -f -v -p 8080 -h /srv"]
'
app_index='hello from berth-test/app'
busybox_id="$(docker image inspect --format '{{.Id}}' "$BUSYBOX_IMAGE")"
# Depends on the Dockerfile, its context and on the exact base image.
app_recipe="v$RECIPE_VERSION-$(printf '%s\n%s\n%s' "$app_dockerfile" "$app_index" "$busybox_id" | sha256sum | cut -c1-16)"
if [[ "$(image_recipe "$APP_IMAGE")" == "$app_recipe" ]]; then
  log "image $APP_IMAGE present"
else
  log "building $APP_IMAGE"
  old_id="$(docker image inspect --format '{{.Id}}' "$APP_IMAGE" 2>/dev/null || true)"
  build_dir="$STATE_DIR/build-app"
  rm -rf "$build_dir"
  mkdir -p "$build_dir"
  printf '%s' "$app_dockerfile" >"$build_dir/Dockerfile"
  printf '%s\n' "$app_index" >"$build_dir/index.html"
  # Legacy builder first: BuildKit/buildx is not guaranteed to exist (Debian's
  # docker.io 20.10 has no buildx) and the legacy builder never looks for FROM
  # images online. Newer engines may drop the legacy builder (e.g. with the
  # containerd image store); BuildKit's docker driver also sees local images.
  build_args=(build -q --label "$RECIPE_LABEL=$app_recipe" -t "$APP_IMAGE" "$build_dir")
  if ! DOCKER_BUILDKIT=0 docker "${build_args[@]}" >"$STATE_DIR/build-app.log" 2>&1 &&
    ! DOCKER_BUILDKIT=1 docker "${build_args[@]}" >>"$STATE_DIR/build-app.log" 2>&1; then
    cat "$STATE_DIR/build-app.log" >&2
    die "docker build of $APP_IMAGE failed"
  fi
  rm -rf "$build_dir"
  [[ -z "$old_id" ]] || stale_ids+=("$old_id")
fi

# --------------------------------------------------------------------------
# Local registries (Debian's docker-registry, bound to loopback only)
# --------------------------------------------------------------------------

# HTTP status of GET /v2/ on a registry, "000" when nothing answers.
registry_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$1/v2/" 2>/dev/null || true
}

# start_registry NAME ADDR EXPECTED_STATUS [AUTH_YAML]
start_registry() {
  local name="$1" addr="$2" want="$3" auth_yaml="${4:-}"
  local dir="$STATE_DIR/registry-$name" status
  status="$(registry_status "$addr")"
  if [[ "$status" == "$want" ]]; then
    log "registry $name on $addr already up"
    return 0
  fi
  [[ "$status" == 000 ]] || die "something else answers on $addr (GET /v2/ -> $status, want $want)"

  mkdir -p "$dir/storage"
  cat >"$dir/config.yml" <<EOF
# Generated by tests/testbed/setup.sh
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: $addr
  # Single instance; a fixed secret only silences the startup warning.
  secret: berth-testbed-not-a-secret
$auth_yaml
EOF
  log "starting registry $name on $addr (log: $STATE_DIR/registry-$name.log)"
  setsid nohup /usr/bin/docker-registry serve "$dir/config.yml" \
    </dev/null >>"$STATE_DIR/registry-$name.log" 2>&1 &
  echo $! >"$dir/pid"
  local i
  for ((i = 0; i < 60; i++)); do
    [[ "$(registry_status "$addr")" == "$want" ]] && return 0
    sleep 0.25
  done
  tail -n 20 "$STATE_DIR/registry-$name.log" >&2
  die "registry $name did not answer on $addr within 15s"
}

start_registry open "$OPEN_REG" 200

# bcrypt htpasswd; regenerate only when missing or not matching the password.
htpasswd_file="$STATE_DIR/registry-auth/htpasswd"
mkdir -p "$STATE_DIR/registry-auth"
if ! htpasswd -vb "$htpasswd_file" "$AUTH_USER" "$AUTH_PASS" >/dev/null 2>&1; then
  htpasswd -Bbn "$AUTH_USER" "$AUTH_PASS" >"$htpasswd_file"
fi
start_registry auth "$AUTH_REG" 401 "auth:
  htpasswd:
    realm: berth-test
    path: $htpasswd_file"

# --------------------------------------------------------------------------
# Seed the registries
# --------------------------------------------------------------------------

# Pushing is idempotent and cheap when the layer already exists.
push_quiet() {
  if ! docker push "$1" >"$STATE_DIR/push.log" 2>&1; then
    cat "$STATE_DIR/push.log" >&2
    die "docker push $1 failed"
  fi
}

docker tag "$BUSYBOX_IMAGE" "$OPEN_REG/berth-test/busybox:latest"
push_quiet "$OPEN_REG/berth-test/busybox:latest"

# Also seed the auth registry so authenticated pulls can be tested. Log in
# with a throwaway DOCKER_CONFIG so root's real credentials are never touched.
docker tag "$BUSYBOX_IMAGE" "$AUTH_REG/berth-test/busybox:latest"
tmp_config="$(mktemp -d "$STATE_DIR/docker-config.XXXXXX")"
trap 'rm -rf "$tmp_config"' EXIT
if ! printf '%s' "$AUTH_PASS" |
  DOCKER_CONFIG="$tmp_config" docker login -u "$AUTH_USER" --password-stdin "$AUTH_REG" \
    >"$STATE_DIR/login.log" 2>&1; then
  cat "$STATE_DIR/login.log" >&2
  die "docker login $AUTH_REG failed"
fi
DOCKER_CONFIG="$tmp_config" push_quiet "$AUTH_REG/berth-test/busybox:latest"

# Best effort, and without -f: an old image still used by a container stays.
# Pushed images keep "repo@digest" references, which must go one by one.
for id in "${stale_ids[@]}"; do
  refs="$(docker image inspect --format '{{join .RepoDigests "\n"}}' "$id" 2>/dev/null || true)"
  # shellcheck disable=SC2086 # one reference per word, by design
  docker rmi $refs "$id" >/dev/null 2>&1 || true
done

# Second engine kinds for the several-engines tests (issue 16): podman, and sshd for ssh://.
bash "$(dirname "${BASH_SOURCE[0]}")/podman.sh"
bash "$(dirname "${BASH_SOURCE[0]}")/sshd.sh"
# A single-node Swarm on a second dockerd (the swarm tests), never on this engine.
bash "$(dirname "${BASH_SOURCE[0]}")/swarm.sh"

# The local Deno base image `deno task image` builds berth's Dockerfile on.
bash "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/deno_base.sh"

log "engine ok (API $api_version), images ok, registries $OPEN_REG $AUTH_REG"

# Headless Chromium for the dashboard test.
bash "$(dirname "${BASH_SOURCE[0]}")/chromium.sh"
