#!/usr/bin/env bash
# Installs the headless browser the HTML report's browser test renders reports with: Debian's
# `chromium` package (playwright-core drives it; no browser build is ever downloaded). Idempotent.
# Not part of install-prereqs.sh: ~300 MB that only `make test-report` needs.
set -euo pipefail

for exe in chromium chromium-browser; do
  if command -v "$exe" >/dev/null 2>&1; then
    echo "install-browser: $(command -v "$exe") present" >&2
    exit 0
  fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no chromium and no apt-get here; install Chromium and set FIREDRILL_CHROMIUM to its path" >&2
  exit 4
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "install-browser: apt-get install chromium" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
