#!/usr/bin/env bash
# Accuracy and speed of `intake read` (issue 21) on synthetic documents with known values:
# renders COUNT clean documents of each kind (licence, ID card sides, map screenshot) and
# DEGRADED of each kind per degraded variant (blur, noise, rotation, perspective) once into
# bench/out/ (gitignored), reads every one with the release `intake read --json` (one process
# per document: model loading included, as a manager's single read is), and prints field-level
# exact-match rates per kind and variant and the seconds per document.
#   bench/ocr.sh [COUNT] [DEGRADED]   (defaults 20 and 5: 160 documents)
# PROFILE=dev uses the debug build instead (dependencies and intake-ocr are optimised there too).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
count="${1:-20}"
degraded="${2:-5}"

scripts/fetch-ocr-models.sh
python=.venv/bin/python
if ! "$python" -c 'import PIL' 2>/dev/null; then
  echo "bench/ocr.sh needs Pillow in .venv: run scripts/install-deps.sh" >&2
  exit 2
fi

docs="$root/bench/out/ocr-docs-$count-$degraded"
if [ ! -f "$docs/.complete" ]; then
  echo "rendering the synthetic documents into $docs (once) ..." >&2
  rm -rf "$docs"
  "$python" bench/make-ocr-documents.py "$docs" --count "$count" --degraded-count "$degraded"
  touch "$docs/.complete"
fi

if [ "${PROFILE:-release}" = dev ]; then
  cargo build -q -p intake-cli
  intake="$root/target/debug/intake"
else
  cargo build --release -q -p intake-cli
  intake="$root/target/release/intake"
fi

results="$docs/results-$(date -u +%Y%m%dT%H%M%S).jsonl"
: > "$results"
total=$(ls "$docs"/*.jpg | wc -l)
n=0
peak_kb=0
for file in "$docs"/*.jpg; do
  name="$(basename "$file")"
  kind="${name%%-*}"
  n=$((n + 1))
  printf '\r%d/%d %s   ' "$n" "$total" "$name" >&2
  start=$(date +%s.%N)
  # GNU time's maximum resident set size, in kB, goes to its own file.
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$docs/.rss" "$intake" read "$file" --as "$kind" --json > "$docs/.out.json"
    rss=$(cat "$docs/.rss")
    [ "$rss" -gt "$peak_kb" ] && peak_kb=$rss
  else
    "$intake" read "$file" --as "$kind" --json > "$docs/.out.json"
  fi
  end=$(date +%s.%N)
  "$python" - "$name" "$start" "$end" "$docs/.out.json" >> "$results" <<'PY'
import json, sys
name, start, end, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
read = json.load(open(out, encoding="utf-8"))
print(json.dumps({"file": name, "seconds": end - start, "fields": read["fields"]}, ensure_ascii=False))
PY
done
echo >&2
echo "intake read (${PROFILE:-release}), $total documents, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); peak RSS $((peak_kb / 1024)) MB"
"$python" bench/score-ocr.py "$docs/truth.json" "$results"
