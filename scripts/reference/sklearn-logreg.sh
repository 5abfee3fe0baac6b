#!/usr/bin/env bash
# Regenerate tests/fixtures/sklearn-logreg.json: scikit-learn's LogisticRegression (lbfgs, L2, C=1,
# tol=1e-8) fitted on fixed seeded synthetic data, the reference tests/logistic-regression.test.ts checks
# kgal's classifier against. Only needed when the fixture's inputs or the pinned versions change: the
# JSON is committed.
#
#   scripts/reference/sklearn-logreg.sh                      # writes the fixture
#   scripts/reference/sklearn-logreg.sh --python SCRIPT ...  # runs another script in the same venv
#                                                            # (e.g. compare-logreg-embeddings.py)
#
# The venv lives in ${KGAL_SKLEARN_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kgal/venv-sklearn} (never the
# repo); ~150 MB, from PyPI. Env: KGAL_PYTHON (default python3; 3.11 was used for the fixture).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${KGAL_SKLEARN_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kgal/venv-sklearn}"
PYTHON="${KGAL_PYTHON:-python3}"
# scikit-learn and what it pulls in, pinned (same versions as scripts/reference/modal-scores.sh).
REQS=(scikit-learn==1.9.1 scipy==1.17.1 numpy==2.4.6 joblib==1.6.0 threadpoolctl==3.8.0)
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore PIP_PROGRESS_BAR=off

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.kgal-requirements" 2>/dev/null)" != "${REQS[*]}" ]; then
  echo "sklearn-logreg: installing ${REQS[*]} into $VENV" >&2
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet "${REQS[@]}"
  echo "${REQS[*]}" > "$VENV/.kgal-requirements"
fi

if [ "${1:-}" = "--python" ]; then
  shift
  script="$1"
  shift
  exec "$VENV/bin/python" "$script" "$@"
fi
exec "$VENV/bin/python" "$HERE/sklearn_logreg.py" "$@"
