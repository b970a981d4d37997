#!/usr/bin/env bash
# Builds the desktop app and the CLI (debug): the front-end into ui/dist first, since the app
# embeds those files at compile time, then `merchant-intake` and `intake` under target/debug/.
# Needs Node/npm, a Rust toolchain and WebKitGTK's development files (scripts/install-deps.sh).
# `--test-seams` builds them with the end-to-end tests' hooks (the dialog answer file, fault
# injection: cargo feature `test-seams`), as scripts/test-e2e.sh does; without it (what
# scripts/run-app.sh builds) they have none, like a release build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

features=()
if [ "${1:-}" = "--test-seams" ]; then
  features=(--features merchant-intake-app/test-seams,intake-cli/test-seams)
fi

"$root/scripts/build-ui.sh"

cd "$root"
cargo build -p merchant-intake-app -p intake-cli "${features[@]}"
