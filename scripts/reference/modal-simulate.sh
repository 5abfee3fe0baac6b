#!/usr/bin/env bash
# modAL + scikit-learn on a `kgal simulate --out` directory: runs modal-simulate.py (modAL entropy sampling
# and random, LogisticRegression as kgal's classifier, same embeddings, splits, seeds and initial sets) and
# writes <dir>/modal-rounds.csv in kgal's round-row format, next to kgal's rounds.csv.
#
#   scripts/reference/modal-simulate.sh <dir> [--strategies modal-entropy,modal-random] [--out FILE]
#
# The pinned venv is made by modal-venv.sh (cache dir, never the repo; KGAL_MODAL_VENV overrides it).
# Progress goes to stderr. docs/simulation-modal.md compares the curves.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "$#" -lt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  echo "usage: $0 <simulation dir> [--strategies modal-entropy,modal-random] [--out FILE]" >&2
  [ "$#" -ge 1 ] && exit 0 || exit 2
fi
if [ ! -f "$1/campaign.json" ]; then
  echo "modal-simulate: $1/campaign.json not found (expected a \`kgal simulate --out\` directory)" >&2
  exit 2
fi
PY="$(bash "$HERE/modal-venv.sh")"
# One BLAS thread per process unless asked: the fits are small, and kgal's trainer is single-threaded too.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}"
exec "$PY" "$HERE/modal-simulate.py" "$@"
