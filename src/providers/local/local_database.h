// LocalDatabase: an opened data directory of the local deployment (see data_dir.h for the
// layout). Owns the directory lock and the two LMDB environments; the local stores and queues
// are views over it. Opening it is what `faaskeeper local --data DIR` does first.
#pragma once

#include <memory>
#include <string>

#include "faaskeeper/error.h"
#include "providers/local/data_dir.h"
#include "providers/local/lmdb_env.h"

namespace faaskeeper {

struct LocalOptions {
  // Size limits of the two stores (their files are sparse and grow on demand). Reaching one
  // fails writes with a "storage full" error; nothing acknowledged is lost.
  size_t system_max_bytes = size_t(8) << 30;
  size_t user_max_bytes = size_t(8) << 30;
};

class LocalDatabase {
 public:
  // Opens DIR for exclusive use by this process, creating and initialising it when it does
  // not exist or is empty. Errors (SystemError / DataInconsistency) carry a message meant for
  // the user: "DIR is in use by process PID ...", "DIR is not a faaskeeper data directory ...",
  // "DIR/FORMAT is corrupted ...", "cannot create DIR: Permission denied ...", and so on.
  static Result<std::shared_ptr<LocalDatabase>> open(const std::string& dir, LocalOptions options = {});

  const std::string& dir() const { return dir_; }
  LmdbEnv& system() { return *system_; }
  LmdbEnv& user() { return *user_; }

  // Database names inside the environments.
  static constexpr const char* kItems = "items";          // system env: system store
  static constexpr const char* kQueueMessages = "queue_messages";
  static constexpr const char* kQueueDedup = "queue_dedup";
  static constexpr const char* kQueueMeta = "queue_meta";
  static constexpr const char* kObjects = "objects";      // user env: node objects

 private:
  LocalDatabase() = default;
  std::string dir_;
  std::unique_ptr<DirLock> lock_;
  std::shared_ptr<LmdbEnv> system_;
  std::shared_ptr<LmdbEnv> user_;
};

}  // namespace faaskeeper
