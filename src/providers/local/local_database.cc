#include "providers/local/local_database.h"

namespace faaskeeper {

Result<std::shared_ptr<LocalDatabase>> LocalDatabase::open(const std::string& dir, LocalOptions options) {
  if (dir.empty()) return Status(Error::BadArguments, "no data directory given");
  auto state = inspect_data_dir(dir);
  if (!state.ok()) return state.status();
  if (*state == DirState::Absent)
    if (Status s = create_data_dir(dir); !s.ok()) return s;
  auto lock = DirLock::acquire(dir);
  if (!lock.ok()) return lock.status();
  bool initialised = *state == DirState::Initialised;

  std::shared_ptr<LocalDatabase> db(new LocalDatabase());
  db->dir_ = dir;
  db->lock_ = std::move(*lock);

  LmdbOptions sys;
  sys.map_size = options.system_max_bytes;
  sys.databases = {kItems, kQueueMessages, kQueueDedup, kQueueMeta};
  sys.must_exist = initialised;
  auto system = LmdbEnv::open(dir + "/system", sys);
  if (!system.ok()) return system.status();
  db->system_ = *system;

  LmdbOptions usr;
  usr.map_size = options.user_max_bytes;
  usr.max_readers = 4096;  // client processes read this one directly
  usr.databases = {kObjects};
  usr.must_exist = initialised;
  auto user = LmdbEnv::open(dir + "/user", usr);
  if (!user.ok()) return user.status();
  db->user_ = *user;
  if (!initialised)
    if (Status s = write_format_marker(dir); !s.ok()) return s;
  return db;
}

}  // namespace faaskeeper
