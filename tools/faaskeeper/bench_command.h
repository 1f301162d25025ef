// `faaskeeper bench`: runs the side-by-side benchmark (FaaSKeeper native client, FaaSKeeper
// through its ZooKeeper gateway, Apache ZooKeeper 3.8) in one command by executing
// bench/compare/run.sh from the source tree this binary was built from, with this binary's
// build directory. `faaskeeper bench --help` documents the options; docs/performance.md the
// method and the figures.
#pragma once

namespace faaskeeper::cli {

// argv[0] is "bench". Returns only on a usage error or when run.sh cannot be executed.
int run_bench_command(int argc, char** argv);

}  // namespace faaskeeper::cli
