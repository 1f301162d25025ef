#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the deployment demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)" --target faaskeeper
exec build/release/tools/faaskeeper/faaskeeper demo "$@"
