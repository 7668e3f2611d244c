#!/usr/bin/env bash
# Idempotent: the Python client's virtual environment at clients/python/.venv with the pinned test
# dependencies (clients/python/requirements-dev.txt) from the registry, and the package itself
# installed from clients/python (reinstalled on every run, so it is the code in the tree that is tested).
# Used by scripts/test-python.sh and `npm run bench:python`.
set -euo pipefail
cd "$(dirname "$0")/.."
py_dir=clients/python
venv=$py_dir/.venv

if ! command -v python3 >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "python-env: installing python3"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
  else
    echo "python-env: python3 is missing: run 'sudo apt-get install -y python3 python3-venv'" >&2
    exit 1
  fi
fi
if [[ ! -x $venv/bin/python ]]; then
  if ! python3 -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    # Debian ships the venv module (and ensurepip) in a package of its own.
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      echo "python-env: installing python3-venv"
      apt-get update -qq
      version=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${version}-venv" >/dev/null
    else
      echo "python-env: python3 -m venv failed: run 'sudo apt-get install -y python3-venv'" >&2
      exit 1
    fi
    python3 -m venv "$venv"
  fi
fi

stamp=$venv/.requirements-dev.stamp
if [[ ! -f $stamp ]] || ! cmp -s "$py_dir/requirements-dev.txt" "$stamp"; then
  echo "python-env: installing the pinned test dependencies"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$py_dir/requirements-dev.txt"
  cp "$py_dir/requirements-dev.txt" "$stamp"
fi
# hatchling comes pinned with the test dependencies: no build isolation, so no download per run.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps --force-reinstall "./$py_dir"
