#!/usr/bin/env bash
# The verifier's peak memory and time on hostile packages (issue 15, item 9), beside `unzip -t`
# (Info-ZIP, which inflates and checks every entry) on the same file. Head office runs
# `intake-verify` on whatever arrives, so a package made to exhaust memory must fail with a named
# problem at bounded memory, never take the reviewer's machine down.
#
# The packages, made here from one real package of a one-photo case:
#   real          the package as exported (the baseline)
#   bomb          + data/bomb.bin: 2047 MiB of zeros deflated to about 2 MB (ratio ~1000)
#   bomb-lying    the same bomb whose headers claim it inflates to 1,000 bytes
#   many-entries  + 99,000 small entries outside data/ (each kept would cost memory)
#   big-tags      + a 60 MB tag file (tag files are kept in memory, up to a limit)
#   many-lines    manifest-sha256.txt with 600,000 extra lines naming files not in the payload
# Usage: bench/verify-hostile.sh   (BENCH_VERIFY=…/intake-verify, BENCH_INTAKE=…/intake: use those builds)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# The verifier measured is the release build head office runs; the CLI only makes the sample
# package, so its (warm) dev build does.
[ -n "${BENCH_VERIFY:-}" ] || cargo build --release -q -p intake-bag --bin intake-verify
[ -n "${BENCH_INTAKE:-}" ] || cargo build -q -p intake-cli
verify="${BENCH_VERIFY:-$root/target/release/intake-verify}"
intake="${BENCH_INTAKE:-$root/target/debug/intake}"
work="$(mktemp -d "${TMPDIR:-/tmp}/intake-hostile.XXXXXX")"
trap 'rm -rf "$work"' EXIT

photo="$root/../shared/corpus/exif-real/files/oppo-r7-plus-gps.jpg"
[ -f "$photo" ] || { photo="$work/photo.jpg"; convert -size 1600x1200 plasma:fractal "$photo"; }
home="$work/home"
"$intake" --home "$home" settings --branch 上海分公司 --manager 张三 >/dev/null
case_id="$("$intake" --home "$home" case new --merchant-name 沪上小面馆 --opens-payment --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
"$intake" --home "$home" add --case "$case_id" --material storefront_photo "$photo" >/dev/null
key="$("$intake" --home "$home" export --case "$case_id" --out "$work/real.zip" --allow-incomplete \
  --reason bench --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key_sha256"])')"

python3 - "$work" <<'EOF'
import os, shutil, struct, sys, zipfile, zlib
work = sys.argv[1]
real = os.path.join(work, "real.zip")

def regular(name):
    # An entry as the packer writes it (a Unix regular file, 0644, deflated), so the verifier
    # does not refuse it by its attributes alone and has to read it.
    info = zipfile.ZipInfo(name, date_time=(2026, 12, 6, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    return info

def copy_with(name, extra):
    out = os.path.join(work, name + ".zip")
    shutil.copy(real, out)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
        extra(z)
    return out

def bomb(z):
    # Streamed, so this script does not hold it itself; 2047 MiB stays under zip64, so the
    # sizes are the plain 4-byte fields patched below.
    with z.open(regular("data/bomb.bin"), "w") as entry:
        zeros = bytes(1 << 20)
        for _ in range(2047):
            entry.write(zeros)
bomb_path = copy_with("bomb", bomb)

# The same bomb, lying: its local header and central directory entry say 1,000 bytes.
data = bytearray(open(bomb_path, "rb").read())
name = b"data/bomb.bin"
for signature, size_at, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
    at = 0
    while (at := data.find(signature, at)) >= 0:
        if data[at + name_offset:at + name_offset + len(name)] == name:
            struct.pack_into("<I", data, at + size_at, 1000)
        at += 4
open(os.path.join(work, "bomb-lying.zip"), "wb").write(data)

def many(z):
    for i in range(99_000):
        z.writestr(regular(f"junk/{i:06d}.txt"), f"entry {i} " * 8)
copy_with("many-entries", many)

def big_tag(z):
    z.writestr(regular("big-tag.txt"), os.urandom(30 << 20).hex()[: 60 << 20])
copy_with("big-tags", big_tag)

# manifest-sha256.txt rewritten with 600,000 extra lines (a zip may hold two entries of one
# name; this one is rebuilt instead so the verifier sees one manifest).
out = os.path.join(work, "many-lines.zip")
with zipfile.ZipFile(real) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
    for info in source.infolist():
        body = source.read(info)
        if info.filename.endswith("manifest-sha256.txt") and not info.filename.startswith("tag"):
            body += b"".join(b"%064x  data/ghost/%07d.jpg\n" % (i, i) for i in range(600_000))
        target.writestr(info, body)
EOF

measure() { # label command... -> "label  seconds  peak MB  exit"
  local label="$1"
  shift
  local stats status
  stats="$work/time.txt"
  set +e
  /usr/bin/time -f '%e %M' -o "$stats" "$@" >/dev/null 2>&1
  status=$?
  set -e
  # GNU time puts "Command exited with non-zero status N" before the figures.
  read -r seconds kb < <(tail -n 1 "$stats")
  printf '  %-34s %8.2f s %8.1f MB   exit %s\n' "$label" "$seconds" "$(awk -v kb="$kb" 'BEGIN { print kb / 1024 }')" "$status"
}

echo "peak resident memory and time (intake-verify beside unzip -t on the same file)"
for package in real bomb bomb-lying many-entries big-tags many-lines; do
  file="$work/$package.zip"
  echo "$package.zip ($(($(stat -c %s "$file") / 1024)) KiB)"
  measure "intake-verify --expect-key …" "$verify" "$file" --expect-key "$key"
  measure "unzip -t" unzip -qq -t "$file"
done
echo "what intake-verify says of each:"
for package in bomb bomb-lying many-entries big-tags many-lines; do
  printf '  %-14s %s\n' "$package" "$("$verify" "$work/$package.zip" --expect-key "$key" --json 2>/dev/null |
    python3 -c 'import json,sys; r=json.load(sys.stdin); p=r.get("problems") or [r.get("error")]; print(sorted({x.get("code") for x in p if x})[:4])')"
done
