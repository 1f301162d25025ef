// Closed-loop measurement: N sessions, one thread each, issuing operations back to back for a
// fixed time (or op budget) and recording every operation's latency by kind.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "stats.h"
#include "system.h"

namespace fkbench {

// One operation of client `i`: issues it on `s`, returns its kind ("get", "set", ...) and sets
// `ok`. Called only from client i's thread.
using OpFn = std::function<std::string(Session& s, int i, std::mt19937& rng, bool& ok)>;

struct RunResult {
  std::map<std::string, Summary> by_op;  // per kind
  Summary all;                           // every op, for the blend throughput
  bool connected = true;                 // false if a session could not be opened
};

// Opens `n` sessions on `sys` in parallel; empty vector if any failed.
std::vector<std::unique_ptr<Session>> open_sessions(System& sys, int n);

// Runs `op` on every session until `seconds` pass or `max_ops` (0 = unlimited) ops completed in
// total, after `warmup` unmeasured ops per session.
RunResult run_closed_loop(std::vector<std::unique_ptr<Session>>& sessions, double seconds, size_t max_ops,
                          const OpFn& op, int warmup = 3);

}  // namespace fkbench
