#!/usr/bin/env bash
# Make sure headless Chromium is installed for the browser test of the reconcile report
# (tests/integration/test_report_in_browser.py). Idempotent and quiet: nothing is done or
# printed when /usr/bin/chromium is already there. Otherwise Debian's package is installed
# with apt-get (as root, or through sudo without a password), printing one line.
set -euo pipefail

CHROMIUM=${SEATOPS_CHROMIUM:-/usr/bin/chromium}

if [[ -x "$CHROMIUM" ]]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: $CHROMIUM is missing and there is no apt-get to install it; install Chromium" >&2
    exit 1
fi
as_root=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        as_root=(sudo -n)
    else
        echo "ensure_chromium: $CHROMIUM is missing; install it as root: apt-get install --no-install-recommends chromium" >&2
        exit 1
    fi
fi

echo "ensure_chromium: installing Debian's chromium (headless browser for the report test)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { "${as_root[@]}" apt-get update -qq \
        && "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "ensure_chromium: apt-get could not install chromium" >&2
    exit 1
fi
if [[ ! -x "$CHROMIUM" ]]; then
    echo "ensure_chromium: chromium was installed but $CHROMIUM is still missing" >&2
    exit 1
fi
