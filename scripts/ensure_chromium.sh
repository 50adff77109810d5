#!/usr/bin/env bash
# Make Debian's chromium available for the real-browser tests (tests/test_browser.py).
# Installs it with apt-get when missing and we are root; otherwise says why the
# browser tests will be skipped (under CI=true they fail instead of skipping).
set -uo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian's chromium for the browser tests"
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    exit 0
  fi
  echo "ensure_chromium: apt-get could not install chromium" >&2
else
  echo "ensure_chromium: no chromium and not root/apt: the browser tests will be skipped" >&2
  echo "  (install it with: sudo apt-get install -y chromium)" >&2
fi
exit 0
