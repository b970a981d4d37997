#!/usr/bin/env bash
# The app's figures of issue 19 item 3, in one run, each beside its target:
#   - cold start to a painted window (the lock screen) under Xvfb, and to the window mapped;
#   - the case list with CASES cases: time from a click on 案件列表 to its first rows shown, and the
#     `case_list` command alone (IPC); the first list after unlocking (every summary computed);
#   - the resident memory of the app and its WebKit processes with a PHOTOS-photo case open,
#     before and after scrolling through it (thumbnails load as they come into view), and the
#     frame intervals while scrolling.
# The data folder is seeded once with the CLI (bench/out/app-CASES-PHOTOS, gitignored): CASES-1
# empty cases and one case with PHOTOS 3-megapixel photos, then encrypted (the app works only
# on encrypted folders). The load average is printed beside each figure.
#   bench/app.sh [CASES] [PHOTOS]          (default 1000 300)
# BENCH_APP_PROFILE=debug measures the debug build instead of release (cold start and memory
# are only meaningful in release); BENCH_SKIP_BUILD=1 uses what is built; BENCH_APP=<path>
# measures that app binary instead of the profile's (a copy of an earlier build, to measure
# before and after a change alternately on the same machine); BENCH_SKIP_COLD_START=1 leaves
# out the three cold starts (the figures of the window over WebDriver only);
# BENCH_NO_THUMBNAILS=1 answers every thumbnail empty in the window (an experiment: the
# pictures' share of the memory).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cases="${1:-1000}"
photos="${2:-300}"
profile="${BENCH_APP_PROFILE:-release}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
load() { cut -d' ' -f1-3 /proc/loadavg; }
for tool in convert xwininfo xprop import Xvfb tauri-driver; do
  command -v "$tool" >/dev/null || { echo "bench/app.sh needs $tool (scripts/install-deps.sh, scripts/install-tauri-driver.sh)" >&2; exit 2; }
done

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  scripts/build-ui.sh >&2
  if [ "$profile" = release ]; then
    # What `tauri build` compiles; niced: the machine is shared.
    nice -n 10 cargo build --release -p merchant-intake-app -p intake-cli --features merchant-intake-app/custom-protocol >&2
  else
    cargo build -p merchant-intake-app -p intake-cli >&2
  fi
  # The WebDriver test that drives the window: a debug build is enough, it only waits and reads.
  nice -n 10 cargo test -p merchant-intake-e2e --no-run >&2
fi
app="${BENCH_APP:-$root/target/$profile/merchant-intake}"
cli="$root/target/$profile/intake"
[ -x "$app" ] && [ -x "$cli" ] || { echo "$app or $cli is not built" >&2; exit 2; }
passphrase="测试密码 e2e passphrase"   # the end-to-end harness's PASSPHRASE

# ── the data folder, seeded once ─────────────────────────────────────────────────────────
seed="$root/bench/out/app-$cases-$photos"
if [ ! -f "$seed/.complete" ]; then
  echo "seeding $seed: $cases cases, one with $photos photos (once) ..." >&2
  rm -rf "$seed" && mkdir -p "$seed/photos"
  convert -size 2000x1500 -seed 7 plasma:fractal -attenuate 0.4 +noise Gaussian "$seed/photos/base.miff"
  for i in $(seq 1 "$photos"); do
    printf "convert '%s/photos/base.miff' -roll +%d+%d -modulate 100,%d -quality 88 '%s/photos/IMG_%04d.jpg'\n" \
      "$seed" $(( i * 97 % 2000 )) $(( i * 61 % 1500 )) $(( 60 + i % 80 )) "$seed" "$i"
  done | xargs -P "$(nproc)" -I{} bash -c '{}'
  rm "$seed/photos/base.miff"
  home="$seed/home"
  started=$(date +%s.%N)
  big=$(env -u INTAKE_PASSPHRASE "$cli" --home "$home" case new --merchant-name "三百张照片的案件" --opens-payment --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  env -u INTAKE_PASSPHRASE "$cli" --home "$home" add --case "$big" --material interior_photo "$seed"/photos/*.jpg >/dev/null
  for i in $(seq 2 "$cases"); do
    echo "$i"
  done | xargs -P 2 -I{} env -u INTAKE_PASSPHRASE "$cli" --home "$home" case new --merchant-name "商户{}" --opens-payment >/dev/null
  INTAKE_PASSPHRASE="$passphrase" "$cli" --home "$home" passphrase set >/dev/null
  echo "$big" > "$seed/big-case"
  echo "seeded in $(python3 -c "print(round($(date +%s.%N) - $started, 1))") s" >&2
  touch "$seed/.complete"
fi
big="$(cat "$seed/big-case")"
# Each run on a copy, so every run starts from the same folder (no summary stored yet).
run_dir="$(mktemp -d)"
trap 'rm -rf "$run_dir"' EXIT
cp -a "$seed/home" "$run_dir/home"

echo "== bench/app.sh: $profile build ($(git rev-parse --short HEAD)), $cases cases, $photos photos"

# ── cold start: launch to window mapped, to window painted (Xvfb, no WebDriver) ─────────
# Painted: the window's own pixels hold more than a handful of colours (the lock screen's text
# and logo), read with ImageMagick's `import` every few milliseconds (each read takes tens of
# milliseconds, which bounds the resolution). Three launches; the page cache is warm after the
# first, as on a laptop that has started the app before.
cold_start() {
  # A display number Xvfb picks itself (-displayfd), written once it accepts connections: a
  # number picked at random could be another Xvfb's (the end-to-end tests' own).
  local number_file="$run_dir/xvfb-display"
  rm -f "$number_file"
  Xvfb -displayfd 3 -screen 0 1366x768x24 -nolisten tcp 3>"$number_file" >/dev/null 2>&1 &
  local xvfb=$!
  for _ in $(seq 200); do [ -s "$number_file" ] && break; sleep 0.05; done
  local display=":$(head -n1 "$number_file")"
  DISPLAY="$display" python3 - "$app" "$run_dir/home" <<'EOF'
import os, subprocess, sys, time
app, home = sys.argv[1], sys.argv[2]
env = dict(os.environ, XDG_DATA_HOME=home + "-xdg", XDG_CACHE_HOME=home + "-xdg", XDG_CONFIG_HOME=home + "-xdg")
def windows_of(pid):
    tree = subprocess.run(["xwininfo", "-root", "-children"], capture_output=True, text=True).stdout
    ids = [w for w in tree.split() if w.startswith("0x")]
    found = []
    for wid in ids:
        props = subprocess.run(["xprop", "-id", wid, "_NET_WM_PID"], capture_output=True, text=True).stdout
        if props.strip().endswith(f"= {pid}"):
            found.append(wid)
    return found
started = time.monotonic()
stderr_path = home + "-cold-start.stderr"
process = subprocess.Popen([app, "--home", home], env=env, stdout=subprocess.DEVNULL, stderr=open(stderr_path, "w"))
window = mapped = painted = None
ids = []
while time.monotonic() - started < 30:
    if window is None:
        ids = windows_of(process.pid)
        for wid in ids:
            info = subprocess.run(["xwininfo", "-id", wid], capture_output=True, text=True).stdout
            if "IsViewable" in info:
                window, mapped = wid, time.monotonic() - started
                break
    else:
        colours = subprocess.run(["import", "-silent", "-window", window, "-format", "%k", "info:"],
                                 capture_output=True, text=True).stdout.strip()
        if colours.isdigit() and int(colours) > 16:
            painted = time.monotonic() - started
            break
    time.sleep(0.005)
if window is None:
    # Say why no window was seen, rather than only a blank figure.
    print(f"no window of the app was seen mapped: its windows {ids}, exit status {process.poll()}, "
          f"its stderr: {open(stderr_path).read()[-600:]!r}", file=sys.stderr)
process.terminate()
process.wait(10)
print(f"{mapped if mapped is not None else float('nan'):.2f} {painted if painted is not None else float('nan'):.2f}")
EOF
  kill "$xvfb" 2>/dev/null || true
  wait "$xvfb" 2>/dev/null || true
}
for round in 1 2 3; do
  [ -n "${BENCH_SKIP_COLD_START:-}" ] && break
  l="$(load)"
  read -r mapped painted < <(cold_start)
  echo "cold start $round: window mapped ${mapped} s, painted ${painted} s   (target painted < 1 s; load $l)"
done

# ── the case list and the 300-photo case, through the window over WebDriver ─────────────
l="$(load)"
e2e_binary="$(cargo test -p merchant-intake-e2e --no-run --message-format=json 2>/dev/null \
  | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        print(m["executable"])')"
output="$(cd tests/e2e && INTAKE_E2E_APP="$app" INTAKE_E2E_CLI="$cli" INTAKE_BENCH_HOME="$run_dir/home" \
  INTAKE_BENCH_BIG_CASE="$big" INTAKE_BENCH_CASES="$cases" INTAKE_BENCH_NO_THUMBNAILS="${BENCH_NO_THUMBNAILS:-}" \
  xvfb-run -a -s "-screen 0 1280x800x24" "$e2e_binary" --ignored --nocapture --exact \
  app_figures::case_list_and_a_300_photo_case_in_the_window 2>&1)" || { echo "$output" >&2; exit 1; }
figure() { printf '%s\n' "$output" | awk -v name="$1" '$1 == "FIGURE" && $2 == name { $1 = ""; $2 = ""; sub(/^ +/, ""); print }'; }
echo "first list after unlocking (unlock + every summary computed): $(figure first_list_after_unlock_ms) ms   (load $l)"
echo "case list of $cases cases, click to its first rows shown: $(figure case_list_shown_ms) ms   (target <= 200 ms)"
echo "  of which: the list mounted $(figure case_list_mounted_ms) ms, its answer arrived $(figure case_list_fetched_ms) ms, rows in the page $(figure case_list_rows_in_page_ms) ms after the click (then two frames)"
echo "case_list command alone (IPC): $(figure case_list_command_ms) ms"
echo "memory with the list: $(figure rss_with_list_mb) MB"
echo "memory with a case without files open: $(figure rss_empty_case_open_mb) MB ($(figure rss_empty_case_open_processes))"
echo "$photos-photo case: shown in $(figure big_case_shown_ms) ms, first thumbnail $(figure first_thumbnail_ms) ms after its slot is scrolled into view; $(figure big_case_files) files, $(figure thumbnails_loaded_before_scrolling) thumbnails loaded before scrolling"
echo "memory with it open: $(figure rss_big_case_open_mb) MB   (target <= 600 MB; $(figure rss_big_case_open_processes)); PSS $(figure pss_big_case_open_mb) MB"
echo "page with the list: $(figure page_with_list)"
echo "page with the case open: $(figure page_big_case_open)"
echo "scrolling through it, frame interval: $(figure scroll_frame_interval_ms) ms"
echo "memory after scrolling to the end ($(figure thumbnails_loaded_after_scrolling) thumbnails loaded, those far above let go): $(figure rss_big_case_scrolled_mb) MB   (target <= 600 MB; $(figure rss_big_case_scrolled_processes); load $(load)); PSS $(figure pss_big_case_scrolled_mb) MB"
echo "page after scrolling to the end: $(figure page_big_case_scrolled)"
echo "back at the first photos, 15 s later: $(figure rss_big_case_back_mb) MB ($(figure rss_big_case_back_processes)); PSS $(figure pss_big_case_back_mb) MB; $(figure page_big_case_back)"
