#include "providers/local/local_user_reader.h"

#include "providers/local/data_dir.h"
#include "providers/local/local_database.h"
#include "providers/local/local_user_store.h"

namespace faaskeeper {

Result<std::unique_ptr<LocalUserReader>> LocalUserReader::open(const std::string& dir) {
  auto state = inspect_data_dir(dir);
  if (!state.ok()) return state.status();
  if (*state == DirState::Absent) return Status(Error::SystemError, dir + " does not exist (no faaskeeper deployment has used it)");
  if (*state == DirState::Fresh) return Status(Error::SystemError, dir + " is not initialised (no FORMAT marker; start the deployment first)");
  LmdbOptions opts;
  opts.read_only = true;
  opts.max_readers = 4096;
  opts.databases = {LocalDatabase::kObjects};
  auto env = LmdbEnv::open(dir + "/user", opts);
  if (!env.ok()) return env.status();
  return std::unique_ptr<LocalUserReader>(new LocalUserReader(*env));
}

LocalUserReader::LocalUserReader(std::shared_ptr<LmdbEnv> env)
    : env_(std::move(env)), dbi_(env_->dbi(LocalDatabase::kObjects)) {}

Result<std::optional<std::string>> LocalUserReader::get(const std::string& path) {
  return read_user_object(*env_, dbi_, path);
}

Status LocalUserReader::write(const std::vector<UserWrite>&) {
  return Status(Error::NotReadOnly, "the user store is read-only for clients; only the deployment writes it");
}

}  // namespace faaskeeper
