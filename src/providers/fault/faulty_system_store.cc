#include "providers/fault/faulty_system_store.h"

#include "providers/fault/fault_call.h"

namespace faaskeeper {

using fault_detail::run;

FaultySystemStore::FaultySystemStore(SystemStore& inner, FaultPlan& plan, std::string name)
    : inner_(inner), plan_(plan), name_(std::move(name)) {}

FaultySystemStore::FaultySystemStore(std::shared_ptr<SystemStore> inner,
                                     std::shared_ptr<FaultPlan> plan, std::string name)
    : owned_inner_(std::move(inner)),
      owned_plan_(std::move(plan)),
      inner_(*owned_inner_),
      plan_(*owned_plan_),
      name_(std::move(name)) {}

Result<std::optional<Item>> FaultySystemStore::get(const std::string& key) {
  return run<Result<std::optional<Item>>>(plan_, name_ + ".get", key, [&] { return inner_.get(key); });
}

Result<WriteOutcome> FaultySystemStore::update(const UpdateOp& op) {
  return run<Result<WriteOutcome>>(plan_, name_ + ".update", op.key, [&] { return inner_.update(op); });
}

Result<WriteOutcome> FaultySystemStore::remove(const DeleteOp& op) {
  return run<Result<WriteOutcome>>(plan_, name_ + ".remove", op.key, [&] { return inner_.remove(op); });
}

Result<TxnOutcome> FaultySystemStore::transact(const std::vector<TxnOp>& ops) {
  std::string keys;
  for (const auto& op : ops) {
    if (!keys.empty()) keys += ' ';
    keys += std::visit([](const auto& o) -> const std::string& { return o.key; }, op);
  }
  return run<Result<TxnOutcome>>(plan_, name_ + ".transact", keys, [&] { return inner_.transact(ops); });
}

Result<std::vector<std::pair<std::string, Item>>> FaultySystemStore::scan(const std::string& prefix) {
  return run<Result<std::vector<std::pair<std::string, Item>>>>(plan_, name_ + ".scan", prefix,
                                                                [&] { return inner_.scan(prefix); });
}

}  // namespace faaskeeper
