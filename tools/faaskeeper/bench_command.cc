#include "tools/faaskeeper/bench_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#ifndef FK_SOURCE_DIR
#define FK_SOURCE_DIR "."
#endif
#ifndef FK_BINARY_DIR
#define FK_BINARY_DIR "build/release"
#endif

namespace faaskeeper::cli {
namespace {

constexpr const char* kHelp = R"(faaskeeper bench: the side-by-side benchmark, in one run, of
  - FaaSKeeper's local deployment with the native client (reads straight from the data
    directory, writes through the endpoint),
  - the same deployment through its ZooKeeper gateway, driven by the ZooKeeper C client,
  - a real Apache ZooKeeper 3.8 standalone (fsync on) on 127.0.0.1, started and stopped by the
    benchmark (tests/harness/zk_server.py; needs Debian's zookeeper and libzookeeper-mt-dev).

It builds fk_compare_bench, runs the matrix (get/set/create x 1/16 clients x 1/64 KiB), the
workload files bench/workloads/*.wl (read-only, 90:10, 50:50, create-only, the ZooKeeper
service-latency script, the 100k-znode load with memory per znode and start-up time), watch
latency, session connect time and ephemeral cleanup, and writes
  OUT/compare.txt    the tables (also printed), with FK/ZK and FK-gw/ZK ratio columns
  OUT/compare.json   every figure, with latency CDFs
  OUT/compare_*.png  latency CDFs, throughput vs clients, workload p50s

Usage: faaskeeper bench [--quick] [--out DIR] [--seconds S] [--build DIR] [--source DIR]
                        [-- fk_compare_bench options...]
  --quick        a smoke run of about a minute and a half: 1 s per cell, 1.5 s per workload,
                 small script sizes (2,000-znode load); the full run takes about 12 minutes
  --out DIR      output directory (default: SOURCE/bench-results)
  --seconds S    measured seconds per matrix cell (default 3)
  --build DIR    CMake build directory to build and use (default: this binary's, )" FK_BINARY_DIR R"()
  --source DIR   source tree holding bench/compare/run.sh (default: )" FK_SOURCE_DIR R"()
  after --        passed to fk_compare_bench, e.g. --no-gateway, --writers N, --batch N,
                 --workload-seconds S, --workload FILE (an extra workload file)
Method, machine and the latest figures: docs/performance.md.
)";

}  // namespace

int run_bench_command(int argc, char** argv) {
  std::string source = FK_SOURCE_DIR, build = FK_BINARY_DIR, out;
  std::vector<std::string> pass;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "faaskeeper bench: %s needs a value (see --help)\n", a.c_str());
        return false;
      }
      into = argv[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kHelp, stdout);
      return 0;
    } else if (a == "--quick") {
      pass.push_back(a);
    } else if (a == "--out") {
      if (!value(out)) return 2;
    } else if (a == "--build") {
      if (!value(build)) return 2;
    } else if (a == "--source") {
      if (!value(source)) return 2;
    } else if (a == "--seconds") {
      std::string s;
      if (!value(s)) return 2;
      pass.push_back("--seconds");
      pass.push_back(s);
    } else if (a == "--") {
      for (++i; i < argc; ++i) pass.push_back(argv[i]);
    } else {
      std::fprintf(stderr, "faaskeeper bench: unknown option %s (see --help)\n", a.c_str());
      return 2;
    }
  }
  std::string script = source + "/bench/compare/run.sh";
  if (::access(script.c_str(), R_OK) != 0) {
    std::fprintf(stderr, "faaskeeper bench: %s not found; pass --source DIR (the FaaSKeeper source tree)\n",
                 script.c_str());
    return 1;
  }
  ::setenv("FK_BUILD_DIR", build.c_str(), 1);
  if (!out.empty()) ::setenv("FK_BENCH_OUT", out.c_str(), 1);
  std::vector<std::string> args{"/bin/bash", script};
  args.insert(args.end(), pass.begin(), pass.end());
  std::vector<char*> cargs;
  for (auto& s : args) cargs.push_back(s.data());
  cargs.push_back(nullptr);
  ::execv(cargs[0], cargs.data());
  std::fprintf(stderr, "faaskeeper bench: cannot run %s: %s\n", script.c_str(), std::strerror(errno));
  return 1;
}

}  // namespace faaskeeper::cli
