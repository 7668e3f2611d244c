#!/usr/bin/env bash
# The soak runs, apart from the quick suite: thousands of jobs, 1,000-subscriber
# bursts (test/**/*.soak.test.ts, jest.soak.config.js). Same set-up and harness
# as scripts/test.sh. The whole run is bounded by SOAK_TIMEOUT_SECONDS (default
# 900); past it jest is stopped and the run counts as failed.
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
# The soak tests import the service's sources (ts-jest) and, like the quick suite, may spawn the build.
npm run -s build || { echo "0 passed, 1 failed"; exit 1; }

report=$(mktemp)
timeout --kill-after=30 "${SOAK_TIMEOUT_SECONDS:-900}" \
  env NODE_OPTIONS="--experimental-vm-modules ${NODE_OPTIONS:-}" npx jest -c jest.soak.config.js --json --outputFile="$report" "$@"
jest_status=$?
[[ $jest_status -eq 124 || $jest_status -eq 137 ]] && echo "soak: stopped after ${SOAK_TIMEOUT_SECONDS:-900} s" >&2
read -r passed failed < <(node scripts/jest-counts.mjs "$report")
rm -f "$report"
if [[ $jest_status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
