// Per-node leases in the system store, taken lazily as the planner reads nodes.
//
// A lease is attributes lk (owner = the request id) and le (expiry, ms) on the node's item. It
// is taken with one conditional update that also returns the node (lock-and-read in one round
// trip): free, expired, or already ours (re-entrant, so a redelivered request proceeds).
// Leases end when the distributor commits (it removes them), or by release(), or by expiry.
#pragma once

#include <map>
#include <string>

#include "functions/env.h"
#include "functions/planner.h"

namespace faaskeeper {

class LeasedView final : public NodeView {
 public:
  LeasedView(const FunctionEnv& env, std::string owner) : env_(env), owner_(std::move(owner)) {}

  // The node at `path` under our lease. SystemError "lease busy" after the configured attempts.
  Result<std::optional<schema::NodeState>> lookup(const std::string& path) override;

  // Gives back every lease this view took (only where we still own it).
  void release_all();
  // The earliest expiry among held leases (INT64_MAX when none).
  int64_t earliest_expiry() const;
  bool holds_any() const { return !held_.empty(); }
  // Every leased path, with whether a znode exists there (as read under the lease).
  std::vector<std::pair<std::string, bool>> held() const;

 private:
  struct Held {
    std::optional<schema::NodeState> node;
    int64_t expiry;
  };
  const FunctionEnv& env_;
  std::string owner_;
  std::map<std::string, Held> held_;
};

// Releases the lease `owner` holds on `path`, if it still does; removes the item when it only
// existed to carry the lease.
Status release_lease(SystemStore& store, const std::string& path, const std::string& owner);

}  // namespace faaskeeper
