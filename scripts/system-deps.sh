#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when they are missing:
#   chromium     — the real browser for the dashboard page tests (driven by playwright-core).
#   g++, cmake, make — the host build of the ESP32 panel's core, its tests and harness
#                  (npm run firmware:build / test:firmware).
#   libcjson-dev — cJSON, the JSON parser the panel uses (ESP-IDF bundles the same library).
#   faketime     — libfaketime, the stepped wall clock of the time-fault test (issue 18 §2).
#   python3-requests, python3-websockets — what seed 003's Python example client imports; the
#                  monitoring test runs it with Debian's /usr/bin/python3 against `npm start`.
# Runs as root on CI and fresh machines of this project (apt-get works as is); elsewhere it says
# what to install and leaves the decision to you (the tests that need them then fail with that
# message).
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v make >/dev/null 2>&1 || missing+=(make) # cmake only recommends it
# A library has no command to look for: ask dpkg whether the package is installed.
dpkg-query -W -f='${Status}' libcjson-dev 2>/dev/null | grep -q 'install ok installed' ||
  missing+=(libcjson-dev)
dpkg-query -W -f='${Status}' libfaketime 2>/dev/null | grep -q 'install ok installed' ||
  missing+=(faketime)
/usr/bin/python3 -c 'import requests' >/dev/null 2>&1 || missing+=(python3-requests)
/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1 || missing+=(python3-websockets)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing Debian packages: ${missing[*]} (install with: sudo apt-get install -y ${missing[*]})" >&2
  exit 0
fi

echo "system-deps: installing ${missing[*]} from Debian's packages…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system-deps: done"
