#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds twice (release, and ASan+UBSan for the
# unit tests), then runs every test. This is what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)

cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$jobs"
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFK_SANITIZE=ON >/dev/null
cmake --build build/asan -j "$jobs" --target fk_unit_tests

echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan -L unit --output-on-failure -j "$jobs"

echo "== fuzz targets, bounded (56 s in all; fuzz/run.sh, docs/reliability.md)"
FK_FUZZ_BUILD_DIR=build/fuzz fuzz/run.sh 56

echo "== all tests (release build)"
ctest --test-dir build/release --output-on-failure -j "$jobs" --timeout 600
