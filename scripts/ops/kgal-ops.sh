#!/bin/sh
# Runs a built ops script from any working directory (cron starts in $HOME):
#   scripts/ops/kgal-ops.sh ingest-dir|reembed|refresh-graph [options]
# The exit code is the script's (docs/operations.md). Relative paths, and the default ./.kgal store,
# resolve against the caller's directory: give cron absolute paths and KGAL_DATA_DIR.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
case "${1:-}" in
  ingest-dir | reembed | refresh-graph) ;;
  *)
    printf '{"level":"error","script":"kgal-ops","event":"usage","msg":"usage: kgal-ops.sh ingest-dir|reembed|refresh-graph [options]"}\n'
    exit 64
    ;;
esac
script="$root/dist/scripts/ops/$1.js"
shift
if [ ! -f "$script" ]; then
  printf '{"level":"error","script":"kgal-ops","event":"internal-error","msg":"%s is not built: run npm run build in %s"}\n' "$script" "$root"
  exit 70
fi
exec node "$script" "$@"
