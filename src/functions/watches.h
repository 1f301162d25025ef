// Watch registration (run by the writer) and firing (run by the distributor after a commit).
//
// Registration is atomic with the client's read: one transaction checks that the node is still
// as the client read it and that no txid was committed since the writer looked (`txid` = L),
// and adds the entry "<session>:<seq>@L". Firing for txid T takes the entries with L < T, so a
// watch armed after T's commit never fires for T, even if T is processed again after a crash.
#pragma once

#include <vector>

#include "functions/env.h"
#include "protocol/messages.h"

namespace faaskeeper {

// Ok when armed (reply.txid = L), RuntimeInconsistency when the node changed since the read.
Reply register_watch(const FunctionEnv& env, int64_t session, uint64_t seq, const RegisterWatchRequest& r);

// Removes the session's watches (ZooKeeper WatcherType semantics); NoWatcher when none.
Reply remove_watches(const FunctionEnv& env, int64_t session, uint64_t seq, const RemoveWatchesRequest& r);

struct FiredWatches {
  std::vector<Notification> notifications;  // ZooKeeper's order; one per session, path, type
  std::vector<UpdateOp> consume;            // removes the one-shot entries that fired
};

// The watches that `triggers` of txid `txid` fire. Applying `consume` is the caller's job, after
// the notifications are safely queued (a crash in between then re-fires, never loses, them).
Result<FiredWatches> fire_watches(const FunctionEnv& env, const std::vector<WatchTrigger>& triggers, int64_t txid);

}  // namespace faaskeeper
