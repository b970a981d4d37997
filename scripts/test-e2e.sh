#!/usr/bin/env bash
# Runs the end-to-end tests: the real app under Xvfb, driven over WebDriver by tauri-driver.
# Installs what they need (system packages through scripts/install-deps.sh, tauri-driver with
# cargo), builds the front-end and the workspace's tests with the same selection as
# scripts/test.sh (so the two share one build), runs the shell's own tests (src-tauri/tests,
# mock runtime), then tests/e2e. Extra arguments go to the end-to-end binary's filter, e.g.
# `scripts/test-e2e.sh search`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/install-deps.sh
scripts/install-tauri-driver.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# The app embeds the front-end, so ui/dist is built first (a clean clone has none).
scripts/build-ui.sh
source scripts/test-features.sh
# One build of every test binary and of the app and CLI they drive; the paths of the shell's
# and the end-to-end crate's test binaries come from cargo's own report of what it built.
binaries="$(cargo test "${test_selection[@]}" --no-run --message-format=json-render-diagnostics \
  | python3 -c '
import json, sys
for line in sys.stdin:
    message = json.loads(line)
    # Test harnesses only (profile.test), not the app and CLI binaries themselves.
    if message.get("reason") != "compiler-artifact" or not message.get("executable") \
            or not message["profile"]["test"]:
        continue
    package = message["package_id"]
    if "#merchant-intake-app@" in package or "#merchant-intake-e2e@" in package:
        print(("e2e " if "#merchant-intake-e2e@" in package else "shell ") + message["executable"])
')"
shell_tests=$(printf '%s\n' "$binaries" | awk '$1 == "shell" { print $2 }')
e2e_tests=$(printf '%s\n' "$binaries" | awk '$1 == "e2e" { print $2 }')
[ -n "$shell_tests" ] && [ -n "$e2e_tests" ] || { echo "cargo built no shell or end-to-end test binary" >&2; exit 1; }

# The shell's commands and capabilities on Tauri's mock runtime: no display needed.
# Each from its package's folder, as cargo test runs them.
for test_binary in $shell_tests; do
  (cd src-tauri && "$test_binary")
done
cd tests/e2e
xvfb-run -a -s "-screen 0 1366x768x24" $e2e_tests "$@"
