// LocalUserReader: read-only access to a local deployment's user store straight from its data
// directory, for client processes on the same machine (the FaaSKeeper read path: no server hop).
//
// Any number of processes (and threads) may read while the deployment writes; each get() sees
// the latest committed state at the moment it starts (LMDB MVCC). It needs read access to
// DIR/user/data.mdb and write access to DIR/user/lock.mdb (the reader table), i.e. the same
// user as the deployment or a group with write permission. It takes no lock on DIR and works
// whether or not the deployment is running. In the deployment's own process it shares the
// deployment's open environment (LMDB must not be opened twice in one process).
#pragma once

#include <memory>
#include <string>

#include "providers/local/lmdb_env.h"
#include "providers/user_store.h"

namespace faaskeeper {

class LocalUserReader final : public UserStore {
 public:
  // SystemError / DataInconsistency with a clear message when DIR is absent, not a faaskeeper
  // data directory, of another format version, or has no user store yet.
  static Result<std::unique_ptr<LocalUserReader>> open(const std::string& dir);

  Result<std::optional<std::string>> get(const std::string& path) override;
  // Always NotReadOnly: only the deployment writes the user store.
  Status write(const std::vector<UserWrite>& writes) override;

 private:
  explicit LocalUserReader(std::shared_ptr<LmdbEnv> env);
  std::shared_ptr<LmdbEnv> env_;
  MDB_dbi dbi_;
};

}  // namespace faaskeeper
