#!/usr/bin/env bash
# npm test: lint, type-check and test every project (unit, integration and whole-stack e2e).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d node_modules ] || npm ci
exec npx nx run-many -t lint typecheck test --output-style=static --parallel=2 "$@"
