#!/usr/bin/env bash
# `deno task image`: builds the Dockerfile as berth:local on the local Deno
# base that tests/testbed/deno_base.sh makes (no base image can be pulled
# here). The build fetches berth's npm dependencies once, so it uses the host's
# network (--network host: a build container's bridge may have none).
#
#   packaging/image/build.sh [TAG]        default TAG: berth:local
set -euo pipefail

repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
tag="${1:-berth:local}"
version="$(node -p 'require(process.argv[1]).dependencies.deno' "$repo/packaging/npm/package.json")"
base="berth-test/deno-base:$version"
docker image inspect "$base" >/dev/null 2>&1 || bash "$repo/tests/testbed/deno_base.sh"

# Legacy builder first: Debian's docker.io has no buildx; BuildKit where the
# legacy builder is gone.
args=(build --network host --build-arg "DENO_IMAGE=$base" --build-arg "BERTH_IMAGE=$tag" -t "$tag" "$repo")
DOCKER_BUILDKIT=0 docker "${args[@]}" || DOCKER_BUILDKIT=1 docker "${args[@]}"
