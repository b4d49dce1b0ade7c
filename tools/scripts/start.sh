#!/usr/bin/env bash
# npm start: build what the local stack runs, then run it (Ctrl-C stops everything).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d node_modules ] || npm ci
npx nx run-many -t build --projects='tag:type:app,local-stack' --output-style=static --parallel=2 > .nx-build.log 2>&1 || { cat .nx-build.log; exit 1; }
exec node tools/local-stack/dist/cli.js --no-build "$@"
