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

# shellcheck source=scripts/prepare-app.sh
source scripts/prepare-app.sh

rm -rf artifacts/e2e
mkdir -p artifacts/e2e
exec xvfb-run -a -s "-screen 0 1280x800x24" scripts/session-bus.sh \
  cargo test -p countersign-e2e -- --test-threads=1 "$@"
