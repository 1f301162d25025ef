#include "providers/local/local_user_store.h"

#include "providers/local/codec.h"

namespace faaskeeper {

namespace codec = local_codec;

Result<std::optional<std::string>> read_user_object(LmdbEnv& env, MDB_dbi dbi, const std::string& path) {
  if (path.empty()) return std::optional<std::string>();
  return env.read<Result<std::optional<std::string>>>([&](MDB_txn* txn) -> Result<std::optional<std::string>> {
    std::string skey = codec::store_key(path);
    MDB_val k = mdb_val(skey), v;
    int rc = mdb_get(txn, dbi, &k, &v);
    if (rc == MDB_NOTFOUND) return std::optional<std::string>();
    if (rc != 0) return env.error(rc, "reading " + path);
    std::string_view full, payload;
    Status s = codec::split_record(skey, std::string_view(static_cast<const char*>(v.mv_data), v.mv_size),
                                   &full, &payload);
    if (!s.ok()) return Status(s.code(), s.message() + " (user store path " + path + ")");
    return std::optional<std::string>(std::string(payload));
  });
}

LocalUserStore::LocalUserStore(std::shared_ptr<LocalDatabase> db)
    : db_(std::move(db)), env_(db_->user()), dbi_(env_.dbi(LocalDatabase::kObjects)) {}

Result<std::optional<std::string>> LocalUserStore::get(const std::string& path) {
  return read_user_object(env_, dbi_, path);
}

Status LocalUserStore::write(const std::vector<UserWrite>& writes) {
  for (const auto& w : writes)
    if (w.path.empty()) return Status(Error::BadArguments, "user store: empty path");
  if (writes.empty()) return Status::OK();
  return env_.write([&](MDB_txn* txn) -> Status {
    for (const auto& w : writes) {
      std::string skey = codec::store_key(w.path);
      MDB_val k = mdb_val(skey);
      int rc;
      if (w.object) {
        std::string rec = codec::make_record(w.path, *w.object);
        MDB_val v = mdb_val(rec);
        rc = mdb_put(txn, dbi_, &k, &v, 0);
      } else {
        rc = mdb_del(txn, dbi_, &k, nullptr);
        if (rc == MDB_NOTFOUND) rc = 0;
      }
      if (rc != 0) return env_.error(rc, "writing " + w.path);
    }
    return Status::OK();
  });
}

}  // namespace faaskeeper
