#!/usr/bin/env bash
# Usage: eval "$(scripts/humanlayer-env.sh)"
#
# Prepares the unmodified HumanLayer SDKs the HumanLayer system tests run agents with
# (tests/tests/humanlayer.rs):
#   - a Python virtualenv with the pinned `humanlayer` of tests/humanlayer/requirements.txt
#     at ${COUNTERSIGN_HL_VENV:-$HOME/.cache/countersign-hl-venv};
#   - the pinned npm `humanlayer` in tests/humanlayer/npm/node_modules (npm ci, from the
#     committed package-lock.json).
# Idempotent: what is already installed at the pinned versions is left alone. Progress goes
# to stderr; stdout is two export lines (COUNTERSIGN_HL_PYTHON, COUNTERSIGN_HL_NODE_DIR).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

venv=$(bash scripts/python-env.sh tests/humanlayer/requirements.txt \
  "${COUNTERSIGN_HL_VENV:-$HOME/.cache/countersign-hl-venv}")

node_dir=$root/tests/humanlayer/npm
node_stamp="$node_dir/node_modules/.countersign-lock"
if ! cmp -s "$node_dir/package-lock.json" "$node_stamp"; then
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error) >&2
  cp "$node_dir/package-lock.json" "$node_stamp"
fi

printf 'export COUNTERSIGN_HL_PYTHON=%q\n' "$venv/bin/python"
printf 'export COUNTERSIGN_HL_NODE_DIR=%q\n' "$node_dir"
