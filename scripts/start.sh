#!/usr/bin/env bash
# Starts the service. With nothing configured it runs on the embedded default:
# its own FerretDB, redis-server and dev token issuer, all under ./.data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run -s build
exec node dist/src/main.js
