#!/usr/bin/env bash
# Usage: scripts/session-bus.sh CMD [ARGS...]
#
# Runs CMD on a private D-Bus session bus with its own, unlocked gnome-keyring (Secret
# Service, org.freedesktop.secrets), so tests exercise a real keyring daemon without
# touching the user's bus or keyrings. Keyring files, the runtime dir and XDG config/data/
# state live in a throw-away directory that is removed afterwards. Exits with CMD's status.
#
# Inside CMD: DBUS_SESSION_BUS_ADDRESS points at the private bus, COUNTERSIGN_TEST_KEYRING=1.
set -euo pipefail

if (($# == 0)); then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

log() { printf 'session-bus: %s\n' "$*" >&2; }

if [[ "${1-}" != "--inner" ]]; then
  for tool in dbus-run-session gnome-keyring-daemon gdbus; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      log "$tool not found; run scripts/install-deps.sh (packages dbus, gnome-keyring, libglib2.0-bin)"
      exit 127
    fi
  done
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/countersign-bus.XXXXXX")
  trap 'rm -rf "$scratch"' EXIT
  mkdir -m 700 "$scratch/runtime" "$scratch/data" "$scratch/config" "$scratch/state"
  status=0
  env -u DBUS_SESSION_BUS_ADDRESS -u GNOME_KEYRING_CONTROL -u SSH_AUTH_SOCK \
    XDG_RUNTIME_DIR="$scratch/runtime" \
    XDG_DATA_HOME="$scratch/data" \
    XDG_CONFIG_HOME="$scratch/config" \
    XDG_STATE_HOME="$scratch/state" \
    COUNTERSIGN_BUS_SCRATCH="$scratch" \
    dbus-run-session -- bash "${BASH_SOURCE[0]}" --inner "$@" || status=$?
  exit "$status"
fi

# --- inside dbus-run-session -----------------------------------------------------------
shift # --inner
scratch=$COUNTERSIGN_BUS_SCRATCH
unset COUNTERSIGN_BUS_SCRATCH

# The password only protects the throw-away keyring in $scratch.
password="countersign-test-$$-$RANDOM"
printf '%s' "$password" |
  gnome-keyring-daemon --foreground --unlock --components=secrets \
    >"$scratch/keyring.log" 2>&1 &
daemon=$!

stop_daemon() {
  if kill -0 "$daemon" 2>/dev/null; then
    kill -TERM "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
  fi
}
trap stop_daemon EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

has_owner() {
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null |
    grep -q true
}

ready=0
for _ in $(seq 1 100); do # 100 x 50 ms = 5 s
  if has_owner; then
    ready=1
    break
  fi
  if ! kill -0 "$daemon" 2>/dev/null; then
    break
  fi
  sleep 0.05
done
if ((ready == 0)); then
  log "gnome-keyring-daemon did not take org.freedesktop.secrets within 5 s; its log:"
  sed 's/^/  /' "$scratch/keyring.log" >&2 || true
  exit 1
fi

export COUNTERSIGN_TEST_KEYRING=1
status=0
"$@" || status=$?
exit "$status"
