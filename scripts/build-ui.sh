#!/usr/bin/env bash
# Builds the front-end into ui/dist (type check included), which the app embeds at compile time.
# Used by scripts/build-app.sh and scripts/build-deb.sh. Needs Node/npm.
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
