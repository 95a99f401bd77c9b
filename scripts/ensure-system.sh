#!/usr/bin/env bash
# Installs the Debian packages the end-to-end tests drive, when missing:
# Chromium (browser tests), Kamailio with WebSocket modules and SIPp (SIP tests),
# Redis (the agent stream's fan-out across backend instances).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v kamailio >/dev/null 2>&1 || need+=(kamailio)
compgen -G "/usr/lib/*/kamailio/modules/websocket.so" >/dev/null || need+=(kamailio-websocket-modules)
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages for the tests: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "The tests need these Debian packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
