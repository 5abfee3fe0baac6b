# Sourced by the stop scripts of the services the tests start (scripts/neo4j-stop.sh,
# scripts/labelstudio/stop.sh): one way to stop a background process recorded in a pid file.
#
#   stop_by_pid_file NAME PID_FILE ARGS_PATTERN TIMEOUT [group]
#
# Does nothing (exit status 0, "not running") unless the pid file names a live process whose command
# line matches ARGS_PATTERN (a recycled pid is never signalled). Sends SIGTERM, waits up to TIMEOUT
# seconds, then SIGKILL, and removes the pid file. `group`: signal the process group (the process was
# started in its own session, so the group id is its pid), falling back to the pid alone.

stop_by_pid_file() {
  local name="$1" pid_file="$2" pattern="$3" timeout="$4" mode="${5:-}" pid="" deadline
  [[ -f "$pid_file" ]] && pid="$(cat "$pid_file" 2>/dev/null || true)"
  if [[ ! "$pid" =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null \
     || ! ps -p "$pid" -o args= 2>/dev/null | grep -q -- "$pattern"; then
    rm -f "$pid_file"
    echo "$name: not running" >&2
    return 0
  fi
  _stop_signal() {
    if [[ "$mode" == group ]]; then kill "-$1" -- "-$pid" 2>/dev/null || kill "-$1" "$pid" 2>/dev/null || true
    else kill "-$1" "$pid" 2>/dev/null || true; fi
  }
  _stop_signal TERM
  deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name: pid $pid still alive after ${timeout}s; sending SIGKILL" >&2
    _stop_signal KILL
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$pid_file"
  echo "$name: stopped (pid $pid)" >&2
}
