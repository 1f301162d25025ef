// MemoryUserStore: an in-process, thread-safe UserStore (see providers/user_store.h).
// A write() batch is atomic: a concurrent get() sees all of it or none of it.
#pragma once

#include <map>
#include <shared_mutex>

#include "providers/user_store.h"

namespace faaskeeper {

class MemoryUserStore final : public UserStore {
 public:
  MemoryUserStore() = default;

  Result<std::optional<std::string>> get(const std::string& path) override;
  // BadArguments (and nothing written) when any write has an empty path.
  Status write(const std::vector<UserWrite>& writes) override;

  // Number of stored objects (for tests).
  size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::string> objects_;
};

}  // namespace faaskeeper
