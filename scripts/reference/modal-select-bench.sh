#!/usr/bin/env bash
# modAL's side of the selection-latency benchmark (scripts/bench-select.ts, docs/benchmarks.md): runs
# modal_select_bench.py in the pinned modAL venv shared with modal-scores.sh. bench-select.ts calls it
# once per (pool size, method); by hand:
#
#   scripts/reference/modal-select-bench.sh --vectors POOL.f32 --meta POOL.meta.json --size 10000 --method entropy
#
# The pinned venv is made by modal-venv.sh on first use (cache dir, never the repo).
#
# Some machines here set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (older OpenBLAS builds need them), which slow
# a current numpy; this benchmark unsets both for its own Python process only and reports the OpenBLAS
# kernel it then runs (threadpoolctl) in its JSON output. Tests and CI keep them as they are.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$(bash "$HERE/modal-venv.sh")"
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$HERE/modal_select_bench.py" "$@"
