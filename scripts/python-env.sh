#!/usr/bin/env bash
# Usage: scripts/python-env.sh [REQUIREMENTS VENV]
#
# Creates (once) a Python virtualenv at VENV, brings its packages up to the pinned
# REQUIREMENTS file, and prints the venv's path. Idempotent: a venv whose requirements are
# already installed is left alone. Progress goes to stderr.
#
# Without arguments: the venv the system tests use to verify audit exports with
# independent implementations (PyJWT for JOSE/EdDSA, rfc8785 for canonical JSON),
# tests/python/requirements.txt at $COUNTERSIGN_VENV (default ~/.cache/countersign-venv).
# langgraph-env.sh and humanlayer-env.sh prepare theirs through it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

requirements=${1:-tests/python/requirements.txt}
venv=${2:-${COUNTERSIGN_VENV:-$HOME/.cache/countersign-venv}}
stamp="$venv/.countersign-requirements"

if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv" >&2
fi
if ! cmp -s "$requirements" "$stamp"; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$stamp"
fi
echo "$venv"
