#!/usr/bin/env bash
# Start a real Label Studio (open source, from PyPI) headless on loopback, with a
# fresh data dir, for kgal's Label Studio integration (tests, demos). Installs
# label-studio into a cached venv outside the repo on first use (~1 GB, 1-2 min);
# later runs reuse it. Stop with scripts/labelstudio/stop.sh.
#
#   scripts/labelstudio/start.sh [--install-only]
#
# Env: KGAL_LS_PORT (8090), KGAL_LS_TOKEN (random 40 hex), KGAL_LS_START_TIMEOUT (180),
#      KGAL_LS_VENV (${XDG_CACHE_HOME:-$HOME/.cache}/kgal/venv-labelstudio),
#      KGAL_LS_HOME (${XDG_CACHE_HOME:-$HOME/.cache}/kgal/labelstudio: data/, ls.log, ls.pid, ls.env)
# Prints LABEL_STUDIO_URL=... and LABEL_STUDIO_TOKEN=... on success. See docs/labelstudio.md.
set -euo pipefail

LS_VERSION="1.23.2"
# sentry-sdk 3.x makes label-studio 1.23.2 crash at start ("Unknown option 'send_default_pii'")
PIP_SPECS=("label-studio==$LS_VERSION" "sentry-sdk>=2.16,<3")

CACHE="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kgal"
VENV="${KGAL_LS_VENV:-$CACHE/venv-labelstudio}"
LS_HOME="${KGAL_LS_HOME:-$CACHE/labelstudio}"
PORT="${KGAL_LS_PORT:-8090}"
TIMEOUT="${KGAL_LS_START_TIMEOUT:-180}"
PID_FILE="$LS_HOME/ls.pid"
LOG_FILE="$LS_HOME/ls.log"
ENV_FILE="$LS_HOME/ls.env"
URL="http://127.0.0.1:$PORT"
MARKER="$VENV/.kgal-installed"

INSTALL_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --install-only) INSTALL_ONLY=1 ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "labelstudio-start: unknown argument: $arg" >&2; exit 64 ;;
  esac
done
[[ "$PORT" =~ ^[0-9]+$ ]] || { echo "labelstudio-start: KGAL_LS_PORT must be a port number, got '$PORT'" >&2; exit 64; }

log() { echo "labelstudio-start: $*" >&2; }

port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
}

our_pid() { # the pid if the pid file names a live Label Studio of ours
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  ps -p "$pid" -o args= 2>/dev/null | grep -q label-studio || return 1
  echo "$pid"
}

mkdir -p "$LS_HOME" "$(dirname "$VENV")"

# --- install (once; the marker names the exact specs, so a version bump reinstalls) ---
install() {
  exec 8>"$VENV.lock"
  flock 8 # concurrent starts: one installs, the others wait and reuse
  if [[ -f "$MARKER" && "$(cat "$MARKER")" == "${PIP_SPECS[*]}" && -x "$VENV/bin/label-studio" ]]; then
    exec 8>&-; return 0
  fi
  command -v python3 >/dev/null || { log "python3 is required"; exit 1; }
  log "installing ${PIP_SPECS[*]} into $VENV (first run: ~1 GB, 1-2 min)"
  local t0=$SECONDS
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  if ! "$VENV/bin/pip" install -q --disable-pip-version-check "${PIP_SPECS[@]}" >"$LS_HOME/install.log" 2>&1; then
    log "pip install failed; last lines of $LS_HOME/install.log:"
    tail -n 30 "$LS_HOME/install.log" >&2
    rm -rf "$VENV"
    exit 1
  fi
  echo "${PIP_SPECS[*]}" >"$MARKER"
  log "installed in $((SECONDS - t0))s"
  exec 8>&-
}
install
[[ "$INSTALL_ONLY" == 1 ]] && exit 0

# --- start --------------------------------------------------------------------
if pid="$(our_pid)"; then
  log "already running (pid $pid); stop it first: scripts/labelstudio/stop.sh"
  exit 1
fi
rm -f "$PID_FILE"
# Label Studio silently moves to the next free port when its port is taken: refuse instead.
if port_open; then
  log "port $PORT is already in use; set KGAL_LS_PORT to a free port"
  exit 1
fi

TOKEN="${KGAL_LS_TOKEN:-$(python3 -c 'import secrets; print(secrets.token_hex(20))')}"
[[ "$TOKEN" =~ ^[0-9a-f]{40}$ ]] || { log "KGAL_LS_TOKEN must be 40 lowercase hex characters"; exit 64; }
PASSWORD="$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')"
USERNAME="admin@example.com"

# A fresh data dir every start: the legacy token flag only takes effect on a new database.
rm -rf "$LS_HOME/data"
mkdir -p "$LS_HOME/data"

SETSID=()
command -v setsid >/dev/null 2>&1 && SETSID=(setsid)
# ML_BLOCK_LOCAL_IP / SSRF_PROTECTION_ENABLED: otherwise a backend or webhook on 127.0.0.1
# is refused ("reserved network address"). Telemetry off: the machine may be offline.
nohup ${SETSID[@]+"${SETSID[@]}"} env \
  LABEL_STUDIO_BASE_DATA_DIR="$LS_HOME/data" \
  LABEL_STUDIO_USERNAME="$USERNAME" LABEL_STUDIO_PASSWORD="$PASSWORD" \
  LABEL_STUDIO_USER_TOKEN="$TOKEN" LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true \
  ML_BLOCK_LOCAL_IP=false SSRF_PROTECTION_ENABLED=false \
  SENTRY_DSN= FRONTEND_SENTRY_DSN= COLLECT_ANALYTICS=false LATEST_VERSION_CHECK=false \
  "$VENV/bin/label-studio" start --no-browser --internal-host 127.0.0.1 --port "$PORT" \
  </dev/null >"$LOG_FILE" 2>&1 8>&- &
pid=$!
echo "$pid" >"$PID_FILE"
log "started pid $pid (log: $LOG_FILE); waiting for $URL/health"

deadline=$((SECONDS + TIMEOUT))
while :; do
  if ! kill -0 "$pid" 2>/dev/null; then
    log "Label Studio exited during start-up; last log lines:"
    tail -n 40 "$LOG_FILE" >&2 || true
    rm -f "$PID_FILE"; exit 1
  fi
  curl -sf -o /dev/null --max-time 2 "$URL/health" && break
  if (( SECONDS >= deadline )); then
    log "not healthy after ${TIMEOUT}s (KGAL_LS_START_TIMEOUT); last log lines:"
    tail -n 40 "$LOG_FILE" >&2 || true
    KGAL_LS_HOME="$LS_HOME" bash "$(dirname "${BASH_SOURCE[0]}")/stop.sh" || true
    exit 1
  fi
  sleep 0.5
done
# The token must really work (without the legacy flag it answers 401).
if ! curl -sf -o /dev/null --max-time 5 -H "Authorization: Token $TOKEN" "$URL/api/current-user/whoami"; then
  log "Label Studio is up but rejects the token; last log lines:"
  tail -n 20 "$LOG_FILE" >&2 || true
  KGAL_LS_HOME="$LS_HOME" bash "$(dirname "${BASH_SOURCE[0]}")/stop.sh" || true
  exit 1
fi
umask 077
printf 'LABEL_STUDIO_URL=%s\nLABEL_STUDIO_TOKEN=%s\nLABEL_STUDIO_USERNAME=%s\nLABEL_STUDIO_PASSWORD=%s\n' \
  "$URL" "$TOKEN" "$USERNAME" "$PASSWORD" >"$ENV_FILE"
log "ready in ${SECONDS}s (credentials in $ENV_FILE)"
echo "LABEL_STUDIO_URL=$URL"
echo "LABEL_STUDIO_TOKEN=$TOKEN"
