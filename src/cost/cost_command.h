// `faaskeeper cost`: the cost model's command-line entry.
//
//   faaskeeper cost --requests-per-day N --read-share F --zk-nodes N --zk-vm TYPE --storage s3|hybrid
//                   [--profile paper|cpp|FILE] [--value-bytes B] [--prices FILE] [--table] [--json]
//                   [--heartbeat-period S] [--sessions N]
//
// Prints the workload's FaaSKeeper and ZooKeeper daily costs, the break-even load and, on its last
// line, exactly "ratio: X" (ZooKeeper cost / FaaSKeeper cost). --table prints the ratio grid
// (100K..5M requests/day x 75..100 % reads) for the cluster first; --requests-per-day and
// --read-share are then optional. --json replaces the text with one JSON object. A provisional
// profile is announced on the first line (stderr too when --json). docs/cost.md has the details.
#pragma once

#include <ostream>

namespace faaskeeper {

// Runs the command on std::cout / std::cerr. argv[0] is the command's name and is ignored.
// Returns 0 on success, 1 when a data file cannot be read or parsed, 2 for bad arguments (with
// a one-line message on stderr), or CLI11's code for a parse error (--help returns 0).
int run_cost_command(int argc, char** argv);

// The same on the given streams (for tests and embedding).
int run_cost_command(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace faaskeeper
