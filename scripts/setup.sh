#!/usr/bin/env bash
# Idempotent set-up shared by `npm start`, `npm test` and .ci/run:
# redis-server (Debian package), the FerretDB launcher, node_modules.
# Each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing redis-server"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "setup: redis-server is missing: run 'sudo apt-get install -y redis-server' (or set REDIS_URL)" >&2
    exit 1
  fi
fi
# The Debian package starts a system-wide redis-server; we run our own children on free ports.

bash scripts/build-ferretdb.sh

stamp=node_modules/.package-lock.stamp
if [[ ! -f "$stamp" ]] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
