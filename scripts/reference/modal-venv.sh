#!/usr/bin/env bash
# Makes (once) and prints the Python of the pinned modAL venv that modal-scores.sh and modal-select-bench.sh
# share: ${KGAL_MODAL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kgal/venv-modal} (never the repo), ~200 MB from
# PyPI. Env: KGAL_PYTHON (default python3; 3.10 or 3.11 reproduces the pinned set). Progress goes to stderr.
set -euo pipefail

VENV="${KGAL_MODAL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kgal/venv-modal}"
PYTHON="${KGAL_PYTHON:-python3}"
# modAL-python, scikit-learn, scipy, numpy and what they pull in, pinned (modAL 0.4.2.1 is the latest release).
REQS=(modAL-python==0.4.2.1 scikit-learn==1.9.1 scipy==1.17.1 numpy==2.4.6
      joblib==1.6.0 threadpoolctl==3.8.0 narwhals==2.29.0 pandas==3.1.1 python-dateutil==4.0.0 tzdata==2026.6
      skorch==0.9.0 tabulate==0.10.0 tqdm==4.70.1 cloudpickle==3.1.3)
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore PIP_PROGRESS_BAR=off

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.kgal-requirements" 2>/dev/null)" != "${REQS[*]}" ]; then
  echo "modal-venv: installing ${REQS[*]} into $VENV" >&2
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet "${REQS[@]}" >&2
  echo "${REQS[*]}" > "$VENV/.kgal-requirements"
fi
echo "$VENV/bin/python"
