#!/usr/bin/env bash
# The upload tests (crates/intake-cli/tests/it/upload.rs) against Garage 2.5.0 instead of
# s3s-fs: round trips, the server and the client killed mid-upload, wrong credentials, missing
# bucket, unreachable endpoint, a damaged byte, a 100 MiB package. Each test starts its own
# single-node Garage on 127.0.0.1 (sqlite metadata, replication factor 1, region "garage",
# layout, bucket and key made with the garage CLI) in a temp folder and kills it at the end.
#
# Not part of .ci/run: building Garage takes 15-25 minutes on 2 cores, which would push a cold
# CI run towards the 45-minute limit. It is installed here on first use (cargo install, into
# ~/.cargo/bin; CARGO_TARGET_DIR outside the repo keeps its 2 GB build out of target/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Only what these tests need: cargo, curl (the independent download) and Garage itself.
command -v cargo >/dev/null 2>&1 || { echo "[test-garage] cargo is missing: install Rust (rustup)" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || { echo "[test-garage] curl is missing: apt-get install curl" >&2; exit 1; }
if ! garage --version 2>/dev/null | grep -q '2\.5\.0'; then
  echo "[test-garage] cargo install garage 2.5.0 (15-25 minutes on 2 cores, once)" >&2
  CARGO_TARGET_DIR="${GARAGE_BUILD_DIR:-${TMPDIR:-/tmp}/garage-build}" cargo install garage@2.5.0 --locked
fi
INTAKE_TEST_S3_SERVER=garage cargo test -p intake-cli --test it -- upload:: "$@"
