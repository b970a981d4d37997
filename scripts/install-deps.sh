#!/usr/bin/env bash
# Installs what the build, the app and the tests need and is missing; does nothing when all is
# there, so every other script calls it first. Debian/Ubuntu (apt). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[install-deps]\033[0m %s\n' "$*" >&2; }

# --- System packages -----------------------------------------------------------------------
if command -v apt-get >/dev/null 2>&1; then
  mapfile -t wanted < <(grep -v '^\s*#' scripts/apt-packages.txt | sed '/^\s*$/d')
  missing=()
  for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    log "apt: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  log "no apt-get here: install the packages of scripts/apt-packages.txt by hand"
fi

# --- Rust ----------------------------------------------------------------------------------
command -v cargo >/dev/null 2>&1 || { log "cargo is missing: install Rust from rustup first"; exit 1; }
# The gates of scripts/test.sh: rustfmt and clippy (in rustup's default profile, not its minimal one).
if command -v rustup >/dev/null 2>&1; then
  for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" || {
      log "rustup component add $component"
      rustup component add "$component"
    }
  done
fi

# --- Node (the front-end build; scripts/build-app.sh runs npm ci) ------------------------
command -v npm >/dev/null 2>&1 || { log "npm is missing: install Node.js 20 or newer"; exit 1; }

# --- Python checkers used by the tests (independent implementations) ----------------------
if [ ! -x .venv/bin/python ] || [ scripts/python-requirements.txt -nt .venv/.installed ]; then
  log "python venv (.venv): $(tr '\n' ' ' < scripts/python-requirements.txt)"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/python-requirements.txt
  touch .venv/.installed
fi

# --- OCR models (issue 21): PP-OCRv4 from the PyPI wheel rapidocr-onnxruntime, SHA-256 pinned ---
scripts/fetch-ocr-models.sh

# --- S3-compatible server for the upload tests (issue 7) ------------------------------------
# s3s-fs serves a folder as S3 (multipart included); the upload tests start their own on a free
# loopback port. About 3 minutes to build, once. Garage, the other server the tests run
# against, takes 15-25 minutes to build: scripts/test-garage.sh installs it on demand.
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
if ! "$cargo_bin/s3s-fs" --version 2>/dev/null | grep -q '0\.14\.1'; then
  log "cargo install s3s-fs 0.14.1 (the upload tests' S3 server)"
  cargo install s3s-fs@0.14.1 --features binary --locked --quiet
fi
