#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan + fuzzer) and runs each one.
#
#   fuzz/run.sh [TOTAL_SECONDS] [extra libFuzzer flags...]   (default 20 s, split across targets)
#   fuzz/run.sh --regen-corpus                               rewrite fuzz/corpus/* from samples
#                                                            (regress-* seeds are kept)
#   FK_FUZZ_TARGETS="messages_fuzzer aws_codec_fuzzer" fuzz/run.sh 3600   only these targets
#
# scripts/test.sh runs it with a 56 s budget (8 s per target). For a long run give it hours,
# e.g. `FK_FUZZ_JOBS=2 fuzz/run.sh 28800` (8 h, 2 processes per target); the corpus grown in
# $FK_FUZZ_BUILD_DIR/corpus-work/ is reused by later runs (docs/reliability.md).
#
# Environment: FK_FUZZ_BUILD_DIR (default build/fuzz); FK_FUZZ_JOBS (parallel fuzzing processes
# per target, default 1; at most the number of cores); FK_FUZZ_SOURCE_DIR (CMake source dir,
# default the repository root).
# New inputs go to $FK_FUZZ_BUILD_DIR/corpus-work/<target>/, crashes to .../artifacts/<target>/;
# the checked-in seeds in fuzz/corpus/<target>/ are only read. Exit status is non-zero if any
# target found a crash, leak, UB or hang (-timeout=10 s per input).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FK_FUZZ_BUILD_DIR:-build/fuzz}
all_targets=(zk_frame_fuzzer zk_request_fuzzer messages_fuzzer node_object_fuzzer endpoint_wire_fuzzer
  local_store_fuzzer aws_codec_fuzzer)
read -r -a targets <<<"${FK_FUZZ_TARGETS:-${all_targets[*]}}"

cmake -S "${FK_FUZZ_SOURCE_DIR:-.}" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DFK_FUZZ=ON >/dev/null
if ! cmake --build "$build" -j2 --target "${targets[@]}" zk_fuzz_corpus_gen codec_fuzz_corpus_gen >"$build/build.log" 2>&1; then
  tail -n 40 "$build/build.log"
  echo "!! building the fuzz targets failed (log $build/build.log)"
  exit 1
fi

if [ "${1:-}" = "--regen-corpus" ]; then
  for t in "${all_targets[@]}"; do
    mkdir -p "fuzz/corpus/$t"
    find "fuzz/corpus/$t" -type f ! -name 'regress-*' -delete
  done
  "$build/fuzz/zk_fuzz_corpus_gen" fuzz/corpus
  "$build/fuzz/codec_fuzz_corpus_gen" fuzz/corpus
  exit 0
fi

root=$(pwd)
build=$(cd "$build" && pwd)
total=${1:-20}
[ $# -gt 0 ] && shift
per=$(( total / ${#targets[@]} ))
[ "$per" -ge 1 ] || per=1
jobs=${FK_FUZZ_JOBS:-1}
status=0
for t in "${targets[@]}"; do
  work="$build/corpus-work/$t"
  art="$build/artifacts/$t/"
  mkdir -p "$work" "$art"
  log="$build/$t.log"
  par=()
  [ "$jobs" -gt 1 ] && par=(-jobs="$jobs" -workers="$jobs")
  echo "== $t: ${per}s x $jobs job(s) (seeds fuzz/corpus/$t, log $log)"
  set +e
  # Run from the build dir: with -jobs libFuzzer writes fuzz-<n>.log into the working directory.
  (cd "$build" && "$build/fuzz/$t" -max_total_time="$per" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$art" "${par[@]}" "$@" "$work" "$root/fuzz/corpus/$t" >"$log" 2>&1)
  rc=$?
  set -e
  [ "$jobs" -gt 1 ] && cat "$build"/fuzz-*.log >>"$log" 2>/dev/null && rm -f "$build"/fuzz-*.log
  grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)|ERROR|SUMMARY|property violated" "$log" || true
  if [ "$rc" -ne 0 ]; then
    echo "!! $t exited with $rc; artifacts in $art"
    status=1
  fi
done
exit $status
