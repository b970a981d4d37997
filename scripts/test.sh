#!/usr/bin/env bash
# Every test: installs what is missing, formatting and lints, the front-end build (type check
# included) with its lint and formatting check, every crate's tests with the end-to-end tests of the app under Xvfb, the
# generated-bindings check, then the headless tests built for Windows and run under Wine with
# the Windows installer's test. `.ci/run` runs exactly this.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/.venv/bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Each step's heading says how long the run has taken so far, so a slow CI log shows which step
# grew (CI's cold run must stay under 60 min).
started=$SECONDS
step() { printf '\n\033[1m== [%d s] %s\033[0m\n' "$((SECONDS - started))" "$*" >&2; }

step "install what is missing"
scripts/install-deps.sh
# Every crate of the lock file, for every target platform: a build fetches only its own
# target's, and intake-bag's `dependencies` test asks `cargo tree --offline --target all`. On a
# fresh machine android-only crates were missing and that test failed. --locked: a Cargo.lock
# that does not match the manifests fails here, not later.
cargo fetch --locked >/dev/null

step "formatting: cargo fmt --check"
cargo fmt --all -- --check

step "front-end: build ui/dist (type check included)"
# The shell embeds ui/dist at compile time (tauri::generate_context! fails without it), and
# clippy below compiles the shell: a clean clone has no ui/dist, so the front-end comes first.
scripts/build-ui.sh

step "front-end: lint and formatting (Biome, ui/biome.jsonc)"
# Installed by build-ui.sh's npm ci (a pinned devDependency); about two seconds. Fails on a
# lint error or a file `npm run format` would change.
(cd ui && npm run --silent check)

step "lints: cargo clippy -D warnings (every crate, tests included)"
# The shell (src-tauri) and the end-to-end crate are checked too: they are workspace members.
cargo clippy --workspace --all-targets --locked -- -D warnings

step "every crate's tests, the app's end-to-end tests included (one build, under Xvfb)"
# The end-to-end tests drive the built app (target/debug/merchant-intake) over WebDriver:
# tauri-driver, WebKitWebDriver (install-deps.sh) and a display (Xvfb at the managers' laptop
# size). One selection for the whole build: see scripts/test-features.sh.
scripts/install-tauri-driver.sh
source scripts/test-features.sh
# Compile outside Xvfb, run inside it.
cargo test "${test_selection[@]}" --no-run
xvfb-run -a -s "-screen 0 1366x768x24" cargo test "${test_selection[@]}"
# ts-rs rewrites ui/src/bindings during the tests above: a change there means the committed
# TypeScript types no longer match the Rust types.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # --porcelain also lists untracked files: a new type whose binding was never committed fails too.
  if [ -n "$(git status --porcelain -- ui/src/bindings)" ]; then
    git status --porcelain -- ui/src/bindings >&2
    echo "ui/src/bindings is out of date: commit the regenerated TypeScript bindings" >&2
    exit 1
  fi
fi

step "Windows: the headless crates' tests under Wine, then the installer (scripts/test-windows.sh)"
# INTAKE_SKIP_WINDOWS_TESTS=1 leaves it out for a quick local run (it adds the cold cross build, see README).
[ -n "${INTAKE_SKIP_WINDOWS_TESTS:-}" ] || scripts/test-windows.sh
step "all passed"
