#!/usr/bin/env bash
# Regenerate tests/fixtures/modal-scores.json: modAL's own uncertainty, disagreement and density scores on
# fixed seeded matrices, the reference tests/strategies.test.ts checks kgal's score functions against.
# Only needed when the fixture's inputs or the pinned versions change: the JSON is committed.
#
#   scripts/reference/modal-scores.sh
#
# The pinned venv is made by modal-venv.sh (cache dir, never the repo).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$(bash "$HERE/modal-venv.sh")"
"$PY" "$HERE/modal_scores.py" "$@"
