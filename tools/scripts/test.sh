#!/usr/bin/env bash
# npm test: lint, type-check and test every project (unit, integration and whole-stack e2e).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d node_modules ] || npm ci
# Real components the tests drive: Debian's Chromium and Prometheus.
tools/scripts/install-system-deps.sh
# Formatting is checked, not fixed (npm run format fixes it).
npx prettier --check . --log-level warn
npx nx run-many -t lint typecheck test --output-style=static --parallel=2 --exclude=lab "$@"
# The resilience lab measures latency bounds: it runs alone, not beside the other suites' stacks.
exec npx nx run-many -t lint typecheck test --output-style=static --parallel=1 --projects=lab "$@"
