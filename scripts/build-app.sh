#!/usr/bin/env bash
# Builds the desktop app and the CLI (debug): the front-end into ui/dist first, since the app
# embeds those files at compile time, then `merchant-intake` and `intake` under target/debug/.
# Needs Node/npm, a Rust toolchain and WebKitGTK's development files (scripts/install-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

"$root/scripts/build-ui.sh"

cd "$root"
cargo build -p merchant-intake-app -p intake-cli
