#!/usr/bin/env bash
# Installs tauri-driver (the WebDriver server the end-to-end tests talk to) with cargo when it
# is missing. 2.x, like tauri itself: crates.io also carries a 3.0 alpha.
set -euo pipefail
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! command -v tauri-driver >/dev/null 2>&1; then
  cargo install tauri-driver --locked --version '^2'
fi
