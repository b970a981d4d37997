#!/usr/bin/env bash
# Puts the three PP-OCR models that `intake read` runs into assets/ocr/models/ (git-ignored):
# detection, recognition (its alphabet is in the model's metadata) and the 0/180 degree
# direction classifier. They come from the PyPI wheel rapidocr-onnxruntime 1.4.4 (Apache-2.0),
# the only registry that ships them; the wheel and each model are checked against the SHA-256
# below, so a changed upload is refused rather than run. Does nothing when the models are there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[fetch-ocr-models]\033[0m %s\n' "$*" >&2; }

dest="assets/ocr/models"
wheel_name="rapidocr_onnxruntime-1.4.4-py3-none-any.whl"
wheel_sha256="971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf"
models=(
  "ch_PP-OCRv4_det_infer.onnx d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9"
  "ch_PP-OCRv4_rec_infer.onnx 48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b"
  "ch_ppocr_mobile_v2.0_cls_infer.onnx e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c"
)

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

all_present() {
  local entry name sum
  for entry in "${models[@]}"; do
    read -r name sum <<<"$entry"
    [ -f "$dest/$name" ] && [ "$(sha256_of "$dest/$name")" = "$sum" ] || return 1
  done
}

if all_present; then
  exit 0
fi

python=python3
[ -x .venv/bin/python ] && python=.venv/bin/python
# `python -m pip`, not .venv/bin/pip: a venv copied from elsewhere keeps the old path in pip's
# first line.
pip=("$python" -m pip)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "pip download rapidocr-onnxruntime==1.4.4 (the PP-OCRv4 models, about 15 MB)"
"${pip[@]}" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  -d "$work" rapidocr-onnxruntime==1.4.4
got="$(sha256_of "$work/$wheel_name")"
if [ "$got" != "$wheel_sha256" ]; then
  log "$wheel_name has SHA-256 $got, expected $wheel_sha256: refusing it"
  exit 1
fi

mkdir -p "$dest"
for entry in "${models[@]}"; do
  read -r name sum <<<"$entry"
  # Written beside the destination and renamed, so an interrupted run leaves no half model.
  "$python" - "$work/$wheel_name" "rapidocr_onnxruntime/models/$name" "$dest/$name.part" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as out:
    shutil.copyfileobj(src, out)
PY
  got="$(sha256_of "$dest/$name.part")"
  if [ "$got" != "$sum" ]; then
    rm -f "$dest/$name.part"
    log "$name has SHA-256 $got, expected $sum: refusing it"
    exit 1
  fi
  mv -f "$dest/$name.part" "$dest/$name"
done
log "models in $dest"
