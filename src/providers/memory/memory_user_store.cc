#include "providers/memory/memory_user_store.h"

#include <mutex>

namespace faaskeeper {

Result<std::optional<std::string>> MemoryUserStore::get(const std::string& path) {
  std::shared_lock lock(mu_);
  auto it = objects_.find(path);
  if (it == objects_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryUserStore::write(const std::vector<UserWrite>& writes) {
  for (const auto& w : writes)
    if (w.path.empty()) return Status(Error::BadArguments, "user store: empty path");
  std::unique_lock lock(mu_);
  for (const auto& w : writes) {
    if (w.object)
      objects_[w.path] = *w.object;
    else
      objects_.erase(w.path);
  }
  return Status::OK();
}

size_t MemoryUserStore::size() const {
  std::shared_lock lock(mu_);
  return objects_.size();
}

}  // namespace faaskeeper
