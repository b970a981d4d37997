#!/usr/bin/env bash
# Regenerates the application icons from one drawing, so the icon set is reproducible
# rather than a pile of opaque binaries. Needs ImageMagick 6 or 7 (`convert`/`magick`).
# The output must be RGBA PNG: Tauri refuses icons without an alpha channel.
set -euo pipefail
cd "$(dirname "$0")"
if command -v magick >/dev/null 2>&1; then IM=(magick); else IM=(convert); fi

# 1024x1024 master: a blue rounded square holding a white clipboard with a green tick,
# the act of checking a merchant's file at the premises.
"${IM[@]}" -size 1024x1024 xc:none \
  \( -size 1024x1024 gradient:'#2563eb-#1e3a8a' \) \
  \( -size 1024x1024 xc:none -fill white -draw 'roundrectangle 40,40 984,984 200,200' \) \
  -delete 0 -alpha off -compose CopyOpacity -composite -alpha on -compose Over \
  -fill white -draw 'roundrectangle 272,212 752,852 48,48' \
  -fill '#93c5fd' -draw 'roundrectangle 392,168 632,276 36,36' \
  -fill '#cbd5e1' -draw 'roundrectangle 352,352 672,384 16,16' \
  -stroke '#16a34a' -strokewidth 64 -fill none -draw "stroke-linecap round stroke-linejoin round path 'M 372,596 L 480,700 L 664,488'" \
  -define png:color-type=6 PNG32:icon-1024.png

for size in 32 128 256; do
  "${IM[@]}" icon-1024.png -resize "${size}x${size}" PNG32:"${size}x${size}.png"
done
mv 256x256.png 128x128@2x.png
"${IM[@]}" icon-1024.png -resize 512x512 PNG32:icon.png
"${IM[@]}" icon-1024.png -define icon:auto-resize=256,128,64,48,32,16 icon.ico
rm icon-1024.png
