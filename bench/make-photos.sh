#!/usr/bin/env bash
# Makes COUNT realistic 12-megapixel phone-like JPEGs (4000x3000, textured and noisy so each is
# 3-6 MB, with EXIF make/model, DateTimeOriginal and GPS) in bench/out/photos-COUNT (gitignored),
# once: a folder with its `.complete` mark is kept. Used by bench/import.sh and
# bench/app-import.sh. Needs ImageMagick and exiftool (scripts/install-deps.sh installs both).
#   bench/make-photos.sh [COUNT]   (default 200); prints the folder
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${1:-200}"
for tool in convert exiftool; do
  command -v "$tool" >/dev/null || { echo "bench/make-photos.sh needs $tool: sudo apt-get install imagemagick libimage-exiftool-perl" >&2; exit 2; }
done
cores=$(nproc)
photos="$root/bench/out/photos-$count"
if [ ! -f "$photos/.complete" ]; then
  echo "making $count 12-megapixel photos in $photos (once) ..." >&2
  rm -rf "$photos" && mkdir -p "$photos/base"
  # A few textured, noisy 4000x3000 bases; each photo is a base rolled by its own offset, so
  # every photo has other pixels and other bytes.
  for seed in 1 2 3 4; do
    echo "convert -size 4000x3000 -seed $seed plasma:fractal -attenuate 0.5 +noise Gaussian '$photos/base/$seed.miff'"
  done | xargs -P "$cores" -I{} bash -c '{}'
  for i in $(seq 1 "$count"); do
    printf "convert '%s/base/%d.miff' -roll +%d+%d -quality 90 -sampling-factor 2x2 '%s/IMG_%04d.jpg'\n" \
      "$photos" $(( i % 4 + 1 )) $(( i * 37 % 4000 )) $(( i * 53 % 3000 )) "$photos" "$i"
  done | xargs -P "$cores" -I{} bash -c '{}'
  rm -rf "$photos/base"
  # EXIF as a phone writes it: one exiftool process for all files (-execute per file).
  args="$photos/.exif-args.txt"
  for i in $(seq 1 "$count"); do
    printf -- '-Make=Xiaomi\n-Model=Redmi Note 12\n-Software=bench\n-DateTimeOriginal=2026:11:20 10:%02d:%02d\n' $(( i / 60 % 60 )) $(( i % 60 ))
    printf -- '-OffsetTimeOriginal=+08:00\n-GPSLatitude=31.23%04d\n-GPSLatitudeRef=N\n-GPSLongitude=121.47%04d\n-GPSLongitudeRef=E\n' "$i" "$i"
    printf -- '-overwrite_original\n%s/IMG_%04d.jpg\n-execute\n' "$photos" "$i"
  done > "$args"
  exiftool -q -@ "$args" >/dev/null
  rm -f "$args"
  touch "$photos/.complete"
fi
echo "$photos"
