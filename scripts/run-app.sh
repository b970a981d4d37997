#!/usr/bin/env bash
# Builds and starts the desktop app. Arguments go to the app, e.g.
#   scripts/run-app.sh --home /path/to/data-folder
# With no display (a server, CI, a container) it runs under Xvfb and prints the DISPLAY and
# XAUTHORITY to give `import -window root shot.png` to see what it draws.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ -x scripts/install-deps.sh ]; then
  scripts/install-deps.sh
fi
scripts/build-app.sh

app="${CARGO_TARGET_DIR:-$root/target}/debug/merchant-intake"
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$app" "$@"
fi
echo "run-app: no display; running under Xvfb" >&2
# shellcheck disable=SC2016 # $DISPLAY is expanded by the inner shell, inside Xvfb
exec xvfb-run -a -s "-screen 0 1366x768x24" \
  bash -c 'echo "run-app: screenshot with: DISPLAY=$DISPLAY XAUTHORITY=$XAUTHORITY import -window root shot.png" >&2
           exec "$0" "$@"' "$app" "$@"
