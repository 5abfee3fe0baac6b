#!/usr/bin/env bash
# Stop the offline Neo4j started by scripts/neo4j-start.sh: SIGTERM (clean
# shutdown), wait up to KGAL_NEO4J_STOP_TIMEOUT (30) s, then SIGKILL.
# Exits 0 when it is not running. Same KGAL_NEO4J_HOME as neo4j-start.sh.
set -euo pipefail

NEO4J_HOME_DIR="${KGAL_NEO4J_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kgal/neo4j}"
PID_FILE="$NEO4J_HOME_DIR/neo4j.pid"
TIMEOUT="${KGAL_NEO4J_STOP_TIMEOUT:-30}"

log() { echo "neo4j-stop: $*" >&2; }

pid=""
[[ -f "$PID_FILE" ]] && pid="$(cat "$PID_FILE" 2>/dev/null || true)"
if [[ ! "$pid" =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null \
   || ! ps -p "$pid" -o args= 2>/dev/null | grep -q dev.kgal.neo4j.EmbeddedNeo4j; then
  rm -f "$PID_FILE"
  log "not running"
  exit 0
fi

kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + TIMEOUT))
while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
if kill -0 "$pid" 2>/dev/null; then
  log "pid $pid still alive after ${TIMEOUT}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
fi
rm -f "$PID_FILE"
log "stopped (pid $pid)"
