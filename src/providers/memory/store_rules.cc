#include "providers/memory/store_rules.h"

#include <set>

namespace faaskeeper {

const std::string& txn_key(const TxnOp& op) {
  return std::visit([](const auto& o) -> const std::string& { return o.key; }, op);
}

Status check_key(const std::string& key) {
  if (key.empty()) return Status(Error::BadArguments, "system store: empty key");
  return Status::OK();
}

Status validate_transaction(const std::vector<TxnOp>& ops, size_t max_items) {
  if (ops.size() > max_items)
    return Status(Error::BadArguments, "transaction has " + std::to_string(ops.size()) +
                                           " ops; at most " +
                                           std::to_string(max_items) + " allowed");
  std::set<std::string> keys;
  for (const auto& op : ops) {
    const std::string& key = txn_key(op);
    if (Status s = check_key(key); !s.ok()) return s;
    if (!keys.insert(key).second)
      return Status(Error::BadArguments, "transaction addresses key twice: " + key);
  }
  return Status::OK();
}

Result<PlannedWrite> plan_update(const std::optional<Item>& current, const UpdateOp& op) {
  PlannedWrite plan;
  if (!op.condition.evaluate(current)) {
    plan.outcome.item = current;
    plan.next = current;
    return plan;
  }
  Item next = current ? *current : Item{};
  if (Status s = apply_actions(next, op.actions); !s.ok()) return s;
  plan.outcome.applied = true;
  plan.outcome.item = next;
  plan.next = std::move(next);
  return plan;
}

PlannedWrite plan_remove(const std::optional<Item>& current, const DeleteOp& op) {
  PlannedWrite plan;
  if (!op.condition.evaluate(current)) {
    plan.outcome.item = current;
    plan.next = current;
    return plan;
  }
  plan.outcome.applied = true;
  return plan;
}

}  // namespace faaskeeper
