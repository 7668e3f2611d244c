#!/usr/bin/env bash
# Builds the embedded FerretDB launcher (tools/ferretdb) into .tools/ferretdb.
# Downloads nothing but Go modules (GOTOOLCHAIN=local: never a Go toolchain).
# Skips the build when the binary is newer than its sources. Needs Go >= 1.24.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.tools/ferretdb
if [[ -x "$out" && "$out" -nt tools/ferretdb/main.go && "$out" -nt tools/ferretdb/go.sum && "$out" -nt tools/ferretdb/go.mod ]]; then
  exit 0
fi
if ! command -v go >/dev/null; then
  echo "build-ferretdb: Go is not installed (need Go >= 1.24: apt-get install golang or see go.dev/doc/install)" >&2
  exit 1
fi
mkdir -p .tools
start=$(date +%s)
(cd tools/ferretdb && GOTOOLCHAIN=local CGO_ENABLED=0 go build -trimpath -o ../../.tools/ferretdb.tmp .)
mv .tools/ferretdb.tmp "$out"
echo "build-ferretdb: built $out in $(( $(date +%s) - start ))s"
