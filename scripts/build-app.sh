#!/usr/bin/env bash
# Builds the desktop app and the CLI (debug): the front-end into ui/dist first, since the app
# embeds those files at compile time, then `merchant-intake` and `intake` under target/debug/.
# Needs Node/npm, a Rust toolchain and WebKitGTK's development files (scripts/install-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

cd "$root/ui"
# `npm ci` again only when the lockfile changed since the last install: it deletes and
# rewrites node_modules, which takes a while and is pointless when nothing changed.
stamp=node_modules/.installed-from-lockfile.sha256
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null || true)" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund
  echo "$lock_hash" > "$stamp"
fi
npm run build

cd "$root"
cargo build -p merchant-intake-app -p intake-cli
