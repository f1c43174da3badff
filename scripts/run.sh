#!/usr/bin/env bash
# Installs what is missing, builds the CLI and the desktop app, starts the demo agent
# endpoint on 127.0.0.1:${COUNTERSIGN_DEMO_PORT:-8787} and opens the app. Closing the app
# stops the endpoint.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/countersign-target}
port=${COUNTERSIGN_DEMO_PORT:-8787}
cli=$CARGO_TARGET_DIR/debug/countersign

log() { printf '\n==> %s\n' "$*"; }

log "checking dependencies"
bash scripts/install-deps.sh </dev/null

log "building the CLI and the desktop app (the first build takes 10+ minutes)"
cargo build -p countersign-cli -p countersign-desktop

if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
  echo "port $port is already in use; stop what runs there or set COUNTERSIGN_DEMO_PORT" >&2
  exit 1
fi

log "starting the demo endpoint on http://127.0.0.1:$port"
"$cli" endpoint serve --demo --port "$port" </dev/null &
endpoint=$!

stop_endpoint() {
  if kill -0 "$endpoint" 2>/dev/null; then
    kill -TERM "$endpoint" 2>/dev/null || true
    wait "$endpoint" 2>/dev/null || true
  fi
}
trap stop_endpoint EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in $(seq 1 100); do # up to 10 s
  if ! kill -0 "$endpoint" 2>/dev/null; then
    echo "the demo endpoint exited during startup (see its output above)" >&2
    exit 1
  fi
  curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && break
  sleep 0.1
done

log "opening Countersign (close the window to stop)"
status=0
cargo run -p countersign-desktop || status=$?
exit "$status"
