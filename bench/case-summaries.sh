#!/usr/bin/env bash
# What the case summaries' triggers (migration 11) add to the import of one photo, in a folder
# already holding BENCH_CASES x 30 pictures (default 300 cases: 9,000 pictures), beside the same
# writes with no trigger: the ignored test `bench_the_triggers_cost_per_photo`, three rounds.
#   bench/case-summaries.sh [CASES]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# shellcheck source=../scripts/test-features.sh
source scripts/test-features.sh
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
BENCH_CASES="${1:-300}" cargo test "${test_selection[@]}" -p intake-core --test it -- \
  --ignored --exact case_summaries::bench_the_triggers_cost_per_photo --nocapture 2>&1 | grep -E '^round|panicked'
