# Sourced (not run) by scripts/test-windows.sh and scripts/build-windows.sh: installs what
# building for Windows and running it under Wine need, makes the Wine prefix, and exports the
# variables cargo uses to run x86_64-pc-windows-gnu binaries under Wine.
#
# Everything Windows-only is installed here rather than in apt-packages.txt, so a Linux-only
# developer does not carry Wine. The prefix lives in target/wine (never in ~/.wine): it is
# the project's, made from scratch on a clean clone, and removed with target/.
# Facts behind each step: ../shared/notes/windows.md.

wine_log() { printf '\033[1m[wine]\033[0m %s\n' "$*" >&2; }

windows_target=x86_64-pc-windows-gnu

# --- Packages: the MinGW cross compiler and linker, Wine 8 (Debian's wine64: no /usr/bin/wine,
# the binary is /usr/lib/wine/wine64), NSIS's makensis for the installer; cmake and NASM build
# libjpeg-turbo (also in apt-packages.txt: listed here too so build-windows.sh alone has them).
windows_packages=(mingw-w64 wine64 nsis cmake nasm)
if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for package in "${windows_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    wine_log "apt: installing ${missing[*]}"
    $sudo apt-get update -qq
    # Without recommends: Wine's recommends pull in a desktop's worth of 32-bit libraries.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
rustup target list --installed 2>/dev/null | grep -qx "$windows_target" || rustup target add "$windows_target"

# --- Wine ---------------------------------------------------------------------------------
wine_bin=/usr/lib/wine/wine64
wineserver_bin=/usr/lib/wine/wineserver64
[ -x "$wine_bin" ] || wine_bin="$(command -v wine64 || command -v wine)"
[ -x "$wineserver_bin" ] || wineserver_bin="$(command -v wineserver64 || command -v wineserver)"

export WINEPREFIX="$root/target/wine/prefix"
export WINEARCH=win64
# No debug chatter on stderr (tests compare it), and never offer to download Mono or Gecko.
export WINEDEBUG=-all
# bcryptprimitives: prefer the stub below (Wine 8.0 has no ProcessPrng).
export WINEDLLOVERRIDES="mscoree,mshtml=;bcryptprimitives=n,b"

stub_source="$root/scripts/wine/process_prng.c"
stub_dll="$root/target/wine/bcryptprimitives.dll"
if [ ! -f "$stub_dll" ] || [ "$stub_source" -nt "$stub_dll" ]; then
  mkdir -p "$(dirname "$stub_dll")"
  x86_64-w64-mingw32-gcc -shared -O2 -s -o "$stub_dll" "$stub_source" -ladvapi32
fi
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  wine_log "making the Wine prefix $WINEPREFIX"
  mkdir -p "$WINEPREFIX"
  "$wine_bin" wineboot -i >/dev/null 2>&1
  "$wineserver_bin" -w
fi
system32="$WINEPREFIX/drive_c/windows/system32"
cmp -s "$stub_dll" "$system32/bcryptprimitives.dll" || cp "$stub_dll" "$system32/bcryptprimitives.dll"

# Each test binary is a new Wine process: with the server kept alive between them one starts
# in 0.02-0.1 s instead of 0.7 s. `-p` keeps it for as long as this script runs (the trap
# stops it at exit); started in the background, it does not hold the script.
# A script sourcing this from another that did (build-windows.sh from test-windows.sh) leaves
# the server to the outer one.
if [ -z "${INTAKE_WINESERVER_KEPT:-}" ]; then
  export INTAKE_WINESERVER_KEPT=1
  "$wineserver_bin" -p >/dev/null 2>&1 &
  trap '"$wineserver_bin" -k >/dev/null 2>&1 || true' EXIT
fi

export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$wine_bin"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
# Tests that cannot pass under Wine for a reason of Wine's own (not Windows's) check this and
# say why where they skip.
export INTAKE_UNDER_WINE=1

# Runs a Windows program under the prefix: `wine_run path\to\program.exe args…`.
wine_run() { "$wine_bin" "$@"; }
