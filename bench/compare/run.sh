#!/bin/bash
# Side-by-side benchmark: FaaSKeeper local deployment (native client, and through its ZooKeeper
# gateway with the ZooKeeper C client) vs a real Apache ZooKeeper 3.8 standalone (fsync on),
# same workloads, one run. Builds fk_compare_bench, starts ZooKeeper through
# tests/harness/zk_server.py (127.0.0.1, stopped at the end; its control channel lets the load
# script read the JVM's RSS and restart it), runs the matrix + workload files, writes
# bench-results/compare.{txt,json} and PNG plots. `faaskeeper bench` runs this script.
#
#   bench/compare/run.sh [--quick] [extra fk_compare_bench options]
#   FK_BUILD_DIR=build/release bench/compare/run.sh      # reuse another build directory
#   FK_BENCH_OUT=DIR                                     # output directory (bench-results)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${FK_BUILD_DIR:-$ROOT/build/compare}
OUT=${FK_BENCH_OUT:-$ROOT/bench-results}
mkdir -p "$OUT"

if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$OUT/configure.log" 2>&1 \
    || { cat "$OUT/configure.log" >&2; exit 1; }
fi
if ! cmake --build "$BUILD" -j2 --target fk_compare_bench >"$OUT/build.log" 2>&1; then
  tail -40 "$OUT/build.log" >&2
  echo "run.sh: building fk_compare_bench failed (full log: $OUT/build.log)" >&2
  exit 1
fi

WORKLOADS=()
for w in "$ROOT"/bench/workloads/*.wl; do WORKLOADS+=(--workload "$w"); done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB RAM, load $(cut -d' ' -f1-3 /proc/loadavg)"
# ZooKeeper keeps every znode in its heap: the 64 KiB create cells store hundreds of MiB, more
# than the harness's default -Xmx512m (a run lost its ZooKeeper there), hence 2 GiB.
/usr/bin/python3 "$ROOT/tests/harness/zk_server.py" with --control --heap 2g -- \
  "$BUILD/bench/compare/fk_compare_bench" --zk '{ZK_ENDPOINT}' --zk-control '{ZK_CONTROL}' \
  --json "$OUT/compare.json" "${WORKLOADS[@]}" "$@" \
  | tee "$OUT/compare.txt"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/compare.txt"
/usr/bin/python3 "$ROOT/tools/bench/plot_compare.py" "$OUT/compare.json" "$OUT"
