#!/usr/bin/env bash
# Runs the dev runner's scenario tests (RELIABILITY section E, 41-50: packages/cli/test/run-*.test.ts)
# N times in a row with a busy loop on the other core, as issue 13's "Done when" asks.
# Usage: bash scripts/repeat-tests.sh [N=10] [test files...]   (the packages must be built: pnpm build)
# Prints one line per run and a last line "passed P of N runs"; exits 1 if any run failed (its
# output is kept in a temp file, named in its line).
set -u
cd "$(dirname "$0")/.."
runs="${1:-10}"
shift || true
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(packages/cli/test/run-*.test.ts)

# The busy loop: one Node process spinning, pinned to the last core when taskset is there.
busy=(node -e "for (;;) {}")
command -v taskset >/dev/null && busy=(taskset -c "$(($(nproc) - 1))" "${busy[@]}")
"${busy[@]}" &
busy_pid=$!
tests_pid=""
trap 'kill "$busy_pid" 2>/dev/null' EXIT
# Stopped (Ctrl-C, SIGTERM): the run in progress goes too, not only this script.
trap '[ -n "$tests_pid" ] && kill "$tests_pid" 2>/dev/null; exit 130' INT TERM

passed=0
for i in $(seq 1 "$runs"); do
  log="$(mktemp -t aiq-repeat-XXXXXX.log)"
  start=$(date +%s)
  # In the background and waited for, so that a signal to this script is handled at once.
  node_modules/.bin/vitest run "${files[@]}" --typecheck.enabled=false >"$log" 2>&1 &
  tests_pid=$!
  if wait "$tests_pid"; then
    passed=$((passed + 1))
    echo "run $i: passed ($(($(date +%s) - start)) s, load $(cut -d' ' -f1-3 /proc/loadavg))"
    rm -f "$log"
  else
    echo "run $i: FAILED ($(($(date +%s) - start)) s, load $(cut -d' ' -f1-3 /proc/loadavg)); output in $log"
  fi
done
echo "passed $passed of $runs runs"
[ "$passed" -eq "$runs" ]
