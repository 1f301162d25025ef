// LocalUserStore: the durable UserStore of the local deployment (LMDB, DIR/user), written by
// the distributor. A write() batch is one atomic, fdatasync'ed LMDB transaction.
//
// Clients on the same machine read DIR/user directly with LocalUserReader (other processes,
// concurrently with this writer, each read seeing one committed state).
#pragma once

#include <memory>

#include "providers/local/local_database.h"
#include "providers/user_store.h"

namespace faaskeeper {

class LocalUserStore final : public UserStore {
 public:
  explicit LocalUserStore(std::shared_ptr<LocalDatabase> db);

  Result<std::optional<std::string>> get(const std::string& path) override;
  // BadArguments (nothing written) for an empty path.
  Status write(const std::vector<UserWrite>& writes) override;

 private:
  std::shared_ptr<LocalDatabase> db_;
  LmdbEnv& env_;
  MDB_dbi dbi_;
};

// Reading one object from the user environment (shared by the store and the reader).
Result<std::optional<std::string>> read_user_object(LmdbEnv& env, MDB_dbi dbi, const std::string& path);

}  // namespace faaskeeper
