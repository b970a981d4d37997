# Sourced by scripts/test.sh and scripts/test-e2e.sh: the one selection every test build uses.
#
# Cargo unifies dependency features over the packages a command selects, so `-p A` and
# `--workspace` compile the same dependencies differently, and a build for `cargo build` (no
# dev-dependencies) differs from one for `cargo test`. Each different selection recompiled
# the core, the shell and the CLI: three builds of ~5–12 minutes on 2 cores. Every test
# build therefore selects the whole workspace with the test hooks on; the app and the CLI the
# end-to-end tests drive are the binaries that build leaves in target/debug.
# shellcheck shell=bash
test_selection=(--workspace --features merchant-intake-app/test-seams,intake-cli/test-seams)
