#!/usr/bin/env bash
# Start the offline Neo4j (embedded 5.26 Community, Bolt only, no auth) in the
# background. Builds the launcher with Maven on first use. Idempotent.
#
#   scripts/neo4j-start.sh [--fresh]     --fresh: stop it if running, wipe the data
#
# Env: KGAL_NEO4J_PORT (7687), KGAL_NEO4J_HEAP (1g), KGAL_NEO4J_PAGECACHE (256m), KGAL_NEO4J_START_TIMEOUT (120),
#      KGAL_NEO4J_HOME (${XDG_CACHE_HOME:-$HOME/.cache}/kgal/neo4j: db/, plugins/, neo4j.log, neo4j.pid),
#      KGAL_NEO4J_GDS (1: load Graph Data Science 2.13 from Maven Central as a plugin; 0: without)
# Prints NEO4J_URI=bolt://127.0.0.1:<port> on success. See docs/neo4j.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$SCRIPT_DIR/neo4j"
TARGET="$PROJECT_DIR/target"
MAIN_CLASS="dev.kgal.neo4j.EmbeddedNeo4j"

PORT="${KGAL_NEO4J_PORT:-7687}"
HEAP="${KGAL_NEO4J_HEAP:-1g}"
PAGECACHE="${KGAL_NEO4J_PAGECACHE:-256m}"
TIMEOUT="${KGAL_NEO4J_START_TIMEOUT:-120}"
NEO4J_HOME_DIR="${KGAL_NEO4J_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kgal/neo4j}"
DB_DIR="$NEO4J_HOME_DIR/db"
LOG_FILE="$NEO4J_HOME_DIR/neo4j.log"
PID_FILE="$NEO4J_HOME_DIR/neo4j.pid"
PLUGINS_DIR="$NEO4J_HOME_DIR/plugins"
GDS="${KGAL_NEO4J_GDS:-1}"
URI="bolt://127.0.0.1:$PORT"

FRESH=0
for arg in "$@"; do
  case "$arg" in
    --fresh) FRESH=1 ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "neo4j-start: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { echo "neo4j-start: $*" >&2; }

port_open() { # TCP connect to 127.0.0.1:$PORT (bash /dev/tcp; no nc needed)
  if command -v timeout >/dev/null 2>&1; then
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
  else # e.g. macOS without coreutils; loopback refuses at once anyway
    bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
  fi
}

our_pid() { # prints the pid if the pid file names a live launcher
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  ps -p "$pid" -o args= 2>/dev/null | grep -q "$MAIN_CLASS" || return 1
  echo "$pid"
}

mkdir -p "$NEO4J_HOME_DIR"

# Serialise concurrent starts (e.g. parallel test workers) where flock exists.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$NEO4J_HOME_DIR/start.lock"
  flock 9
fi

if [[ "$FRESH" == 1 ]]; then
  if our_pid >/dev/null; then
    log "--fresh: stopping the running server first"
    KGAL_NEO4J_HOME="$NEO4J_HOME_DIR" "$SCRIPT_DIR/neo4j-stop.sh" >&2
  fi
  log "--fresh: wiping $DB_DIR"
  rm -rf "$DB_DIR"
fi

wait_ready() { # wait for the ready marker and the open port; fail on timeout or death
  local pid="$1" deadline=$((SECONDS + TIMEOUT))
  while (( SECONDS < deadline )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "the server exited during start-up; last log lines ($LOG_FILE):"
      tail -n 40 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      return 1
    fi
    if grep -q KGAL_NEO4J_READY "$LOG_FILE" 2>/dev/null && port_open; then
      return 0
    fi
    sleep 0.5
  done
  log "not ready after ${TIMEOUT}s (KGAL_NEO4J_START_TIMEOUT); last log lines ($LOG_FILE):"
  tail -n 40 "$LOG_FILE" >&2 || true
  log "stopping pid $pid"
  KGAL_NEO4J_HOME="$NEO4J_HOME_DIR" "$SCRIPT_DIR/neo4j-stop.sh" >&2 || true
  return 1
}

if pid="$(our_pid)"; then
  if port_open && grep -q KGAL_NEO4J_READY "$LOG_FILE" 2>/dev/null; then
    log "already running (pid $pid, $URI)"
    echo "NEO4J_URI=$URI"
    exit 0
  fi
  log "pid $pid is starting; waiting"
  wait_ready "$pid" || exit 1
  echo "NEO4J_URI=$URI"
  exit 0
fi
rm -f "$PID_FILE"

if port_open; then
  log "port $PORT is already in use by another process (not this launcher)."
  log "Stop it, use KGAL_NEO4J_PORT=<other port>, or point NEO4J_URI at that server."
  exit 1
fi

# --- build (only when missing or out of date) ---------------------------------
needs_build() {
  local cp="$TARGET/classpath.txt" cls="$TARGET/classes/dev/kgal/neo4j/EmbeddedNeo4j.class" jar
  [[ -s "$cp" && -f "$cls" ]] || return 0
  [[ "$PROJECT_DIR/pom.xml" -nt "$cp" ]] && return 0
  [[ -n "$(find "$PROJECT_DIR/src" -newer "$cls" -type f 2>/dev/null)" ]] && return 0
  # the jars live in the local Maven repository; rebuild if it was cleaned
  IFS=: read -r -a jars < "$cp"
  for jar in "${jars[@]}"; do [[ -f "$jar" ]] || return 0; done
  return 1
}

# One build at a time per checkout (several data homes may start at once), under a lock of the project's.
if command -v flock >/dev/null 2>&1; then
  mkdir -p "$TARGET"
  exec 8>"$TARGET/.build.lock"
  flock 8
fi
if needs_build; then
  command -v mvn >/dev/null 2>&1 || { log "Maven (mvn) is required to build the launcher"; exit 1; }
  log "building the launcher (first run downloads Neo4j from Maven Central)..."
  rm -f "$TARGET/classpath.txt"
  if ! mvn -q -B -f "$PROJECT_DIR/pom.xml" compile >"$NEO4J_HOME_DIR/build.log" 2>&1; then
    log "build failed; last lines of $NEO4J_HOME_DIR/build.log:"
    tail -n 40 "$NEO4J_HOME_DIR/build.log" >&2
    exit 1
  fi
fi

exec 8>&-  # the build lock; the server must not hold it

# Graph Data Science: its jars are on the classpath (pom.xml) and linked into plugins/, where Neo4j
# looks for procedures (as its own launcher puts plugins/* on the classpath and scans it).
PLUGIN_ARGS=()
rm -rf "$PLUGINS_DIR"
if [[ "$GDS" == 1 ]]; then
  mkdir -p "$PLUGINS_DIR"
  IFS=: read -r -a jars < "$TARGET/classpath.txt" || true # one line without a newline: read answers 1
  for jar in "${jars[@]}"; do [[ "$jar" == */org/neo4j/gds/* ]] && ln -s "$jar" "$PLUGINS_DIR/"; done
  PLUGIN_ARGS=(--plugins "$PLUGINS_DIR")
fi

# --- start ---------------------------------------------------------------------
JAVA="java"
[[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && JAVA="$JAVA_HOME/bin/java"
mkdir -p "$DB_DIR"

# Own session where setsid exists, so Ctrl-C / job-control signals aimed at the
# caller (e.g. a test runner) don't reach the server; nohup covers SIGHUP.
SETSID=()
command -v setsid >/dev/null 2>&1 && SETSID=(setsid)

# JVM flags: a subset of what Neo4j's own server launcher passes.
# 9>&- : the server must not inherit (and so hold) the start lock.
nohup ${SETSID[@]+"${SETSID[@]}"} "$JAVA" \
  -Xms"$HEAP" -Xmx"$HEAP" \
  -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow \
  -Djdk.nio.maxCachedBufferSize=1024 \
  -Dio.netty.tryReflectionSetAccessible=true \
  -Dlog4j2.disable.jmx=true \
  --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "$TARGET/classes:$(cat "$TARGET/classpath.txt")" \
  "$MAIN_CLASS" --home "$DB_DIR" --port "$PORT" --pagecache "$PAGECACHE" ${PLUGIN_ARGS[@]+"${PLUGIN_ARGS[@]}"} \
  </dev/null >"$LOG_FILE" 2>&1 9>&- &
pid=$!
echo "$pid" >"$PID_FILE"
log "started pid $pid (log: $LOG_FILE); waiting for $URI"

wait_ready "$pid" || exit 1
log "ready in ${SECONDS}s"
echo "NEO4J_URI=$URI"
