#!/usr/bin/env bash
# Headless Chromium for the dashboard's browser test (tests/e2e/dashboard_test.ts):
# Debian's `chromium` package, installed once. The test drives it over the
# DevTools protocol itself (tests/helpers/chromium.ts), so no driver or
# browser download is needed. Idempotent; a no-op when /usr/bin/chromium exists.
set -euo pipefail

STATE_DIR="${BERTH_TESTBED_DIR:-/tmp/berth-testbed}"
mkdir -p "$STATE_DIR/artifacts"

if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
[[ $EUID -eq 0 ]] || {
  echo "testbed: ERROR: installing chromium needs root" >&2
  exit 1
}
echo "testbed: installing chromium (apt log: $STATE_DIR/apt.log)" >&2
{
  apt-get update &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
} >>"$STATE_DIR/apt.log" 2>&1 || {
  tail -n 20 "$STATE_DIR/apt.log" >&2
  echo "testbed: ERROR: apt-get install chromium failed" >&2
  exit 1
}
