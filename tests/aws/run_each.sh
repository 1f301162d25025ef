#!/usr/bin/env bash
# run_each.sh CMD... : runs every argument as a GoogleTest binary (all of them, even after a
# failure) and fails if any failed. Lets several binaries share one emulator start.
rc=0
for bin in "$@"; do
  echo "== $bin"
  "$bin" --gtest_brief=1 || rc=1
done
exit $rc
