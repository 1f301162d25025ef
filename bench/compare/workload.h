// Workload files (bench/workloads/*.wl): one `key = value` per line, `#` starts a comment.
//   name        label in the table and JSON (default: the file name)
//   get, set, create, delete   relative op weights (integers; default 0)
//   value_size  bytes per written/read value (default 1024)
//   keys        pre-populated nodes that get/set pick from uniformly (default 64)
//   clients     closed-loop clients, each its own session and thread (default 1)
//   seconds     measured duration per system (default 5); `ops` (total per system) ends it earlier
//   script      empty (default): the weighted closed-loop mix above. Or a fixed script:
//     service-latency  ZooKeeper's "service latency" script (zk-latencies style): per client,
//                      phases create / set / get / delete of `znodes` persistent znodes, then
//                      create `znodes` ephemerals, and for each: arm a data watch from a second
//                      session, delete it, wait for the notification (op watch-fire). Each op
//                      synchronous; clients run the phases in parallel on disjoint znodes.
//     load             create `znodes` znodes under `parents` parents, pipelined (async) from
//                      `clients` sessions; report RSS per znode of the server process and its
//                      start-up time on the data directory holding them (restart).
//   znodes, quick_znodes   znodes per script run (quick_znodes with --quick; default znodes/10)
//   parents     parents of the load script's znodes (default 100)
#pragma once

#include <string>

namespace fkbench {

struct Workload {
  std::string name;
  int get = 0, set = 0, create = 0, del = 0;
  size_t value_size = 1024;
  int keys = 64;
  int clients = 1;
  double seconds = 5;
  size_t ops = 0;  // 0: no op limit
  std::string script;  // "", "service-latency", "load"
  size_t znodes = 1000, quick_znodes = 0;
  int parents = 100;
  int total_weight() const { return get + set + create + del; }
};

// Parses a workload file; on error returns false and sets `why`.
bool load_workload(const std::string& file, Workload& out, std::string& why);

}  // namespace fkbench
