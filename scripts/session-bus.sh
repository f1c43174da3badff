#!/usr/bin/env bash
# Usage: scripts/session-bus.sh [--notifications] CMD [ARGS...]
#
# Runs CMD on a private D-Bus session bus with its own, unlocked gnome-keyring (Secret
# Service, org.freedesktop.secrets), so tests exercise a real keyring daemon without
# touching the user's bus or keyrings. Keyring files, the runtime dir and XDG config/data/
# state live in a throw-away directory that is removed afterwards. Exits with CMD's status.
#
# --notifications also runs a real notification daemon (dunst, which needs an X display:
# an Xvfb of its own unless DISPLAY is set) owning org.freedesktop.Notifications.
#
# Inside CMD: DBUS_SESSION_BUS_ADDRESS points at the private bus, COUNTERSIGN_TEST_KEYRING=1,
# and with --notifications COUNTERSIGN_TEST_NOTIFICATIONS=1 and DISPLAY.
set -euo pipefail

notifications=${COUNTERSIGN_BUS_NOTIFICATIONS:-0}
if [[ "${1-}" == "--notifications" ]]; then
  notifications=1
  shift
fi

if (($# == 0)); then
  echo "usage: $0 [--notifications] CMD [ARGS...]" >&2
  exit 2
fi

log() { printf 'session-bus: %s\n' "$*" >&2; }

if [[ "${1-}" != "--inner" ]]; then
  tools=(dbus-run-session gnome-keyring-daemon gdbus)
  if ((notifications)); then
    tools+=(dunst Xvfb dbus-monitor)
  fi
  for tool in "${tools[@]}"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      log "$tool not found; run scripts/install-deps.sh (packages dbus, gnome-keyring, libglib2.0-bin, dunst, xvfb, dbus-x11)"
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
    COUNTERSIGN_BUS_NOTIFICATIONS="$notifications" \
    dbus-run-session -- bash "${BASH_SOURCE[0]}" --inner "$@" || status=$?
  exit "$status"
fi

# --- inside dbus-run-session -----------------------------------------------------------
shift # --inner
scratch=$COUNTERSIGN_BUS_SCRATCH
unset COUNTERSIGN_BUS_SCRATCH COUNTERSIGN_BUS_NOTIFICATIONS

# The password only protects the throw-away keyring in $scratch.
password="countersign-test-$$-$RANDOM"
# start_keyring [--replace]: an unlocked keyring daemon on this bus; its pid in $daemon.
start_keyring() {
  printf '%s' "$password" |
    gnome-keyring-daemon "$@" --foreground --unlock --components=secrets \
      >>"$scratch/keyring.log" 2>&1 &
  daemon=$!
}
start_keyring

helpers=("$daemon")
stop_daemon() {
  local pid
  if [[ -n "${watchdog:-}" ]]; then
    kill -TERM "$watchdog" 2>/dev/null || true
    wait "$watchdog" 2>/dev/null || true
    # The watchdog may have replaced the daemon it was started with.
    [[ -s "$scratch/keyring.pid" ]] && helpers+=("$(cat "$scratch/keyring.pid")")
  fi
  for pid in "${helpers[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
}
trap stop_daemon EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# has_owner NAME: whether NAME has an owner on the private bus.
has_owner() {
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner "$1" 2>/dev/null |
    grep -q true
}

# wait_owner NAME PID LOG: wait up to 5 s for PID to take NAME; on failure show LOG.
wait_owner() {
  for _ in $(seq 1 100); do # 100 x 50 ms = 5 s
    if has_owner "$1"; then
      return 0
    fi
    if ! kill -0 "$2" 2>/dev/null; then
      break
    fi
    sleep 0.05
  done
  log "$1 got no owner within 5 s; log of its daemon:"
  sed 's/^/  /' "$3" >&2 || true
  exit 1
}

wait_owner org.freedesktop.secrets "$daemon" "$scratch/keyring.log"

# gnome-keyring-daemon 42 can abort when many new clients open sessions at once (upstream
# gnome-keyring issues 190/196: a NULL client in gkd_secret_service_get_pkcs11_session).
# D-Bus would then activate a fresh, LOCKED daemon and every later test would fail with
# "locked collection". Replace a dead daemon at once with an unlocked one on the same
# keyring files, so only the calls in flight at the crash can fail, and say so.
(
  trap 'exit 0' TERM
  while sleep 0.2; do
    if ! kill -0 "$daemon" 2>/dev/null; then
      log "the keyring daemon (pid $daemon) died; starting a new one. Its log:"
      sed 's/^/  /' "$scratch/keyring.log" >&2 || true
      : >"$scratch/keyring.log"
      start_keyring --replace
      printf '%s' "$daemon" >"$scratch/keyring.pid"
      wait_owner org.freedesktop.secrets "$daemon" "$scratch/keyring.log"
    fi
  done
) &
watchdog=$!

if ((notifications)); then
  if [[ -z "${DISPLAY:-}" ]]; then
    # Xvfb picks a free display number itself and writes it to fd 3.
    Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$scratch/display" \
      >"$scratch/xvfb.log" 2>&1 &
    helpers+=($!)
    for _ in $(seq 1 100); do
      [[ -s "$scratch/display" ]] && break
      sleep 0.05
    done
    if [[ ! -s "$scratch/display" ]]; then
      log "Xvfb did not start within 5 s; its log:"
      sed 's/^/  /' "$scratch/xvfb.log" >&2 || true
      exit 1
    fi
    export DISPLAY=":$(tr -d '[:space:]' <"$scratch/display")"
  fi
  # Started here, not by D-Bus activation: an activated dunst has no DISPLAY and dies.
  # Popups never time out, so a test decides when they go.
  cat >"$scratch/dunstrc" <<'DUNSTRC'
[global]
    notification_limit = 0
    stack_duplicates = false
    history_length = 1000
    markup = full
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
DUNSTRC
  dunst -config "$scratch/dunstrc" >"$scratch/dunst.log" 2>&1 &
  helpers+=($!)
  wait_owner org.freedesktop.Notifications "${helpers[-1]}" "$scratch/dunst.log"
  export COUNTERSIGN_TEST_NOTIFICATIONS=1
fi

export COUNTERSIGN_TEST_KEYRING=1
status=0
"$@" || status=$?
exit "$status"
