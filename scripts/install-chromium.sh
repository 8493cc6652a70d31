#!/usr/bin/env bash
# Debian's Chromium for the extension's browser tests: Playwright drives it, no browser is downloaded.
# Branded Google Chrome cannot be used (it ignores --load-extension); set CHROMIUM=<path> for another Chromium.
set -euo pipefail
CHROMIUM=${CHROMIUM:-/usr/lib/chromium/chromium}
if [ -x "$CHROMIUM" ]; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "The extension tests need Chromium at $CHROMIUM: install Debian's or Ubuntu's 'chromium', or set CHROMIUM=<path>." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
echo "installing Chromium (apt) for the extension tests..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
"$CHROMIUM" --version
