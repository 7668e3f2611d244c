#!/usr/bin/env bash
# The whole test suite: set-up, generated types in sync with the schema,
# type check, then jest against a real FerretDB and redis-server (started by
# the harness on free ports unless MONGODB_URI / REDIS_URL are set; each file's
# tests in a random order, the seed printed), then the Python client's suite
# (scripts/test-python.sh; it makes its own virtualenv).
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser || exit 1

failed_checks=0
passed_checks=0
if node scripts/codegen-check.mjs; then passed_checks=$((passed_checks + 1)); else failed_checks=$((failed_checks + 1)); fi
if npx tsc -p tsconfig.json --noEmit; then passed_checks=$((passed_checks + 1)); else echo "typecheck failed" >&2; failed_checks=$((failed_checks + 1)); fi
if npx tsc -p admin/tsconfig.json; then passed_checks=$((passed_checks + 1)); else echo "admin typecheck failed" >&2; failed_checks=$((failed_checks + 1)); fi
# The dev-mode tests run the built service as a user would; the browser tests load the built admin app.
npm run -s build || failed_checks=$((failed_checks + 1))

# Each file's tests run in a random order (jest --randomize), so a test that leans on what another left
# fails here. The seed is printed at the end; `bash scripts/test.sh --seed=N` runs the same order again.
seed=""
prev=""
for arg in "$@"; do
  case "$arg" in --seed=*) seed="${arg#--seed=}" ;; esac
  [[ "$prev" == "--seed" ]] && seed="$arg"
  prev="$arg"
done
seed_args=()
if [[ -z "$seed" ]]; then
  seed=$(node -e 'console.log(require("crypto").randomInt(-2147483648, 2147483647))')
  seed_args=(--seed="$seed")
fi
report=$(mktemp)
NODE_OPTIONS="--experimental-vm-modules ${NODE_OPTIONS:-}" npx jest --randomize "${seed_args[@]}" --json --outputFile="$report" "$@"
jest_status=$?
read -r jp jf < <(node -e 'try{const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(r.numPassedTests,r.numFailedTests+r.numRuntimeErrorTestSuites)}catch{console.log(0,1)}' "$report")
rm -f "$report"
# The Python client's suite (scripts/test-python.sh) against the service just built; its closing line is added in.
py_out=$(mktemp)
SKIP_BUILD=1 bash scripts/test-python.sh | tee "$py_out"
read -r pp pf < <(tail -n 1 "$py_out" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/p; t; s/.*/0 1/p')
rm -f "$py_out"
[[ -n "${pf:-}" ]] || { pp=0; pf=1; }
passed=$((jp + pp + passed_checks))
failed=$((jf + pf + failed_checks))
if [[ $jest_status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "jest ran each file's tests in a random order, seed ${seed}: bash scripts/test.sh --seed=${seed} repeats it"
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
