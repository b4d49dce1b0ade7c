#!/usr/bin/env bash
# npm start: build what the local stack runs, then run it (Ctrl-C stops everything). Each step says
# what it is doing; a failing step's own output is on the screen above its error.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d node_modules ]; then
  echo "start: installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
echo "start: building the services and, the first time, converting the face models to ONNX (Nx; cached afterwards)"
if ! npx nx run-many -t build --projects='tag:type:app,local-stack' --parallel=2; then
  echo "start: the build failed (its output is above)" >&2
  exit 1
fi
echo "start: starting every service"
exec node tools/local-stack/dist/cli.js --no-build "$@"
