#!/usr/bin/env bash
# The browser test (tests/browser-labeling.test.ts) and `npm run screenshots` drive Debian's `chromium` with
# playwright-core (no browser download at install time). This makes sure it is there: KGAL_CHROMIUM or
# `chromium` on PATH; when missing and running as root with apt-get (CI), installs Debian's package; else
# says what to install. Exit 0 when a Chromium is available.
set -euo pipefail

if [[ -n "${KGAL_CHROMIUM:-}" ]]; then
  if [[ -x "$KGAL_CHROMIUM" ]]; then echo "chromium: $KGAL_CHROMIUM (KGAL_CHROMIUM)"; exit 0; fi
  echo "ensure-chromium: KGAL_CHROMIUM=$KGAL_CHROMIUM is not an executable file" >&2
  exit 1
fi
if command -v chromium >/dev/null 2>&1; then
  echo "chromium: $(command -v chromium)"
  exit 0
fi
if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium package (apt-get) for the browser test"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  echo "chromium: $(command -v chromium)"
  exit 0
fi
echo "ensure-chromium: the browser test needs Chromium: install Debian's package (sudo apt-get install chromium)," \
  "or set KGAL_CHROMIUM to a Chromium/Chrome binary" >&2
exit 1
