#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser tests (apps/cpanel/test/dashboard.browser.spec.ts,
# driven by playwright-core), only when it is missing: idempotent, safe to run on every CI run.
# The browser comes from the distribution's packages, never from a download of a browser build.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium.sh: /usr/bin/chromium is missing and apt-get is not available; install Chromium and set CHROMIUM_PATH" >&2
  exit 1
fi
sudo=''
if [ "$(id -u)" -ne 0 ]; then sudo='sudo'; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo installed)"
