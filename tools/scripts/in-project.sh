#!/usr/bin/env bash
# Usage: in-project.sh <project-root> <task> [args…]. The per-project commands Nx runs (see nx.json
# targetDefaults), kept in one place so every app and library builds, checks and tests the same way.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# Nx may have been started by the machine's older node (`npx nx …` after `npm ci`): every task runs
# under Node 24, installed on first use.
if [ -z "${AIRPORT_MESH_NODE24:-}" ]; then AIRPORT_MESH_NODE24=1 exec "$root/tools/scripts/node24.sh" "$0" "$@"; fi
project=$1
cd "$root/$project"
task=$2
shift 2
bin="$root/node_modules/.bin"
case "$task" in
  build)
    # SWC compiles src/ to dist/ (decorator metadata, ES modules); tsc only type-checks (typecheck).
    rm -rf dist
    "$bin/swc" src -d dist --strip-leading-paths --config-file "$root/.swcrc" --ignore '**/*.spec.ts' --quiet
    # An app's entry becomes a bundle: a service starts in a fraction of the time (tools/scripts/bundle-app.mjs).
    case "$project" in apps/*) node "$root/tools/scripts/bundle-app.mjs" . ;; esac
    # Files an app reads at start that can be made once, at build time (camera-agent: its frames).
    if [ -f dist/build-assets.js ]; then node dist/build-assets.js; fi ;;
  typecheck) exec "$bin/tsc" -p tsconfig.json "$@" ;;
  lint) exec "$bin/eslint" . "$@" ;;
  # Jest runs the tests as native ES modules (NestJS 12 ships ESM only).
  test) exec node --experimental-vm-modules --no-warnings=ExperimentalWarning "$root/node_modules/jest/bin/jest.js" "$@" ;;
  *) echo "in-project.sh: unknown task $task" >&2; exit 2 ;;
esac
