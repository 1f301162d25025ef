#!/usr/bin/env bash
# Installs every Debian package the build, the deployment and the tests need. Idempotent;
# runs as root (or through sudo) on a fresh Debian 12. Anything the project needs and this
# script does not install does not exist.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libasio-dev nlohmann-json3-dev liblmdb-dev libsqlite3-dev libcurl4-openssl-dev
  libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  zookeeper libzookeeper-mt-dev python3-kazoo python3-matplotlib
  default-jre-headless iproute2 procps netcat-openbsd
  libssl-dev curl python3-yaml
  )
# Node.js and npm (for the cloud-API emulators): only if the machine has none, since a
# vendor build of nodejs already bundles npm and conflicts with Debian's npm package.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm-delivered test services (cloud API emulators) live under .deps/, never on the PATH.
if [ -x "$(dirname "$0")/setup-emulators.sh" ]; then
  "$(dirname "$0")/setup-emulators.sh"
fi
echo "setup: all dependencies present"
