#!/usr/bin/env bash
# Builds the Debian package of the desktop app, offline once the dependencies are fetched
# (crates and npm packages come from the registries on the first run, then from their caches):
# the front-end into ui/dist, then `tauri build --bundles deb` (the Tauri CLI is the npm
# devDependency @tauri-apps/cli of ui/, a prebuilt binary, so nothing is cargo-installed), which
# makes a release build of the app with the `custom-protocol` feature and packs it with its
# .desktop file and icons. Then checks the package without installing it: the file list holds
# the binary and the .desktop file, it unpacks (`dpkg-deb -x`) into a scratch folder with an
# executable binary, the .desktop file starts it, and the control file depends on the WebKitGTK
# and GTK libraries the binary links. Prints the package's path, size and control fields.
#
#   scripts/build-deb.sh    # -> target/release/bundle/deb/Merchant Intake_<version>_amd64.deb
#
#   INTAKE_SKIP_INSTALL_DEPS=1  skip scripts/install-deps.sh (everything is installed already)
#   INTAKE_SKIP_TAURI_BUILD=1   only check the newest .deb already built
#   INTAKE_DEB_DEBUG=1          a dev-profile package (`tauri build --debug`, target/debug/bundle):
#                               minutes on a warm tree instead of the release build's half hour,
#                               to check the packaging itself
#
# Not part of scripts/test.sh: the release build took about 39 minutes on the shared 2-core machine.
# AppImage is not offered: its bundler downloads its tools from the internet.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ -z "${INTAKE_SKIP_INSTALL_DEPS:-}" ]; then
  scripts/install-deps.sh
fi
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

if [ -z "${INTAKE_SKIP_TAURI_BUILD:-}" ]; then
  scripts/build-ui.sh

  cd "$root"
  started=$(date +%s)
  tauri_profile=()
  [ -z "${INTAKE_DEB_DEBUG:-}" ] || tauri_profile=(--debug)
  ui/node_modules/.bin/tauri build "${tauri_profile[@]}" --bundles deb
  echo "build-deb: tauri build took $(( $(date +%s) - started )) s" >&2
fi

fail() {
  echo "build-deb: $*" >&2
  exit 1
}

target="${CARGO_TARGET_DIR:-$root/target}"
profile=release
[ -z "${INTAKE_DEB_DEBUG:-}" ] || profile=debug
deb="$(ls -t "$target"/$profile/bundle/deb/*.deb 2>/dev/null | head -n 1 || true)"
[ -n "$deb" ] || fail "no .deb under $target/$profile/bundle/deb"

listing="$(dpkg-deb -c "$deb")"
# dpkg-deb lists the entries as `usr/...` or `./usr/...` depending on how the tar was written.
for wanted in 'usr/bin/merchant-intake$' 'usr/share/applications/.*\.desktop$'; do
  grep -Eq -- " (\./)?$wanted" <<<"$listing" || fail "$deb does not hold $wanted"$'\n'"$listing"
done

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
dpkg-deb -x "$deb" "$scratch"
[ -x "$scratch/usr/bin/merchant-intake" ] || fail "usr/bin/merchant-intake is not executable in $deb"
desktop="$(ls "$scratch"/usr/share/applications/*.desktop)"
grep -q '^Exec=merchant-intake' "$desktop" || fail "$desktop does not start merchant-intake"
grep -q '^Name=Merchant Intake' "$desktop" || fail "$desktop does not name the app"
ls "$scratch"/usr/share/icons/hicolor/*/apps/merchant-intake.png >/dev/null 2>&1 || fail "no icon in $deb"
# The OCR models (issue 21), where the app looks for them from /usr/bin (intake-ocr's
# default_models_folder), byte for byte the pinned ones of assets/ocr/models.
for model in "$root"/assets/ocr/models/*.onnx; do
  packed="$scratch/usr/lib/merchant-intake/ocr-models/$(basename "$model")"
  cmp -s "$model" "$packed" || fail "$deb does not hold $(basename "$model") as usr/lib/merchant-intake/ocr-models/"
done

# The libraries the app needs at run time are the control file's dependencies, so `apt install`
# of the .deb brings them; the release binary must not have picked up a dev-only library.
depends="$(dpkg-deb -f "$deb" Depends)"
for wanted in libwebkit2gtk-4.1-0 libgtk-3-0; do
  grep -q "$wanted" <<<"$depends" || fail "Depends ($depends) does not name $wanted"
done
linked="$(ldd "$scratch/usr/bin/merchant-intake")"
grep -q 'libwebkit2gtk-4.1' <<<"$linked" || fail "the binary does not link WebKitGTK 4.1"
if grep -q 'not found' <<<"$linked"; then
  fail "the binary needs libraries this machine does not have:"$'\n'"$(grep 'not found' <<<"$linked")"
fi

echo "build-deb: $deb ($(du -h "$deb" | cut -f1), $(stat -c %s "$deb") bytes)"
dpkg-deb -f "$deb" Package Version Architecture Installed-Size Depends | sed 's/^/  /'
