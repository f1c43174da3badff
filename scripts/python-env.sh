#!/usr/bin/env bash
# Usage: scripts/python-env.sh
#
# Creates (once) the Python virtualenv the system tests use to verify audit exports with
# independent implementations (PyJWT for JOSE/EdDSA, rfc8785 for canonical JSON), brings
# its packages up to tests/python/requirements.txt, and prints the venv's path.
# Idempotent: a venv whose requirements are already installed is left alone.
# Location: $COUNTERSIGN_VENV, default ~/.cache/countersign-venv.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=${COUNTERSIGN_VENV:-$HOME/.cache/countersign-venv}
requirements=tests/python/requirements.txt
stamp="$venv/.countersign-requirements"

if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv" >&2
fi
if ! cmp -s "$requirements" "$stamp"; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$stamp"
fi
echo "$venv"
