#!/usr/bin/env bash
# Makes assets/fonts/NotoSansSC-Bold-gb2312-l1.otf, the font the watermark of ID copies is
# drawn with (crates/intake-core/src/watermark.rs). Not part of the build or the tests: the
# result is committed. Run it again only to change the character set.
#
# Source: Debian 12 `fonts-noto-cjk` 1:20220127+repack1-1, NotoSansCJK-Bold.ttc, face 2
# (Noto Sans CJK SC Bold), SIL Open Font License 1.1 (assets/fonts/OFL.txt).
# Characters: printable ASCII, GB2312 rows 1-9 (punctuation, full-width forms, symbols) and
# GB2312 level 1 (rows 16-55: the 3755 most common hanzi): about 4500 characters, ~860 KB.
# Subsetter: fonttools `pyftsubset` (PyPI fonttools 4.x), layout features and hinting dropped
# (the watermark draws glyph by glyph), every name record kept (the copyright and licence).
set -euo pipefail
cd "$(dirname "$0")/.."
source_font=/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
[ -f "$source_font" ] || { echo "install fonts-noto-cjk first (apt-get install fonts-noto-cjk)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q 'fonttools>=4,<5'
python3 - "$work/chars.txt" <<'PY'
import sys
chars = {chr(c) for c in range(0x20, 0x7F)}
for high in list(range(0xA1, 0xAA)) + list(range(0xB0, 0xD8)):
    for low in range(0xA1, 0xFF):
        try:
            chars.add(bytes([high, low]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
open(sys.argv[1], "w", encoding="utf-8").write("".join(sorted(chars)))
PY
"$work/venv/bin/pyftsubset" "$source_font" --font-number=2 --text-file="$work/chars.txt" \
    --layout-features='' --no-hinting --name-IDs='*' \
    --output-file=assets/fonts/NotoSansSC-Bold-gb2312-l1.otf
ls -l assets/fonts/NotoSansSC-Bold-gb2312-l1.otf
