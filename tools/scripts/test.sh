#!/usr/bin/env bash
# npm test: lint, type-check and test every project (unit, integration and whole-stack e2e).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d node_modules ] || npm ci --no-audit --no-fund
# Real components the tests drive: Debian's Chromium and Prometheus.
tools/scripts/install-system-deps.sh
# Formatting is checked, not fixed (npm run format fixes it).
npx prettier --check . --log-level warn
# Unit and integration suites, two projects at a time.
npx nx run-many -t lint typecheck test --output-style=static --parallel=2 --exclude=local-stack,lab,k8s,fuzz "$@"
# The whole-stack suites (every service as a process: tools/local-stack, the memory check in tools/k8s,
# the fuzzer's bounded pass in tools/fuzz)
# and the resilience lab: one at a time, with nothing beside them, so two stacks never share the
# machine's two cores.
exec npx nx run-many -t lint typecheck test --output-style=static --parallel=1 --projects=local-stack,k8s,fuzz,lab "$@"
