#!/usr/bin/env bash
# Regenerate tests/fixtures/libact-exp4p.json: libact's own Exp4P and ActiveLearningByLearning (ALBL, Hsu &
# Lin 2015) driven through fixed, seeded scenarios (scripted strategy picks, rewards and model), the
# reference tests/exp4p.test.ts checks kgal's bandit (src/strategies/exp4p.ts) against. Only needed when the
# scenarios or the pinned versions change: the JSON is committed.
#
#   scripts/reference/libact-exp4p.sh
#
# The venv lives in ${KGAL_LIBACT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kgal/venv-libact} (never the repo);
# ~150 MB, from PyPI. Env: KGAL_PYTHON (default python3; 3.11 was used for the fixture).
#
# libact 0.1.6 (its latest release) ships only as an sdist whose setup.py imports Cython and numpy and, by
# default, compiles two C extensions (HintSVM, VarianceReduction; they need LAPACKE and fail under Cython 3).
# ALBL/Exp4P are pure Python, so the extensions are switched off (LIBACT_BUILD_*=0) and the sdist is built
# without build isolation against the pinned Cython/numpy below. libact's other declared dependency,
# matplotlib, is only imported by libact.labelers, which is not used, hence --no-deps plus the explicit list.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${KGAL_LIBACT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kgal/venv-libact}"
PYTHON="${KGAL_PYTHON:-python3}"
REQS=(numpy==2.4.6 scipy==1.17.1 scikit-learn==1.9.1 joblib==1.6.0 threadpoolctl==3.8.0 six==1.17.0
      Cython==3.3.1 setuptools==65.5.0 wheel==0.48.0)
LIBACT=libact==0.1.6
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore PIP_PROGRESS_BAR=off

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.kgal-requirements" 2>/dev/null)" != "${REQS[*]} $LIBACT" ]; then
  echo "libact-exp4p: installing ${REQS[*]} $LIBACT into $VENV" >&2
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet "${REQS[@]}"
  LIBACT_BUILD_HINTSVM=0 LIBACT_BUILD_VARIANCE_REDUCTION=0 \
    "$VENV/bin/python" -m pip install --quiet --no-deps --no-build-isolation "$LIBACT"
  echo "${REQS[*]} $LIBACT" > "$VENV/.kgal-requirements"
fi

# libact logs two warnings about the skipped C extensions on import; they are expected.
"$VENV/bin/python" "$HERE/libact_exp4p.py" --out "$ROOT/tests/fixtures/libact-exp4p.json" 2> >(grep -v 'C-extension not compiled' >&2)
echo "libact-exp4p: wrote tests/fixtures/libact-exp4p.json" >&2
