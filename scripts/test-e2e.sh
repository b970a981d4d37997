#!/usr/bin/env bash
# Runs the end-to-end tests: the real app under Xvfb, driven over WebDriver by tauri-driver.
# Installs what they need (system packages through scripts/install-deps.sh when present,
# tauri-driver with cargo), builds the app and the CLI, runs the shell's own tests
# (src-tauri/tests, mock runtime), then tests/e2e. Extra arguments
# go to the test binary's filter, e.g. `scripts/test-e2e.sh search`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ -x scripts/install-deps.sh ]; then
  scripts/install-deps.sh
fi

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! command -v tauri-driver >/dev/null 2>&1; then
  # 2.x, like tauri itself: crates.io also carries a 3.0 alpha.
  cargo install tauri-driver --locked --version '^2'
fi

# The shell's commands and capabilities on Tauri's mock runtime: no display needed. The app
# embeds the front-end, so ui/dist is built before (a clean clone has none). Built with the
# test hooks, like the app the end-to-end tests drive, so the two share one build (without
# the feature the core, the shell and the CLI were compiled twice: minutes on 2 cores).
scripts/build-ui.sh
cargo test -p merchant-intake-app --features test-seams
# The app and CLI the tests drive, with their test hooks (the dialog answer file).
scripts/build-app.sh --test-seams
# Compile outside Xvfb, run inside it.
cargo test -p merchant-intake-e2e --no-run
xvfb-run -a -s "-screen 0 1366x768x24" cargo test -p merchant-intake-e2e -- "$@"
