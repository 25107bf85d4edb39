#!/usr/bin/env bash
# The body of `deno task test`: prepare the test bed, run every test suite,
# and finish with one machine-readable line:
#
#   berth: N passed, M failed
#
# Exit status is deno test's. When no test ran at all (no test files, a type
# error, everything filtered out, testbed failure) the last line instead reads
# `berth: no tests ran: <reason>` and the exit status is non-zero.
#
# Extra arguments go to `deno test`, e.g.
#   deno task test --filter containers
#   deno task test tests/unit/foo_test.ts     (paths replace the default dirs)
set -euo pipefail

# Work from the repo root no matter where we are called from.
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

STATE_DIR="${BERTH_TESTBED_DIR:-/tmp/berth-testbed}"
LOG="$STATE_DIR/test.log"
mkdir -p "$STATE_DIR"

# Plain output: deno honours NO_COLOR, which keeps the log and the summary
# parsing free of escape codes (we still strip them below, to be safe).
export NO_COLOR=1

no_tests() {
  echo "berth: no tests ran: $*"
  exit "${rc:-1}"
}

# Which deno: $DENO if given, else the one on PATH (deno task puts itself
# there when run through npx), else the deno that runs this task (our parent).
deno_bin="${DENO:-}"
if [[ -z "$deno_bin" ]]; then
  if command -v deno >/dev/null 2>&1; then
    deno_bin=deno
  elif [[ -n "${DENO_EXEC_PATH:-}" && -x "${DENO_EXEC_PATH}" ]]; then
    deno_bin="$DENO_EXEC_PATH"
  elif [[ "$(readlink "/proc/$PPID/exe" 2>/dev/null || true)" == */deno ]]; then
    deno_bin="$(readlink "/proc/$PPID/exe")"
  else
    no_tests "deno not found (set DENO=/path/to/deno)"
  fi
fi

# --- what to test ---------------------------------------------------------------
# If the caller named existing files/dirs, test only those; otherwise every
# default suite dir that holds test files (deno's default test file pattern).
explicit_paths=0
for arg in "$@"; do
  [[ "$arg" == -- ]] && break # what follows `--` is for the tests themselves
  if [[ "$arg" != -* && -e "$arg" ]]; then
    explicit_paths=1
  fi
done

dirs=()
if [[ $explicit_paths -eq 0 ]]; then
  for d in tests/unit tests/integration tests/e2e; do
    if [[ -d "$d" ]] && [[ -n "$(find "$d" -type f -regextype posix-extended \
      -regex '.*/([^/]*[_.])?test\.(ts|tsx|mts|js|mjs|jsx)' -print -quit)" ]]; then
      dirs+=("$d")
    fi
  done
  [[ ${#dirs[@]} -gt 0 ]] || no_tests "no *_test.ts files in tests/unit, tests/integration or tests/e2e"
fi

# --- test bed -----------------------------------------------------------------
if ! bash tests/testbed/setup.sh; then
  no_tests "testbed setup failed (logs in $STATE_DIR)"
fi

# --- run ----------------------------------------------------------------------
echo "berth: $deno_bin test -A --no-prompt ${dirs[*]-} $* (log: $LOG)" >&2
set +e
"$deno_bin" test -A --no-prompt "${dirs[@]}" "$@" 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
set -e

# --- summary --------------------------------------------------------------------
# deno's closing line, e.g.
#   ok | 42 passed (3 steps) | 0 failed (12s)
#   FAILED | 40 passed | 2 failed (1 step) | 1 ignored (10s)
# Counts are tests, not steps. Take the last such line in case output from a
# test happens to look similar.
summary="$(sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' "$LOG" |
  grep -E '^(ok|FAILED) \| [0-9]+ passed' | tail -n 1 || true)"
if [[ -z "$summary" ]]; then
  [[ $rc -ne 0 ]] || rc=1
  no_tests "deno test printed no summary (exit $rc; type errors or a crash? see $LOG)"
fi
passed="$(sed -E 's/^[A-Za-z]+ \| ([0-9]+) passed.*/\1/' <<<"$summary")"
failed="$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$summary")"
[[ "$failed" =~ ^[0-9]+$ ]] || failed=0

if [[ $((passed + failed)) -eq 0 ]]; then
  [[ $rc -ne 0 ]] || rc=1
  no_tests "0 tests executed (all filtered out or ignored?)"
fi

echo "berth: $passed passed, $failed failed"
exit "$rc"
