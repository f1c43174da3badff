#!/usr/bin/env bash
# Usage: scripts/test.sh [--quick]
#
# THE test command of Countersign (README, second command; .ci/run calls exactly this).
# Installs what is missing, then: format check, clippy (warnings are errors), builds the
# CLI the system tests drive, and runs every workspace test with a real keyring daemon and
# a real notification daemon (dunst, under its own Xvfb) on a private D-Bus session.
# Non-interactive: works with CI=true and no stdin.
#
# --quick is the inner loop while you work (a few minutes when the target dir is warm):
# UI type check, lint, unit tests and build; cargo fmt and clippy; the unit tests of the
# protocol, core and endpoint crates (no system, SDK, LangGraph or E2E tests). CI always
# runs the full suite.
set -euo pipefail

quick=0
case "${1-}" in
  --quick) quick=1 ;;
  "") ;;
  *)
    echo "usage: $0 [--quick]" >&2
    exit 2
    ;;
esac

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Keep the (large) target dir outside the clone so CI runs reuse it.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/countersign-target}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-auto}
# The system tests run this binary (built in the "build CLI" step).
export COUNTERSIGN_BIN=$CARGO_TARGET_DIR/debug/countersign

total_start=$(date +%s)
current_step=""
summary=()

elapsed_since() { echo "$(($(date +%s) - $1))s"; }

on_exit() {
  local status=$?
  if ((status != 0)) && [[ -n "$current_step" ]]; then
    printf '\n==> FAILED: %s (exit %d) after %s total\n' "$current_step" "$status" "$(elapsed_since "$total_start")" >&2
  fi
}
trap on_exit EXIT

# step NAME CMD [ARGS...]: prints a header, runs CMD, prints its elapsed time.
step() {
  local name=$1
  shift
  current_step=$name
  printf '\n==> %s\n    $ %s\n' "$name" "$*"
  local start
  start=$(date +%s)
  "$@"
  local took
  took=$(elapsed_since "$start")
  printf '==> %s: ok (%s)\n' "$name" "$took"
  summary+=("$(printf '%-28s %s' "$name" "$took")")
  current_step=""
}

step "install dependencies" bash scripts/install-deps.sh </dev/null
# `npm ci` rejects lock files written with omit-lockfile-registry-resolved (optional
# platform packages carry no version there); `npm install` honours the same lock.
step "UI dependencies (npm install)" npm --prefix ui install --no-audit --no-fund
# Needs the UI's Prettier (node_modules), so after npm install.
step "UI types match Rust (gen-ui-types --check)" bash scripts/gen-ui-types.sh --check
step "UI typecheck" npm --prefix ui run typecheck
step "UI lint" npm --prefix ui run lint
step "UI unit tests (vitest, Tauri IPC mocks)" npm --prefix ui test
# Before clippy: the shell embeds ui/dist when it compiles.
step "UI build" npm --prefix ui run build
step "format (cargo fmt --check)" cargo fmt --all -- --check
step "lint (cargo clippy)" cargo clippy --workspace --all-targets -- -D warnings
if ((quick)); then
  step "unit tests (protocol, core, endpoint)" scripts/session-bus.sh \
    cargo test -p countersign-protocol -p countersign-core -p countersign-endpoint --lib
  printf '\n==> quick checks passed in %s (the full suite: scripts/test.sh)\n' "$(elapsed_since "$total_start")"
  printf '    %s\n' "${summary[@]}"
  exit 0
fi
step "build CLI" cargo build -p countersign-cli
step "Python venv (audit export verifiers)" bash scripts/python-env.sh </dev/null
COUNTERSIGN_PYTHON="$(bash scripts/python-env.sh </dev/null)/bin/python"
export COUNTERSIGN_PYTHON
step "HumanLayer SDKs (pip + npm)" bash scripts/humanlayer-env.sh </dev/null
# Exports COUNTERSIGN_HL_PYTHON and COUNTERSIGN_HL_NODE_DIR for the HumanLayer system tests.
eval "$(bash scripts/humanlayer-env.sh </dev/null)"
step "LangGraph server (pip)" bash scripts/langgraph-env.sh </dev/null
# Exports COUNTERSIGN_LANGGRAPH_VENV for the LangGraph system tests (`langgraph dev`).
eval "$(bash scripts/langgraph-env.sh </dev/null)"
# Notification tests need a notification daemon (dunst under its own Xvfb) on the bus.
step "workspace tests" scripts/session-bus.sh --notifications cargo test --workspace --exclude countersign-e2e
step "E2E (app window under Xvfb, tauri-driver)" bash scripts/e2e.sh </dev/null


printf '\n==> all steps passed in %s\n' "$(elapsed_since "$total_start")"
printf '    %s\n' "${summary[@]}"
