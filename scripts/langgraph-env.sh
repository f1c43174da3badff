#!/usr/bin/env bash
# Usage: eval "$(scripts/langgraph-env.sh)"
#
# Prepares the LangGraph server the LangGraph system tests start (tests/tests/langgraph.rs):
# a Python virtualenv with the pinned `langgraph-cli[inmem]`, `langgraph` and `langchain` of
# tests/langgraph/requirements.txt at ${COUNTERSIGN_LANGGRAPH_VENV:-$HOME/.cache/countersign-langgraph-venv}.
# Idempotent: a venv whose requirements are already installed is left alone. Progress goes
# to stderr; stdout is one export line (COUNTERSIGN_LANGGRAPH_VENV).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=${COUNTERSIGN_LANGGRAPH_VENV:-$HOME/.cache/countersign-langgraph-venv}
requirements=tests/langgraph/requirements.txt
stamp="$venv/.countersign-requirements"
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv" >&2
fi
if ! cmp -s "$requirements" "$stamp"; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$stamp"
fi

printf 'export COUNTERSIGN_LANGGRAPH_VENV=%q\n' "$venv"
