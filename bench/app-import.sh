#!/usr/bin/env bash
# Is the window responsive while 200 photos import (issue #6 item 3)? Runs the app under Xvfb,
# imports 200 photos (bench/make-photos.sh, as bench/import.sh uses) into a slot
# through the window, and meanwhile reads an element (the web view's thread) and calls a
# command through the shell (IPC, the app's main thread) every 100 ms; prints the latencies
# and the import's rate. Debug build of the app, as the end-to-end tests use.
#   bench/app-import.sh [PHOTO_FOLDER]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# The 200 photos of bench/import.sh, made once by bench/make-photos.sh (~10 minutes).
photos="${1:-$(bench/make-photos.sh 200)}"
if [ ! -d "$photos" ]; then
  echo "no folder $photos" >&2
  exit 2
fi
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
scripts/build-app.sh
cargo test -p merchant-intake-e2e --no-run
INTAKE_BENCH_PHOTOS="$photos" xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo test -p merchant-intake-e2e -- --ignored --nocapture import_200_photos_while_the_window_is_used
