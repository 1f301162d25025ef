// Internal: the Wing–Gong linearizability search with Lowe's memoisation, as in Porcupine:
// walk the invocation/response events in time order, try to linearize each pending operation
// whose invocation has been reached, backtrack at a response whose operation is not linearized
// yet, and never revisit a (set of linearized operations, state) pair.
//
// Two refinements:
// - operations that never complete (kNever) may stay unlinearized: the search succeeds once only
//   such operations remain;
// - a *pure* operation (a determinate read or failure) that fits the current state without
//   changing it is linearized greedily and is never a choice point: any linearization that places
//   it later can place it here instead, since it changes nothing and every operation that must
//   precede it already has been linearized;
// - after each step, a pending determinate operation that the model declares dead (it can never
//   fit again, e.g. its zxid is already passed) ends the branch at once;
// - operations that never complete ("floating") are tried only when every determinate candidate
//   of a configuration has failed, and then only those that conflict, directly or through other
//   such floating operations, with a pending determinate operation. Any other floating operation
//   commutes with everything up to the stuck response and never completes, so a linearization
//   that places it there can place it after that response instead (docs/checker.md). This needs
//   the model to give a floating operation the same effect wherever it is placed among
//   operations it commutes with.

#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "check/history.h"

namespace faaskeeper::check::detail {

struct SearchOp {
  Nanos invoke = 0;
  Nanos complete = kNever;  // kNever: may take effect at any time after invoke, or never
  bool pure = false;
  // The keys it reads, writes, and updates commutatively (small integers). Two operations
  // commute unless one writes what the other reads or writes (two commutative updates commute).
  std::vector<uint32_t> obs, mod, cmod;
  // Operations that never complete with equal `symmetry` have the same effect wherever they are
  // placed; only the earliest-invoked not yet linearized one of a class is ever tried.
  uint32_t symmetry = 0xffffffffu;
};

struct SearchBudget {
  uint64_t max_steps = 0;  // 0: unlimited
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

enum class SearchVerdict { Linearizable, NotLinearizable, BudgetExhausted };

struct SearchResult {
  SearchVerdict verdict = SearchVerdict::Linearizable;
  uint64_t steps = 0;
  // NotLinearizable: the deepest partial linearization found, the operation whose response
  // ended it, and the state there.
  std::vector<uint32_t> prefix;
  uint32_t stuck = 0;
  std::vector<int64_t> stuck_state;
};

// The sequential specification the search runs operations against. Operation indices are
// positions in the `ops` given to linearize().
class SearchModel {
 public:
  virtual ~SearchModel() = default;
  // Applies op to state and returns whether its outcome fits (state untouched if not).
  virtual bool step(uint32_t op, std::vector<int64_t>& state) const = 0;
  // Whether a pending determinate op can fit neither this state nor any later one. Must only
  // say true when that is certain; it lets the search abandon a branch early.
  virtual bool dead(uint32_t op, const std::vector<int64_t>& state) const = 0;
};

SearchResult linearize(const std::vector<SearchOp>& ops, std::vector<int64_t> initial,
                       const SearchModel& model, const SearchBudget& budget);

}  // namespace faaskeeper::check::detail
