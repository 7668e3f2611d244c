#!/usr/bin/env bash
# The soak runs, apart from the quick suite: thousands of jobs, 1,000-subscriber
# bursts (test/**/*.soak.test.ts, jest.soak.config.js), and the 30 s real-time
# schedule run (test/schedules.test.ts). Same set-up and harness
# as scripts/test.sh. The whole run is bounded by SOAK_TIMEOUT_SECONDS (default
# 900); past it jest is stopped and the run counts as failed.
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
# The soak tests import the service's sources (ts-jest) and, like the quick suite, may spawn the build.
npm run -s build || { echo "0 passed, 1 failed"; exit 1; }

# One jest run, bounded by what is left of the whole run's time; adds its counts to passed/failed.
deadline=$(( $(date +%s) + ${SOAK_TIMEOUT_SECONDS:-900} ))
passed=0
failed=0
run_jest() {
  local left=$(( deadline - $(date +%s) )) report p f status
  if (( left <= 0 )); then echo "soak: no time left for: $*" >&2; failed=$((failed + 1)); return; fi
  report=$(mktemp)
  timeout --kill-after=30 "$left" env NODE_OPTIONS="--experimental-vm-modules ${NODE_OPTIONS:-}" npx jest --json --outputFile="$report" "$@"
  status=$?
  [[ $status -eq 124 || $status -eq 137 ]] && echo "soak: stopped after ${SOAK_TIMEOUT_SECONDS:-900} s" >&2
  read -r p f < <(node scripts/jest-counts.mjs "$report")
  rm -f "$report"
  if [[ $status -ne 0 && $f -eq 0 ]]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
}

# test/**/*.soak.test.ts (thousands of jobs, 1,000-subscriber bursts, recovery under load)...
run_jest -c jest.soak.config.js "$@"
# ...and the quick suite's real-time schedule run at its soak length (30 s of once-a-second firings on two
# instances), unless the caller picked soak files.
if [[ $# -eq 0 ]]; then
  SCHEDULE_REALTIME_SECONDS=30 run_jest -c jest.config.js test/schedules.test.ts -t 'real time'
fi
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
