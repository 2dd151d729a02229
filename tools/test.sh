#!/usr/bin/env bash
# Runs the test suite and ends with one plain line, `N passed, N failed`, for CI. Before it, a
# summary of what did not run: tests skipped (registered with `ignore`, see tests/helpers/skip.ts)
# and parts of tests left out, counted by reason (no Chromium, no Jupyter, no oneDNN, no real
# data, …), and any ignored test that recorded no reason.
set -u
cd "$(dirname "$0")/.."
DENO="${DENO:-node_modules/.bin/deno}"
log=$(mktemp)
CEN_SKIP_LOG=$(mktemp)
export CEN_SKIP_LOG
# Runs the tests make write their records to a scratch folder, never into the committed records/.
CEN_RECORDS_DIR="${CEN_RECORDS_DIR:-$(mktemp -d)}"
export CEN_RECORDS_DIR
NO_COLOR=1 "$DENO" test -A "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$log" | tail -n 1)
passed=$(sed -E 's/.*\| ([0-9]+) passed.*/\1/' <<<"$summary")
failed=$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$summary")
ignored=$(grep -oE '\| [0-9]+ ignored' <<<"$summary" | grep -oE '[0-9]+')
rm -f "$log"

# The skip summary: one line per reason, most frequent first.
skipped_tests=$(awk -F'\t' '$2 == "test"' "$CEN_SKIP_LOG" | wc -l)
skipped_checks=$(awk -F'\t' '$2 == "check"' "$CEN_SKIP_LOG" | wc -l)
echo
echo "skipped: ${skipped_tests} tests (Deno counted ${ignored:-0} ignored), ${skipped_checks} parts of tests"
awk -F'\t' '$2 == "test" { n[$1]++ } END { for (r in n) printf "  %4d  %s\n", n[r], r }' \
  "$CEN_SKIP_LOG" | sort -rn
awk -F'\t' '$2 == "check" { n[$1]++; f[$1] = f[$1] ? f[$1] ", " $3 : $3 }
  END { for (r in n) printf "  %4d  %s (part of a test left out: %s)\n", n[r], r, f[r] }' \
  "$CEN_SKIP_LOG" | sort -rn
unexplained=$(( ${ignored:-0} - skipped_tests ))
if [ "$unexplained" -gt 0 ]; then
  echo "  ${unexplained}  ignored without a recorded reason (use skipUnless from tests/helpers/skip.ts)"
fi
rm -f "$CEN_SKIP_LOG"

if [ -z "$summary" ]; then
  # No summary: the run itself failed (type error, crash). Count it as one failure.
  echo "0 passed, 1 failed"
  exit 1
fi
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
