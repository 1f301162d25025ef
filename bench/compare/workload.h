// Workload files (bench/workloads/*.wl): one `key = value` per line, `#` starts a comment.
//   name        label in the table and JSON (default: the file name)
//   get, set, create, delete   relative op weights (integers; default 0)
//   value_size  bytes per written/read value (default 1024)
//   keys        pre-populated nodes that get/set pick from uniformly (default 64)
//   clients     closed-loop clients, each its own session and thread (default 1)
//   seconds     measured duration per system (default 5); `ops` (total per system) ends it earlier
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
  int total_weight() const { return get + set + create + del; }
};

// Parses a workload file; on error returns false and sets `why`.
bool load_workload(const std::string& file, Workload& out, std::string& why);

}  // namespace fkbench
