#!/usr/bin/env bash
# Builds Merchant Intake for Windows on this Linux machine and packs its installer:
# release builds of the CLI (`intake.exe`, `intake-verify.exe`) and of the desktop app
# (`merchant-intake.exe`, with WebView2Loader.dll beside it) for x86_64-pc-windows-gnu, then
# packaging/windows/installer.nsi with makensis:
#
#   scripts/build-windows.sh              # -> target/windows/Merchant-Intake-<version>-setup.exe
#   scripts/build-windows.sh --cli-only   # the installer without the desktop app (what
#                                         # scripts/test-windows.sh installs under Wine)
#
# Installs what is missing first (scripts/wine-env.sh: MinGW, Wine, NSIS, the Rust target).
# The GNU target, not MSVC: Microsoft's SDK cannot be fetched here; the hosted Windows
# workflow (.github/workflows/windows.yml) builds the MSVC one with Tauri's own bundler.
# Cold, the CLI took about 10 minutes on 2 cores (OpenSSL and SQLCipher are compiled for
# MinGW); the app adds tauri and its dependencies.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# shellcheck source=wine-env.sh
source scripts/wine-env.sh

with_app=1
profile=release
for arg in "$@"; do
  case "$arg" in
    --cli-only) with_app=0 ;;
    # Packs the dev build scripts/test-windows.sh's `cargo test` has just made (no cargo run
    # here): the installer it installs under Wine, without a second, release build of OpenSSL
    # and SQLCipher (10 minutes cold) or a rebuild of the workspace without the test features.
    --dev) profile=dev ;;
    *) echo "build-windows: unknown argument $arg (--cli-only, --dev)" >&2; exit 2 ;;
  esac
done

version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)"
[ -n "$version" ] || { echo "build-windows: no version in Cargo.toml's [workspace.package]" >&2; exit 1; }
target_dir="${CARGO_TARGET_DIR:-$root/target}"
built="$target_dir/$windows_target/$([ "$profile" = dev ] && echo debug || echo release)"
stage="$target_dir/windows/stage"
out="$target_dir/windows/Merchant-Intake-$version-setup.exe"
# A dev-profile installer is for tests only: its name says so.
[ "$profile" = dev ] && out="$target_dir/windows/Merchant-Intake-$version-dev-setup.exe"

if [ "$profile" = release ]; then
  started=$(date +%s)
  cargo build --release --target "$windows_target" -p intake-cli -p intake-bag --bin intake --bin intake-verify
  if ((with_app)); then
    # The app embeds the front-end; `custom-protocol` serves it from the embedded files, as
    # `tauri build` does for a release.
    scripts/build-ui.sh
    cargo build --release --target "$windows_target" -p merchant-intake-app --features custom-protocol
  fi
  echo "build-windows: cargo took $(($(date +%s) - started)) s" >&2
fi
for exe in intake.exe intake-verify.exe; do
  [ -f "$built/$exe" ] || { echo "build-windows: no $built/$exe (run scripts/test-windows.sh first for --dev)" >&2; exit 1; }
done

rm -rf "$stage"
mkdir -p "$stage"
cp "$built/intake.exe" "$built/intake-verify.exe" "$stage/"
cp assets/icons/icon.ico packaging/windows/README.txt "$stage/"
if [ -d assets/ocr/models ]; then
  mkdir -p "$stage/ocr-models"
  cp assets/ocr/models/*.onnx "$stage/ocr-models/"
else
  echo "build-windows: no assets/ocr/models (scripts/fetch-ocr-models.sh): the installer carries no OCR models" >&2
fi
if ((with_app)); then
  cp "$built/merchant-intake.exe" "$stage/"
  # webview2-com-sys links the loader as a DLL on the GNU target and ships it; the app
  # looks for it beside its exe.
  loader="$(find "$built/build" -path '*webview2-com-sys-*/out/x64/WebView2Loader.dll' -print -quit 2>/dev/null)"
  [ -n "$loader" ] || loader="$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -path '*webview2-com-sys-*/x64/WebView2Loader.dll' -print | sort | tail -n 1)"
  [ -n "$loader" ] || { echo "build-windows: WebView2Loader.dll not found (webview2-com-sys)" >&2; exit 1; }
  cp "$loader" "$stage/"
fi

mkdir -p "$(dirname "$out")"
fast=()
[ "$profile" = dev ] && fast=(-DFAST)
makensis -V2 -INPUTCHARSET UTF8 "${fast[@]}" -DVERSION="$version" -DSTAGE="$stage" -DOUTFILE="$out" packaging/windows/installer.nsi
echo "build-windows: $out ($(du -h "$out" | cut -f1))" >&2
# The installer's path, last line on stdout, for scripts/test-windows.sh.
echo "$out"
