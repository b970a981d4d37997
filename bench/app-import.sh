#!/usr/bin/env bash
# Is the window responsive while 200 photos import (issue #6 item 3)? Runs the app under Xvfb,
# imports the photos of bench/import.sh (bench/out/photos-200, made by it once) into a slot
# through the window, and meanwhile reads an element (the web view's thread) and calls a
# command through the shell (IPC, the app's main thread) every 100 ms; prints the latencies
# and the import's rate. Debug build of the app, as the end-to-end tests use.
#   bench/app-import.sh [PHOTO_FOLDER]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
photos="${1:-$root/bench/out/photos-200}"
if [ ! -d "$photos" ]; then
  echo "no photos in $photos: run bench/import.sh once (it makes them), or name a folder" >&2
  exit 2
fi
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
scripts/build-app.sh
cargo test -p merchant-intake-e2e --no-run
INTAKE_BENCH_PHOTOS="$photos" xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo test -p merchant-intake-e2e -- --ignored --nocapture import_200_photos_while_the_window_is_used
