#!/usr/bin/env bash
# Headless Chromium for the dashboard's browser test (tests/e2e/dashboard_test.ts):
# Debian's `chromium` package, installed once. The test drives it over the
# DevTools protocol itself (tests/helpers/chromium.ts), so no driver or
# browser download is needed. Idempotent; a no-op when /usr/bin/chromium exists.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

STATE_DIR="${BERTH_TESTBED_DIR:-/tmp/berth-testbed}"
mkdir -p "$STATE_DIR/artifacts"

[[ -x /usr/bin/chromium ]] || apt_install --no-recommends chromium
