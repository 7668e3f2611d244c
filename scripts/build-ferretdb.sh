#!/usr/bin/env bash
# Builds the embedded FerretDB launcher (tools/ferretdb) into .tools/ferretdb.
# Downloads nothing but Go modules (GOTOOLCHAIN=local: never a Go toolchain).
# Skips the build when the binary is newer than its inputs. Needs Go >= 1.24.
#
# FerretDB is built from a patched copy of its module source: the module is
# copied from the Go module cache into .tools/ferretdb-build/FerretDB, the
# patches in tools/ferretdb/patches/ are applied there, and the launcher is
# built with a generated copy of its go.mod that replaces the module with that
# folder (go build -modfile). FerretDB's source is never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=.tools/ferretdb
mod=github.com/FerretDB/FerretDB
ver=v1.24.2 # the patches are written against this version

inputs=(tools/ferretdb/*.go tools/ferretdb/go.mod tools/ferretdb/go.sum tools/ferretdb/patches/*.patch scripts/build-ferretdb.sh)
fresh=1
if [[ -x "$out" ]]; then
  for f in "${inputs[@]}"; do
    if [[ ! "$out" -nt "$f" ]]; then fresh=0; break; fi
  done
else
  fresh=0
fi
if [[ $fresh == 1 ]]; then
  exit 0
fi

if ! command -v go >/dev/null; then
  echo "build-ferretdb: Go is not installed (need Go >= 1.24: apt-get install golang or see go.dev/doc/install)" >&2
  exit 1
fi
if ! grep -q "^[[:space:]]*$mod $ver\$" tools/ferretdb/go.mod; then
  echo "build-ferretdb: tools/ferretdb/go.mod does not require $mod $ver, which the patches in tools/ferretdb/patches/ are written for" >&2
  exit 1
fi
export GOTOOLCHAIN=local CGO_ENABLED=0
start=$(date +%s)

# The module's source: downloaded into the module cache first (a fresh machine has none).
src=$(cd tools/ferretdb && go mod download -json "$mod@$ver" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
if [[ -z "$src" || ! -f "$src/go.mod" ]]; then
  echo "build-ferretdb: go mod download did not give the source of $mod@$ver" >&2
  exit 1
fi

# A fresh, writable, patched copy (the module cache is read-only).
build=.tools/ferretdb-build
rm -rf "$build"
mkdir -p "$build"
cp -R "$src" "$build/FerretDB"
chmod -R u+w "$build/FerretDB"
for p in tools/ferretdb/patches/*.patch; do
  if ! patch -p1 --batch --forward --quiet -d "$build/FerretDB" <"$p"; then
    echo "build-ferretdb: $p does not apply to $mod@$ver" >&2
    exit 1
  fi
done

# The launcher's go.mod and go.sum, plus a replace directive pointing at the patched copy.
cp tools/ferretdb/go.mod "$build/go.mod"
cp tools/ferretdb/go.sum "$build/go.sum"
go mod edit -replace "$mod@$ver=$root/$build/FerretDB" "$build/go.mod"

(cd tools/ferretdb && go build -modfile="$root/$build/go.mod" -trimpath -o "$root/.tools/ferretdb.tmp" .)
mv .tools/ferretdb.tmp "$out"
echo "build-ferretdb: built $out (patched: $(cd tools/ferretdb/patches && echo *.patch)) in $(( $(date +%s) - start ))s"
