#!/usr/bin/env bash
# Stop the Label Studio started by scripts/labelstudio/start.sh: SIGTERM to its
# process group, wait up to KGAL_LS_STOP_TIMEOUT (20) s, then SIGKILL.
# Exits 0 when it is not running. Same KGAL_LS_HOME as start.sh.
set -euo pipefail

LS_HOME="${KGAL_LS_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kgal/labelstudio}"
PID_FILE="$LS_HOME/ls.pid"
TIMEOUT="${KGAL_LS_STOP_TIMEOUT:-20}"

log() { echo "labelstudio-stop: $*" >&2; }

pid=""
[[ -f "$PID_FILE" ]] && pid="$(cat "$PID_FILE" 2>/dev/null || true)"
if [[ ! "$pid" =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null \
   || ! ps -p "$pid" -o args= 2>/dev/null | grep -q label-studio; then
  rm -f "$PID_FILE"
  log "not running"
  exit 0
fi

# start.sh runs it in its own session (setsid), so the group id is its pid: the
# group signal also reaches any worker it forked. Fall back to the pid alone.
signal() { kill "-$1" -- "-$pid" 2>/dev/null || kill "-$1" "$pid" 2>/dev/null || true; }
signal TERM
deadline=$((SECONDS + TIMEOUT))
while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
if kill -0 "$pid" 2>/dev/null; then
  log "pid $pid still alive after ${TIMEOUT}s; sending SIGKILL"
  signal KILL
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
fi
rm -f "$PID_FILE" "$LS_HOME/ls.env"
log "stopped (pid $pid)"
