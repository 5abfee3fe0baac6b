#!/usr/bin/env bash
# modAL's side of the selection-latency benchmark (scripts/bench-select.ts, docs/benchmarks.md): runs
# modal_select_bench.py in the pinned modAL venv shared with modal-scores.sh. bench-select.ts calls it
# once per (pool size, method); by hand:
#
#   scripts/reference/modal-select-bench.sh --vectors POOL.f32 --meta POOL.meta.json --size 10000 --method entropy
#
# The venv lives in ${KGAL_MODAL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kgal/venv-modal} (never the repo);
# ~200 MB, from PyPI, made on first use. Env: KGAL_PYTHON (default python3; 3.10 or 3.11 reproduces the pinned set).
#
# Some machines here set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (older OpenBLAS builds need them), which slow
# a current numpy; this benchmark unsets both for its own Python process only and reports the OpenBLAS
# kernel it then runs (threadpoolctl) in its JSON output. Tests and CI keep them as they are.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${KGAL_MODAL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kgal/venv-modal}"
PYTHON="${KGAL_PYTHON:-python3}"
# The same pinned set as modal-scores.sh (keep the two lists equal: they share the venv).
REQS=(modAL-python==0.4.2.1 scikit-learn==1.9.1 scipy==1.17.1 numpy==2.4.6
      joblib==1.6.0 threadpoolctl==3.8.0 narwhals==2.29.0 pandas==3.1.1 python-dateutil==4.0.0 tzdata==2026.6
      skorch==0.9.0 tabulate==0.10.0 tqdm==4.70.1 cloudpickle==3.1.3)
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore PIP_PROGRESS_BAR=off

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.kgal-requirements" 2>/dev/null)" != "${REQS[*]}" ]; then
  echo "modal-select-bench: installing ${REQS[*]} into $VENV" >&2
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet "${REQS[@]}" >&2
  echo "${REQS[*]}" > "$VENV/.kgal-requirements"
fi
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$VENV/bin/python" "$HERE/modal_select_bench.py" "$@"
