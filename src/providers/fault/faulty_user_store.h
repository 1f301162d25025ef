// FaultyUserStore: forwards to a wrapped UserStore, injecting the faults of a FaultPlan
// (see fault_plan.h). Op names "<name>.get|write"; the detail is the path (write: the paths
// separated by spaces). Drop applies to write (the batch is silently not written).
#pragma once

#include <memory>
#include <string>

#include "providers/fault/fault_plan.h"
#include "providers/user_store.h"

namespace faaskeeper {

class FaultyUserStore final : public UserStore {
 public:
  FaultyUserStore(UserStore& inner, FaultPlan& plan, std::string name = "user");
  FaultyUserStore(std::shared_ptr<UserStore> inner, std::shared_ptr<FaultPlan> plan,
                  std::string name = "user");

  Result<std::optional<std::string>> get(const std::string& path) override;
  Status write(const std::vector<UserWrite>& writes) override;

 private:
  std::shared_ptr<UserStore> owned_inner_;
  std::shared_ptr<FaultPlan> owned_plan_;
  UserStore& inner_;
  FaultPlan& plan_;
  std::string name_;
};

}  // namespace faaskeeper
