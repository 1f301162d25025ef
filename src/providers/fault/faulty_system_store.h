// FaultySystemStore: forwards to a wrapped SystemStore, injecting the faults of a FaultPlan
// (see fault_plan.h). Op names "<name>.get|update|remove|transact|scan"; the detail is the key
// (transact: the keys separated by spaces; scan: the prefix).
#pragma once

#include <memory>
#include <string>

#include "providers/fault/fault_plan.h"
#include "providers/system_store.h"

namespace faaskeeper {

class FaultySystemStore final : public SystemStore {
 public:
  // `inner` and `plan` must outlive this wrapper.
  FaultySystemStore(SystemStore& inner, FaultPlan& plan, std::string name = "system");
  // Shares ownership of both.
  FaultySystemStore(std::shared_ptr<SystemStore> inner, std::shared_ptr<FaultPlan> plan,
                    std::string name = "system");

  Result<std::optional<Item>> get(const std::string& key) override;
  Result<WriteOutcome> update(const UpdateOp& op) override;
  Result<WriteOutcome> remove(const DeleteOp& op) override;
  Result<TxnOutcome> transact(const std::vector<TxnOp>& ops) override;
  // The wrapped store's limit (not a call: no faults).
  size_t max_transaction_items() const override { return inner_.max_transaction_items(); }
  Result<std::vector<std::pair<std::string, Item>>> scan(const std::string& prefix) override;

 private:
  std::shared_ptr<SystemStore> owned_inner_;
  std::shared_ptr<FaultPlan> owned_plan_;
  SystemStore& inner_;
  FaultPlan& plan_;
  std::string name_;
};

}  // namespace faaskeeper
