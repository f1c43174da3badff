#!/usr/bin/env bash
# Usage: scripts/bench-app.sh [--release] [--packets N] [--runs N] [--json]
#
# Measures the desktop app with a full queue (100k pending packets by default): time from
# the app's process start to its first queue render, and the memory (RSS and PSS) of the
# whole app (the app and its WebKit processes) once idle. Runs the real app under Xvfb via
# tauri-driver, with its keyring on a private D-Bus session; prints the figures.
# --release measures optimised builds (what users run; the first build takes ~12 min).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/countersign-target}
bench_args=()
for arg in "$@"; do
  if [[ "$arg" == --release ]]; then
    export APP_PROFILE=release
  else
    bench_args+=("$arg")
  fi
done

# shellcheck source=scripts/prepare-app.sh
source scripts/prepare-app.sh
cargo build -p countersign-e2e --bin bench-app

exec xvfb-run -a -s "-screen 0 1280x800x24" scripts/session-bus.sh \
  "$CARGO_TARGET_DIR/debug/bench-app" "${bench_args[@]}"
