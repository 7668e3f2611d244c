#!/usr/bin/env bash
# Idempotent set-up shared by `npm start`, `npm test` and .ci/run:
# redis-server (Debian package), the FerretDB launcher, node_modules; with
# --browser also Debian's chromium for the admin app's browser tests.
# Each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_updated=0
# apt_install COMMAND PACKAGE: installs PACKAGE from Debian when COMMAND is missing.
apt_install() {
  command -v "$1" >/dev/null && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing $2"
    if [[ $apt_updated -eq 0 ]]; then apt-get update -qq; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  else
    echo "setup: $1 is missing: run 'sudo apt-get install -y $2'" >&2
    exit 1
  fi
}

apt_install redis-server redis-server
# The FerretDB launcher's build applies a patch to FerretDB's source (tools/ferretdb/patches).
apt_install patch patch
if [[ "${1:-}" == "--browser" && -z "${CHROMIUM_PATH:-}" ]]; then apt_install chromium chromium; fi
# The Debian package starts a system-wide redis-server; we run our own children on free ports.

bash scripts/build-ferretdb.sh

stamp=node_modules/.package-lock.stamp
if [[ ! -f "$stamp" ]] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
