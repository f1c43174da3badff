#!/usr/bin/env bash
# Usage: eval "$(scripts/langgraph-env.sh)"
#
# Prepares the LangGraph server the LangGraph system tests start (tests/tests/langgraph*.rs):
# a Python virtualenv with the pinned `langgraph-cli[inmem]`, `langgraph` and `langchain` of
# tests/langgraph/requirements.txt at ${COUNTERSIGN_LANGGRAPH_VENV:-$HOME/.cache/countersign-langgraph-venv}.
# Idempotent: a venv whose requirements are already installed is left alone. Progress goes
# to stderr; stdout is one export line (COUNTERSIGN_LANGGRAPH_VENV).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=$(bash scripts/python-env.sh tests/langgraph/requirements.txt \
  "${COUNTERSIGN_LANGGRAPH_VENV:-$HOME/.cache/countersign-langgraph-venv}")

printf 'export COUNTERSIGN_LANGGRAPH_VENV=%q\n' "$venv"
