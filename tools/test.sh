#!/usr/bin/env bash
# Runs the test suite and ends with one plain line, `N passed, N failed`, for CI.
set -u
cd "$(dirname "$0")/.."
DENO="${DENO:-node_modules/.bin/deno}"
log=$(mktemp)
NO_COLOR=1 "$DENO" test -A "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$log" | tail -n 1)
passed=$(sed -E 's/.*\| ([0-9]+) passed.*/\1/' <<<"$summary")
failed=$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$summary")
rm -f "$log"
if [ -z "$summary" ]; then
  # No summary: the run itself failed (type error, crash). Count it as one failure.
  echo "0 passed, 1 failed"
  exit 1
fi
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
