#!/usr/bin/env bash
# Installs what is missing, builds the UI and the desktop app, and opens Countersign.
# With no endpoint configured, the app starts its embedded demo endpoint on
# 127.0.0.1:${COUNTERSIGN_DEMO_PORT:-8787} and connects to it (COUNTERSIGN_DEMO=0 turns
# that off).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/countersign-target}

log() { printf '\n==> %s\n' "$*"; }

log "checking dependencies"
bash scripts/install-deps.sh </dev/null

if [[ -f ui/package.json ]]; then
  log "building the UI"
  (cd ui && npm install --no-audit --no-fund && npm run build)
fi

log "building the desktop app (the first build takes 10+ minutes)"
cargo build -p countersign-desktop --features custom-protocol

if [[ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  echo "no graphical display (DISPLAY/WAYLAND_DISPLAY unset): run this from a desktop session," >&2
  echo "or try the headless CLI: cargo run -p countersign-cli -- --help" >&2
  exit 1
fi

log "opening Countersign"
exec "$CARGO_TARGET_DIR/debug/countersign-desktop"
