#include "functions/leases.h"

#include <algorithm>
#include <climits>

namespace faaskeeper {

using schema::attr::kLockExpiry;
using schema::attr::kLockOwner;

Result<std::optional<schema::NodeState>> LeasedView::lookup(const std::string& path) {
  if (auto it = held_.find(path); it != held_.end()) return it->second.node;
  int64_t backoff = env_.config.lock_backoff_ms;
  for (int attempt = 0; attempt < env_.config.lock_attempts; ++attempt) {
    int64_t now = env_.clock->now_ms();
    UpdateOp op;
    op.key = schema::node_key(path);
    op.condition = Condition::all({Predicate::not_exists(kLockOwner)})
                       .or_all({Predicate::lt(kLockExpiry, now)})
                       .or_all({Predicate::eq(kLockOwner, owner_)});
    int64_t expiry = now + env_.config.lease_ms;
    op.actions = {Action::set(kLockOwner, owner_), Action::set(kLockExpiry, expiry)};
    auto out = env_.system->update(op);
    if (!out.ok()) return out.status();
    if (out->applied) {
      auto node = schema::parse_node(out->item);
      held_[path] = Held{node, expiry};
      env_.step("writer.locked");
      return node;
    }
    if (env_.sleep_ms) env_.sleep_ms(backoff);
    backoff = std::min<int64_t>(backoff * 2, env_.config.lock_backoff_max_ms);
  }
  return Status(Error::SystemError, "lease busy: " + path);
}

void LeasedView::release_all() {
  for (const auto& [path, h] : held_) release_lease(*env_.system, path, owner_);
  held_.clear();
}

std::vector<std::pair<std::string, bool>> LeasedView::held() const {
  std::vector<std::pair<std::string, bool>> out;
  for (const auto& [path, h] : held_) out.emplace_back(path, h.node.has_value());
  return out;
}

int64_t LeasedView::earliest_expiry() const {
  int64_t e = INT64_MAX;
  for (const auto& [path, h] : held_) e = std::min(e, h.expiry);
  return e;
}

Status release_lease(SystemStore& store, const std::string& path, const std::string& owner) {
  // An item that holds no znode existed only for the lease: remove it.
  DeleteOp del{schema::node_key(path),
               Condition::all({Predicate::eq(kLockOwner, owner), Predicate::not_exists(schema::attr::kCreated)})};
  auto d = store.remove(del);
  if (!d.ok()) return d.status();
  if (d->applied) return Status::OK();
  UpdateOp up{schema::node_key(path), Condition::all({Predicate::eq(kLockOwner, owner)}),
              {Action::remove(kLockOwner), Action::remove(kLockExpiry)}};
  auto u = store.update(up);
  return u.ok() ? Status::OK() : u.status();
}

}  // namespace faaskeeper
