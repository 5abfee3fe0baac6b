#!/usr/bin/env bash
# Embedding throughput: kgal (transformers.js / onnxruntime-node, fp32 and int8) against
# sentence-transformers (PyTorch, CPU) and ONNX Runtime Python on the same model files and the same
# AG News texts, all in one run, then a markdown table and the cosine agreement with
# sentence-transformers. Results in docs/benchmarks.md.
#
#   scripts/bench-embed.sh [--texts 2000] [--batch 32] [--repeat 1] [--threads $(nproc)] [--out DIR]
#
# Sets up what it needs, all outside the repo: the model folder (scripts/model/prepare-model.sh), the
# model build venv for ONNX Runtime Python (numpy, onnxruntime, tokenizers; KGAL_MODEL_VENV) and the
# sentence-transformers venv of scripts/model/reference-vectors.sh (KGAL_REFERENCE_VENV, ~5.8 GB: PyPI's
# torch pulls the CUDA wheels; delete it afterwards). Builds kgal (tsc) and runs, one process per engine:
#   sentence-transformers, ORT Python fp32, ORT Python int8, kgal fp32, kgal int8 (even rounds reversed)
# --repeat N runs that sequence N times (one table per round, then each engine's best round). The
# "other processes" column is the average number of cores other jobs kept busy while an engine was
# timed (/proc/stat): on a shared machine, compare rows where it is low. JSON lines, vectors and tables
# go to --out (default: a new /tmp/kgal-bench-embed.XXXXXX).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
TEXTS=2000
BATCH=32
REPEAT=1
THREADS="$(nproc)"
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --texts) TEXTS="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-embed: unknown argument: $1" >&2; exit 2 ;;
  esac
done

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/kgal"
MODELS_DIR="${KGAL_MODEL_DIR:-$CACHE_ROOT/models}"
MODEL_DIR="$MODELS_DIR/Xenova/all-MiniLM-L6-v2"
MODEL_VENV="${KGAL_MODEL_VENV:-$CACHE_ROOT/model-venv}"
REF_VENV="${KGAL_REFERENCE_VENV:-$CACHE_ROOT/reference-venv}"
PYTHON="${KGAL_PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore PIP_PROGRESS_BAR=off
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 PYTHONDONTWRITEBYTECODE=1
log() { printf 'bench-embed: %s\n' "$*" >&2; }
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1; }

# --- 1. the model folder kgal loads (a no-op when it is complete)
KGAL_MODEL_DIR="$MODELS_DIR" bash "$HERE/model/prepare-model.sh" >&2

# --- 2. ONNX Runtime Python: the model build venv, same requirements and stamp as prepare-model.sh
REQS_SUM="$(sha256 "$HERE/model/requirements.txt")"
if [ ! -x "$MODEL_VENV/bin/python" ] || [ "$(cat "$MODEL_VENV/.kgal-requirements" 2>/dev/null)" != "$REQS_SUM" ]; then
  log "creating $MODEL_VENV (numpy, onnxruntime, tokenizers)"
  rm -rf "$MODEL_VENV"
  "$PYTHON" -m venv "$MODEL_VENV"
  "$MODEL_VENV/bin/python" -m pip install --quiet -r "$HERE/model/requirements.txt"
  echo "$REQS_SUM" > "$MODEL_VENV/.kgal-requirements"
fi

# --- 3. sentence-transformers: the venv of reference-vectors.sh (its pinned REQS, its stamp)
eval "$(grep -m1 '^REQS=(' "$HERE/model/reference-vectors.sh")"
if [ ! -x "$REF_VENV/bin/python" ] || [ "$(cat "$REF_VENV/.kgal-requirements" 2>/dev/null)" != "${REQS[*]}" ]; then
  log "installing ${REQS[*]} into $REF_VENV (~5.8 GB, ~2 min)"
  [ -x "$REF_VENV/bin/python" ] || "$PYTHON" -m venv "$REF_VENV"
  "$REF_VENV/bin/python" -m pip install --quiet "${REQS[@]}"
  echo "${REQS[*]}" > "$REF_VENV/.kgal-requirements"
fi

# --- 4. kgal
(cd "$ROOT" && npx tsc -p tsconfig.json)

# --- 5. the engines, back to back
[ -n "$OUT" ] || OUT="$(mktemp -d /tmp/kgal-bench-embed.XXXXXX)"
mkdir -p "$OUT"
PHYSICAL="$(lscpu -p=core 2>/dev/null | grep -v '^#' | sort -u | wc -l || echo '?')"
[ "$PHYSICAL" = "$THREADS" ] || log "note: --threads $THREADS, but kgal's onnxruntime-node uses its default (physical cores: $PHYSICAL)"
COMMON=(--texts "$TEXTS" --batch "$BATCH")
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p')), $PHYSICAL physical cores, threads $THREADS"
  echo "node $(node -v); $("$MODEL_VENV/bin/python" -c 'import onnxruntime as o; print("onnxruntime (Python)", o.__version__)')"
  echo "uptime before: $(uptime)"
} | tee "$OUT/machine.txt" >&2
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
for round in $(seq 1 "$REPEAT"); do
  R="$OUT/round$round"
  mkdir -p "$R/vectors"
  : > "$R/results.jsonl"
  run() { # label, command...
    local label="$1"; shift
    log "round $round: $label (load avg $(loadavg))"
    "$@" | tee -a "$R/results.jsonl" >&2
  }
  st() {
    run "sentence-transformers" "$REF_VENV/bin/python" "$HERE/bench-embed.py" st "${COMMON[@]}" --threads "$THREADS" \
      --vectors-dir "$R/vectors" 2> >(grep -vE "Loading weights|deprecated" >&2)
  }
  ort() { # precision
    run "ORT Python $1" "$MODEL_VENV/bin/python" "$HERE/bench-embed.py" ort "${COMMON[@]}" --threads "$THREADS" \
      --model-dir "$MODEL_DIR" --precision "$1" --vectors-dir "$R/vectors"
  }
  kgal() { # variants
    run "kgal $1" env KGAL_MODEL_DIR="$MODELS_DIR" KGAL_ALLOW_REMOTE_MODELS=0 \
      node "$ROOT/dist/scripts/bench-embed.js" --variants "$1" "${COMMON[@]}" --vectors-dir "$R/vectors"
  }
  # odd rounds in this order, even rounds reversed, so that a drifting machine favours no engine
  if [ $((round % 2)) = 1 ]; then st; ort fp32; ort int8; kgal fp32,int8
  else kgal int8,fp32; ort int8; ort fp32; st; fi
  log "round $round done (load avg $(loadavg))"
  "$MODEL_VENV/bin/python" "$HERE/bench-embed.py" compare --vectors-dir "$R/vectors" --texts "$TEXTS" > "$R/cosine.json"
  "$MODEL_VENV/bin/python" "$HERE/bench-embed.py" report --cosine "$R/cosine.json" "$R/results.jsonl" > "$R/table.md"
done
echo "uptime after: $(uptime)" | tee -a "$OUT/machine.txt" >&2

cat "$OUT/machine.txt"
for round in $(seq 1 "$REPEAT"); do
  printf '\n### round %s (%s texts, batch %s)\n\n' "$round" "$TEXTS" "$BATCH"
  cat "$OUT/round$round/table.md"
done
if [ "$REPEAT" -gt 1 ]; then
  printf '\n### best of %s rounds\n\n' "$REPEAT"
  "$MODEL_VENV/bin/python" "$HERE/bench-embed.py" report "$OUT"/round*/results.jsonl
fi
log "raw results: $OUT"
