#!/usr/bin/env bash
# The Python client's suite (clients/python): its environment (scripts/python-env.sh), the built
# service and the test launcher (test/harness/serviceLauncher.ts, built by tsconfig.harness.json),
# then mypy --strict (counted as one check) and pytest against the real service (FerretDB,
# redis-server and a local JWKS, started by the launcher). SKIP_BUILD=1 skips `npm run -s build`
# (scripts/test.sh has built already). Extra arguments go to pytest.
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

if ! bash scripts/python-env.sh; then
  echo "python environment set-up failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
if [[ "${SKIP_BUILD:-}" != "1" ]] && ! npm run -s build; then
  echo "build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
if ! npx tsc -p tsconfig.harness.json; then
  echo "the test launcher did not build" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

venv=clients/python/.venv
passed=0
failed=0
if (cd clients/python && .venv/bin/mypy --strict); then passed=$((passed + 1)); else echo "mypy --strict failed" >&2; failed=$((failed + 1)); fi

report=$(mktemp)
(cd clients/python && .venv/bin/python -m pytest -q --junitxml="$report" "$@")
pytest_status=$?
read -r tp tf < <("$venv/bin/python" - "$report" <<'PY'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(s.get("tests", 0)) for s in suites)
    bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    print(total - bad - skipped, bad)
except Exception:
    print(0, 1)
PY
)
rm -f "$report"
passed=$((passed + tp))
failed=$((failed + tf))
# pytest failing without a failed test (collection error, no tests): still a failure.
if [[ $pytest_status -ne 0 && $tf -eq 0 ]]; then failed=$((failed + 1)); fi
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
