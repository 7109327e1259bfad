#!/usr/bin/env bash
# Debian packages that some tests need: Chromium (browser tests) and Virtuoso (remote-store tests).
# Installs only what is missing, and only where it can (root with apt-get); otherwise it says so and
# the tests that need a package skip with that reason.
set -euo pipefail

want=()
[ -x /usr/bin/chromium ] || want+=(chromium chromium-driver)
command -v virtuoso-t >/dev/null 2>&1 || want+=(virtuoso-opensource-7-bin)
[ ${#want[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: cannot install ${want[*]} (needs root and apt-get); tests needing them skip." >&2
  exit 0
fi
echo "system-deps: installing ${want[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
