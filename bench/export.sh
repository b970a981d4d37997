#!/usr/bin/env bash
# Export and verify benchmark (issue 5): packs a case of about BENCH_MB megabytes (default 500)
# with `intake export` and prints its time and peak memory next to `zip -0 -r` plus `sha256sum`
# on the same files; then `intake verify` next to `sha256sum -c` on the unzipped bag.
# Targets: export / (zip + sha256sum) <= 1.25; verify / sha256sum -c <= 1.2.
# Each command runs twice and the second (warm page cache) run is reported; memory is the peak
# resident size, also measured on a case a fifth the size to show it does not grow with the case.
#
# The case: phone photos (copies of one real 13-megapixel JPEG from ../shared/corpus, each made
# unique by bytes after its end marker, or ImageMagick noise when the corpus is absent) for 60 %
# of the size, and one large video-sized file for the rest. It is exported with
# --allow-incomplete (it is not a complete case). Usage: bench/export.sh [MB]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mb="${1:-${BENCH_MB:-500}}"

cargo build --release -q -p intake-cli
intake="$root/target/release/intake"
work="$(mktemp -d "${TMPDIR:-/tmp}/intake-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

photo_source="$root/../shared/corpus/exif-real/files/oppo-r7-plus-gps.jpg"
if [ ! -f "$photo_source" ]; then
  photo_source="$work/source.jpg"
  convert -size 3120x4160 xc:gray +noise Random -quality 85 "$photo_source"
fi

make_case() { # folder megabytes -> prints the case id
  local home="$1/home" files="$1/files" size="$2"
  mkdir -p "$files"
  local photo_bytes count video_bytes
  photo_bytes=$(stat -c %s "$photo_source")
  count=$(( size * 1024 * 1024 * 6 / 10 / photo_bytes ))
  for i in $(seq -w 1 "$count"); do
    { cat "$photo_source"; printf 'bench-%s' "$i"; } > "$files/IMG_$i.jpg"
  done
  video_bytes=$(( size * 1024 * 1024 - count * photo_bytes ))
  head -c "$video_bytes" /dev/urandom > "$files/VID_0001.mov"
  "$intake" --home "$home" settings --branch 上海分公司 --manager 张三 >/dev/null
  local id
  id=$("$intake" --home "$home" case new --json --merchant-name 基准测试 --opens-payment | sed -n 's/.*"id": "\(.*\)".*/\1/p')
  "$intake" --home "$home" add --case "$id" --material interior_photo "$files"/IMG_*.jpg >/dev/null
  "$intake" --home "$home" add --case "$id" --material inspection_video "$files/VID_0001.mov" >/dev/null
  echo "$id"
}

# time_of LABEL COMMAND...: runs twice, prints the second run's wall seconds and peak KB.
time_of() {
  local out="$work/time.txt"
  "$@" >/dev/null 2>&1 || true
  /usr/bin/time -f "%e %M" -o "$out" "$@" >/dev/null 2>&1 || true
  cat "$out"
}

echo "building a ${mb} MB case in $work ..." >&2
big_id=$(make_case "$work/big" "$mb")
small_mb=$(( mb / 5 ))
small_id=$(make_case "$work/small" "$small_mb")

read -r export_s export_kb < <(time_of "$intake" --home "$work/big/home" export --case "$big_id" --out "$work/big.zip" --allow-incomplete)
read -r small_s small_kb < <(time_of "$intake" --home "$work/small/home" export --case "$small_id" --out "$work/small.zip" --allow-incomplete)
reference() { (cd "$work/big/files" && rm -f "$work/ref.zip" && zip -0 -r -q "$work/ref.zip" . && sha256sum ./* >/dev/null); }
export -f reference; export work
read -r ref_s ref_kb < <(time_of bash -c reference)

mkdir -p "$work/bag" && (cd "$work/bag" && unzip -q "$work/big.zip")
read -r verify_s verify_kb < <(time_of "$intake" verify "$work/big.zip")
read -r check_s check_kb < <(time_of bash -c "cd '$work/bag' && sha256sum -c --quiet manifest-sha256.txt")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
printf '\n%-44s %10s %12s\n' "" "seconds" "peak RSS"
printf '%-44s %10s %9s MB\n' "intake export (${mb} MB case)" "$export_s" "$((export_kb / 1024))"
printf '%-44s %10s %9s MB\n' "intake export (${small_mb} MB case)" "$small_s" "$((small_kb / 1024))"
printf '%-44s %10s %9s MB\n' "zip -0 -r + sha256sum (same files)" "$ref_s" "$((ref_kb / 1024))"
printf '%-44s %10s %9s MB\n' "intake verify (${mb} MB package)" "$verify_s" "$((verify_kb / 1024))"
printf '%-44s %10s %9s MB\n' "sha256sum -c (unzipped bag)" "$check_s" "$((check_kb / 1024))"
printf '\nexport / reference: %s (target <= 1.25)\nverify / sha256sum -c: %s (target <= 1.2)\n' \
  "$(ratio "$export_s" "$ref_s")" "$(ratio "$verify_s" "$check_s")"
