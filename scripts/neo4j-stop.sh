#!/usr/bin/env bash
# Stop the offline Neo4j started by scripts/neo4j-start.sh: SIGTERM (clean
# shutdown), wait up to KGAL_NEO4J_STOP_TIMEOUT (30) s, then SIGKILL.
# Exits 0 when it is not running. Same KGAL_NEO4J_HOME as neo4j-start.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/stop-by-pid-file.sh"

NEO4J_HOME_DIR="${KGAL_NEO4J_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kgal/neo4j}"
stop_by_pid_file neo4j-stop "$NEO4J_HOME_DIR/neo4j.pid" dev.kgal.neo4j.EmbeddedNeo4j "${KGAL_NEO4J_STOP_TIMEOUT:-30}"
