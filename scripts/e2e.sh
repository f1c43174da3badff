#!/usr/bin/env bash
# Usage: scripts/e2e.sh [extra cargo test args...]
#
# The desktop E2E suite (tests/e2e): the real app window under Xvfb, driven through
# tauri-driver + WebKitWebDriver, with the app's keyring on a private D-Bus session, against
# the reference endpoint run by the CLI. Installs tauri-driver if missing, builds the UI, the
# app (custom-protocol: it loads the bundled ui/dist, not the dev server) and the CLI, then
# runs the suite. Screenshots land in artifacts/e2e/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/countersign-target}
export COUNTERSIGN_BIN=${COUNTERSIGN_BIN:-$CARGO_TARGET_DIR/debug/countersign}

if ! command -v tauri-driver >/dev/null 2>&1; then
  # Own target dir: the shared one may be locked by a long build; 2.1.0 is the verified one.
  cargo install tauri-driver@2.1.0 --locked --target-dir "${TMPDIR:-/tmp}/tauri-driver-target"
fi
for tool in WebKitWebDriver xvfb-run; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "e2e: $tool not found; run scripts/install-deps.sh (webkit2gtk-driver, xvfb, xauth)" >&2
    exit 127
  fi
done

if [[ ! -d ui/node_modules ]]; then
  npm --prefix ui install --no-audit --no-fund
fi
npm --prefix ui run build
cargo build -p countersign-desktop --features custom-protocol
cargo build -p countersign-cli
if [[ -z "${COUNTERSIGN_DESKTOP_BIN:-}" ]]; then
  # Pin this build: a plain `cargo build` elsewhere (shared target dir) replaces
  # debug/countersign-desktop with a dev build that loads devUrl. Cargo replaces the file
  # rather than rewriting it, so a hard link keeps exactly the binary built above.
  mkdir -p "$CARGO_TARGET_DIR/e2e"
  export COUNTERSIGN_DESKTOP_BIN=$CARGO_TARGET_DIR/e2e/countersign-desktop
  ln -f "$CARGO_TARGET_DIR/debug/countersign-desktop" "$COUNTERSIGN_DESKTOP_BIN" 2>/dev/null ||
    cp -f "$CARGO_TARGET_DIR/debug/countersign-desktop" "$COUNTERSIGN_DESKTOP_BIN"
fi

rm -rf artifacts/e2e
mkdir -p artifacts/e2e
exec xvfb-run -a -s "-screen 0 1280x800x24" scripts/session-bus.sh \
  cargo test -p countersign-e2e -- --test-threads=1 "$@"
