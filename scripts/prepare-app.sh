# Sourced by scripts/e2e.sh and scripts/bench-app.sh: makes sure tauri-driver,
# WebKitWebDriver and xvfb-run exist, builds the UI, the app (custom-protocol: it loads the
# bundled ui/dist, not the dev server) and the CLI, and exports COUNTERSIGN_DESKTOP_BIN and
# COUNTERSIGN_BIN. APP_PROFILE=release builds optimised binaries (default: debug).
# Expects to run from the repo root with CARGO_TARGET_DIR set.

APP_PROFILE=${APP_PROFILE:-debug}
profile_flag=()
if [[ "$APP_PROFILE" == release ]]; then
  profile_flag=(--release)
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
  # Own target dir: the shared one may be locked by a long build; 2.1.0 is the verified one.
  cargo install tauri-driver@2.1.0 --locked --target-dir "${TMPDIR:-/tmp}/tauri-driver-target"
fi
for tool in WebKitWebDriver xvfb-run; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$tool not found; run scripts/install-deps.sh (webkit2gtk-driver, xvfb, xauth)" >&2
    exit 127
  fi
done

if [[ ! -d ui/node_modules ]]; then
  npm --prefix ui install --no-audit --no-fund
fi
npm --prefix ui run build
cargo build "${profile_flag[@]}" -p countersign-desktop --features custom-protocol
cargo build "${profile_flag[@]}" -p countersign-cli
export COUNTERSIGN_BIN=${COUNTERSIGN_BIN:-$CARGO_TARGET_DIR/$APP_PROFILE/countersign}
if [[ -z "${COUNTERSIGN_DESKTOP_BIN:-}" ]]; then
  # Pin this build: a plain `cargo build` elsewhere (shared target dir) replaces
  # debug/countersign-desktop with a dev build that loads devUrl. Cargo replaces the file
  # rather than rewriting it, so a hard link keeps exactly the binary built above.
  mkdir -p "$CARGO_TARGET_DIR/e2e"
  export COUNTERSIGN_DESKTOP_BIN=$CARGO_TARGET_DIR/e2e/countersign-desktop-$APP_PROFILE
  ln -f "$CARGO_TARGET_DIR/$APP_PROFILE/countersign-desktop" "$COUNTERSIGN_DESKTOP_BIN" 2>/dev/null ||
    cp -f "$CARGO_TARGET_DIR/$APP_PROFILE/countersign-desktop" "$COUNTERSIGN_DESKTOP_BIN"
fi
