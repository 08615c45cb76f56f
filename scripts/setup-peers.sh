#!/usr/bin/env bash
# npm run setup:peers — installs the Debian packages of the peer maps and of
# string keys' hash (libxxhash-dev)
# (native/peers/, listed in native/peers/peers.def) so the next build
# compiles them in.
# Needs root (or sudo). Afterwards rebuild: npm run build (node-gyp) or
# npm run build:cmake; scripts/detect-peers.mjs summary says what a build
# will find.
set -euo pipefail
cd "$(dirname "$0")/.."
# libxxhash-dev: XXH3, the hash of every string-keyed design (runtime/string_hash.h).
read -r -a PACKAGES <<< "$(node scripts/peer-manifest.mjs packages) pkg-config libxxhash-dev"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-peers: run as root, or install sudo" >&2; exit 1; }
  SUDO=(sudo)
fi
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${PACKAGES[@]}"
echo "installed: $(dpkg-query -W -f='${Package} ${Version}, ' "${PACKAGES[@]}" | sed 's/, $//')"
node scripts/detect-peers.mjs summary
echo "now rebuild (npm run build) to compile the peers in"
