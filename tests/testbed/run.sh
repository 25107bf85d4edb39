#!/usr/bin/env bash
# The body of `deno task test`: prepare the test bed, run every test suite,
# and finish with one machine-readable line:
#
#   berth: N passed, M failed
#
# The default run is two groups at once (the machine has two cores):
#   engine  tests/integration and tests/e2e against the main test engine, one
#           file at a time (several read engine-wide state, e.g. docker ps -a)
#   side    tests/unit, and the suites whose engines are their own (Podman,
#           the Swarm dockerd), which never touch the main engine's objects
# Every test file belongs to exactly one group, and a file deno did not run
# fails the run (a directory deno silently skipped once hid every e2e test).
#
# Exit status is non-zero when a test failed. When no test ran at all (no test
# files, a type error, everything filtered out, testbed failure) the last line
# instead reads `berth: no tests ran: <reason>` and the exit status is non-zero.
#
# Extra arguments go to `deno test`, e.g.
#   deno task test --filter containers
#   deno task test tests/unit/foo_test.ts     (paths replace the default groups)
set -euo pipefail

# Work from the repo root no matter where we are called from.
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

STATE_DIR="${BERTH_TESTBED_DIR:-/tmp/berth-testbed}"
mkdir -p "$STATE_DIR"

# Suites on engines of their own: they run beside the engine group.
SIDE_SUITES=(tests/integration/podman_test.ts tests/integration/swarm_test.ts)

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

# Test files below the given directories, by deno's default pattern, sorted.
test_files() {
  find "$@" -type f -regextype posix-extended \
    -regex '.*/([^/]*[_.])?test\.(ts|tsx|mts|js|mjs|jsx)' 2>/dev/null | sort
}

# --- what to test ---------------------------------------------------------------
# If the caller named existing files/dirs, test only those, in one run.
explicit_paths=0
for arg in "$@"; do
  [[ "$arg" == -- ]] && break # what follows `--` is for the tests themselves
  if [[ "$arg" != -* && -e "$arg" ]]; then
    explicit_paths=1
  fi
done

engine_group=()
side_group=()
if [[ $explicit_paths -eq 0 ]]; then
  mapfile -t side_group < <(
    test_files tests/unit
    for f in "${SIDE_SUITES[@]}"; do [[ -f "$f" ]] && echo "$f"; done
  )
  mapfile -t engine_group < <(
    test_files tests/integration tests/e2e | grep -vxF -f <(printf '%s\n' "${SIDE_SUITES[@]}")
  )
  [[ $((${#engine_group[@]} + ${#side_group[@]})) -gt 0 ]] ||
    no_tests "no *_test.ts files in tests/unit, tests/integration or tests/e2e"
fi

# --- test bed -----------------------------------------------------------------
if ! bash tests/testbed/setup.sh; then
  no_tests "testbed setup failed (logs in $STATE_DIR)"
fi

# --- the bundle ----------------------------------------------------------------
# The e2e tests run dist/bundle/ (what the npm package, the image and the
# binaries ship): built once here, before the groups start servers at once.
if ! "$deno_bin" run -A packaging/bundle.ts; then
  no_tests "deno bundle failed (deno task build)"
fi

# --- run ----------------------------------------------------------------------
# run_group NAME FILES... : one deno test run, its output in $STATE_DIR/test-NAME.log.
run_group() {
  local name="$1" log="$STATE_DIR/test-$1.log"
  shift
  echo "berth: [$name] $deno_bin test -A --no-prompt $* (log: $log)" >&2
  "$deno_bin" test -A --no-prompt "$@" >"$log" 2>&1
}

# The counts of a group's closing line, e.g.
#   ok | 42 passed (3 steps) | 0 failed (12s)
#   FAILED | 40 passed | 2 failed (1 step) | 1 ignored (10s)
# as "passed failed", or nothing when deno printed none. Counts are tests, not
# steps; the last such line, in case a test's output looks similar.
group_counts() {
  local summary
  summary="$(sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' "$STATE_DIR/test-$1.log" |
    grep -E '^(ok|FAILED) \| [0-9]+ passed' | tail -n 1 || true)"
  [[ -n "$summary" ]] || return 0
  local p f
  p="$(sed -E 's/^[A-Za-z]+ \| ([0-9]+) passed.*/\1/' <<<"$summary")"
  f="$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$summary")"
  [[ "$f" =~ ^[0-9]+$ ]] || f=0
  echo "$p $f"
}

# Test files of a group that deno never announced ("running N tests from ./F").
unrun_files() {
  local name="$1" f
  shift
  for f in "$@"; do
    grep -qF "from ./$f" "$STATE_DIR/test-$name.log" || echo "$f"
  done
}

set +e
if [[ $explicit_paths -eq 1 ]]; then
  groups=(tests)
  run_group tests "$@"
  rcs=($?)
  cat "$STATE_DIR/test-tests.log"
else
  groups=(engine side)
  run_group side "${side_group[@]}" "$@" &
  side_pid=$!
  run_group engine "${engine_group[@]}" "$@"
  engine_rc=$?
  wait "$side_pid"
  side_rc=$?
  rcs=("$engine_rc" "$side_rc")
  cat "$STATE_DIR/test-engine.log" "$STATE_DIR/test-side.log"
fi
set -e

# --- summary --------------------------------------------------------------------
rc=0
passed=0
failed=0
for i in "${!groups[@]}"; do
  name="${groups[$i]}"
  [[ ${rcs[$i]} -eq 0 ]] || rc=${rcs[$i]}
  read -r p f <<<"$(group_counts "$name")" || true
  if [[ -z "${p:-}" ]]; then
    [[ $rc -ne 0 ]] || rc=1
    no_tests "deno test printed no summary for group $name (type errors or a crash? see $STATE_DIR/test-$name.log)"
  fi
  passed=$((passed + p))
  failed=$((failed + f))
done

# (A --filter hides the files it filters out: no check then.)
if [[ $explicit_paths -eq 0 && " $* " != *" --filter"* ]]; then
  missing="$(unrun_files engine "${engine_group[@]}"; unrun_files side "${side_group[@]}")"
  if [[ -n "$missing" ]]; then
    echo "berth: these test files did not run:" >&2
    echo "$missing" >&2
    failed=$((failed + $(wc -l <<<"$missing")))
    [[ $rc -ne 0 ]] || rc=1
  fi
fi

if [[ $((passed + failed)) -eq 0 ]]; then
  [[ $rc -ne 0 ]] || rc=1
  no_tests "0 tests executed (all filtered out or ignored?)"
fi

echo "berth: $passed passed, $failed failed"
exit "$rc"
