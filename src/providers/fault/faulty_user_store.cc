#include "providers/fault/faulty_user_store.h"

#include "providers/fault/fault_call.h"

namespace faaskeeper {

using fault_detail::run;

FaultyUserStore::FaultyUserStore(UserStore& inner, FaultPlan& plan, std::string name)
    : inner_(inner), plan_(plan), name_(std::move(name)) {}

FaultyUserStore::FaultyUserStore(std::shared_ptr<UserStore> inner, std::shared_ptr<FaultPlan> plan,
                                 std::string name)
    : owned_inner_(std::move(inner)),
      owned_plan_(std::move(plan)),
      inner_(*owned_inner_),
      plan_(*owned_plan_),
      name_(std::move(name)) {}

Result<std::optional<std::string>> FaultyUserStore::get(const std::string& path) {
  return run<Result<std::optional<std::string>>>(plan_, name_ + ".get", path,
                                                 [&] { return inner_.get(path); });
}

Status FaultyUserStore::write(const std::vector<UserWrite>& writes) {
  std::string paths;
  for (const auto& w : writes) {
    if (!paths.empty()) paths += ' ';
    paths += w.path;
  }
  return run<Status>(plan_, name_ + ".write", paths, [&] { return inner_.write(writes); }, true);
}

}  // namespace faaskeeper
