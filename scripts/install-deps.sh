#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build and test Countersign.
# Idempotent and non-interactive: installs only missing apt packages, never reads stdin.
# Without root and without password-less sudo it prints the exact command to run and
# exits non-zero. Then checks that the Rust toolchain (cargo, rustc, rustfmt, clippy) is
# present and says how to get it if not.
set -euo pipefail

PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential pkg-config libayatana-appindicator3-dev
  libdbus-1-dev xvfb xauth webkit2gtk-driver dunst gnome-keyring libsecret-tools
  dbus-x11 libglib2.0-bin xdotool imagemagick curl python3-venv
)

log() { printf 'install-deps: %s\n' "$*" >&2; }

# --- System packages ----------------------------------------------------------------
if ! command -v dpkg-query >/dev/null 2>&1; then
  log "dpkg-query not found: this script supports Debian/Ubuntu only."
  log "Install the equivalents of: ${PACKAGES[*]}"
  exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]})); then
  log "missing system packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true </dev/null 2>/dev/null; then
    as_root=(sudo -n)
  else
    log "root rights are needed to install them. Run:"
    printf "sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s'\n" "${missing[*]}"
    exit 1
  fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
  log "installed: ${missing[*]}"
fi

# --- Rust toolchain -----------------------------------------------------------------
missing_tools=()
for tool in cargo rustc; do
  command -v "$tool" >/dev/null 2>&1 || missing_tools+=("$tool")
done
if ((${#missing_tools[@]})); then
  log "missing: ${missing_tools[*]}. Install the Rust toolchain (1.85 or newer) with rustup:"
  log "  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y"
  log "then open a new shell (or run: . \"\$HOME/.cargo/env\") and try again."
  exit 1
fi
if ! cargo fmt --version >/dev/null 2>&1; then
  log "cargo fmt is missing; install it with: rustup component add rustfmt"
  exit 1
fi
if ! cargo clippy --version >/dev/null 2>&1; then
  log "cargo clippy is missing; install it with: rustup component add clippy"
  exit 1
fi

# --- Node.js (the UI: Vite 7 needs Node 20.19 or newer) ------------------------------
node_major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || true)
if [[ -z "$node_major" ]] || ((node_major < 20)) || ! command -v npm >/dev/null 2>&1; then
  log "Node.js 20 or newer with npm is needed for the UI (found: $(node --version 2>/dev/null || echo none))."
  log "Debian's nodejs package is too old; install Node 20+ from https://nodejs.org or with a"
  log "version manager (e.g. 'fnm install 20'), then try again."
  exit 1
fi

log "all ${#PACKAGES[@]} system packages present; $(rustc --version); node $(node --version)"
