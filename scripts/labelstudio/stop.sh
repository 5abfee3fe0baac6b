#!/usr/bin/env bash
# Stop the Label Studio started by scripts/labelstudio/start.sh: SIGTERM to its
# process group, wait up to KGAL_LS_STOP_TIMEOUT (20) s, then SIGKILL.
# Exits 0 when it is not running. Same KGAL_LS_HOME as start.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/stop-by-pid-file.sh"

LS_HOME="${KGAL_LS_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kgal/labelstudio}"
# start.sh runs it in its own session (setsid): the group signal also reaches any worker it forked.
stop_by_pid_file labelstudio-stop "$LS_HOME/ls.pid" label-studio "${KGAL_LS_STOP_TIMEOUT:-20}" group
rm -f "$LS_HOME/ls.env"
