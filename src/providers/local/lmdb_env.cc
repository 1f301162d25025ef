#include "providers/local/lmdb_env.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "providers/local/data_dir.h"

namespace faaskeeper {

namespace fs = std::filesystem;

struct PendingWrite {
  const LmdbEnv::WriteFn* fn;
  Status result;
  bool done = false;
  std::condition_variable cv;
};

namespace {

constexpr size_t kMaxBatch = 256;

// Every commit writes its own transaction id under this key of the main database, so a reader
// can tell whether the snapshot it got is the one its transaction id names (see begin_read).
const std::string kCommitMarker = "faaskeeper:commit";

std::mutex& registry_mu() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, std::weak_ptr<LmdbEnv>>& registry() {
  static std::map<std::string, std::weak_ptr<LmdbEnv>> r;
  return r;
}

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string mib(size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

namespace {

// LMDB reports a short write (what a full disk or the file-size limit produce) as EIO. Tell
// the user which one it probably was.
std::string diagnose_short_write(const std::string& dir) {
  struct stat st;
  rlimit lim;
  if (::stat((dir + "/data.mdb").c_str(), &st) == 0 && ::getrlimit(RLIMIT_FSIZE, &lim) == 0 &&
      lim.rlim_cur != RLIM_INFINITY && static_cast<uint64_t>(st.st_size) + (8u << 20) >= lim.rlim_cur)
    return "the process's file size limit of " + std::to_string(lim.rlim_cur) + " bytes is reached";
  struct statvfs vfs;
  if (::statvfs(dir.c_str(), &vfs) == 0) {
    uint64_t avail = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    uint64_t total = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
    if (avail < (64u << 20) || avail * 100 < total)
      return "only " + std::to_string(avail) + " bytes are free on the file system";
  }
  return {};
}

}  // namespace

Status LmdbEnv::error(int rc, const std::string& what) const {
  std::string where = what + " in " + dir_;
  if (rc == EIO) {
    std::string why = diagnose_short_write(dir_);
    if (!why.empty())
      return Status(Error::SystemError, "disk full: " + where + " failed (" + why +
                                            "); nothing of this write was committed");
  }
  switch (rc) {
    case MDB_MAP_FULL: {
      MDB_envinfo info;
      mdb_env_info(env_, &info);
      return Status(Error::SystemError,
                    "storage full: " + dir_ + " reached its size limit of " + mib(info.me_mapsize) +
                        " (MDB_MAP_FULL) during " + what +
                        "; nothing of this write was committed (raise the size limit or delete data)");
    }
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return Status(Error::SystemError, "disk full: " + where + " failed (" + std::strerror(rc) +
                                            "); nothing of this write was committed");
    case MDB_PANIC:
      return Status(Error::SystemError, "storage failed: " + where +
                                            " hit an earlier fatal I/O error (MDB_PANIC); restart the deployment");
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
      return Status(Error::DataInconsistency,
                    "corrupted data: " + where + " failed (" + mdb_strerror(rc) + ")");
    case MDB_READERS_FULL:
      return Status(Error::SystemError, "too many concurrent readers of " + dir_ + " (MDB_READERS_FULL)");
    case EACCES:
    case EPERM:
    case EROFS:
      return Status(Error::SystemError, errno_message(where, rc));
    default:
      return Status(Error::SystemError, where + " failed: " + mdb_strerror(rc));
  }
}

LmdbEnv::LmdbEnv(MDB_env* env, std::string dir, bool read_only)
    : env_(env), pid_(::getpid()), dir_(std::move(dir)), read_only_(read_only) {}

LmdbEnv::~LmdbEnv() {
  // In a forked child the handle belongs to the parent: closing it here would release locks
  // the child never held. Leak it instead.
  if (pid_ == ::getpid()) mdb_env_close(env_);
}

Result<std::shared_ptr<LmdbEnv>> LmdbEnv::open(const std::string& dir, const LmdbOptions& options) {
  std::error_code ec;
  if (!options.read_only && !options.must_exist) {
    fs::create_directories(dir, ec);
    if (ec) return Status(Error::SystemError, "cannot create " + dir + ": " + ec.message());
  }
  std::string key = fs::weakly_canonical(dir, ec).string();
  if (ec) key = dir;

  std::lock_guard lock(registry_mu());
  if (auto existing = registry()[key].lock(); existing && existing->pid_ == ::getpid()) {
    if (existing->read_only_ && !options.read_only)
      return Status(Error::SystemError, dir + " is open read-only in this process; open the writer first");
    return existing;
  }

  struct stat st;
  if (::stat((dir + "/data.mdb").c_str(), &st) != 0) {
    if (options.read_only || options.must_exist)
      return Status(Error::DataInconsistency, dir + "/data.mdb is missing (the data directory is damaged)");
  } else if (!S_ISREG(st.st_mode)) {
    return Status(Error::DataInconsistency, dir + "/data.mdb is not a regular file");
  }

  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc != 0) return Status(Error::SystemError, std::string("mdb_env_create: ") + mdb_strerror(rc));
  auto self = std::shared_ptr<LmdbEnv>(new LmdbEnv(env, dir, options.read_only));
  if (!options.read_only) mdb_env_set_mapsize(env, options.map_size);
  mdb_env_set_maxreaders(env, options.max_readers);
  mdb_env_set_maxdbs(env, static_cast<MDB_dbi>(options.databases.size() + 1));
  rc = mdb_env_open(env, dir.c_str(), options.read_only ? MDB_RDONLY : 0, 0644);
  if (rc != 0) {
    if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
      return Status(Error::DataInconsistency, dir + "/data.mdb is corrupted or not a faaskeeper store (" +
                                                  mdb_strerror(rc) + ")");
    return self->error(rc, "opening the store");
  }

  // A data file shorter than its own meta page says is truncated: reading it would fault.
  MDB_envinfo info;
  MDB_stat est;
  mdb_env_info(env, &info);
  mdb_env_stat(env, &est);
  if (::stat((dir + "/data.mdb").c_str(), &st) == 0 &&
      static_cast<uint64_t>(st.st_size) < (static_cast<uint64_t>(info.me_last_pgno) + 1) * est.ms_psize)
    return Status(Error::DataInconsistency, dir + "/data.mdb is truncated (" + std::to_string(st.st_size) +
                                                " bytes, the store needs " +
                                                std::to_string((info.me_last_pgno + 1) * est.ms_psize) + ")");

  if (!options.read_only) {
    int dead = 0;
    mdb_reader_check(env, &dead);
  }

  MDB_txn* txn = nullptr;
  rc = mdb_txn_begin(env, nullptr, options.read_only ? MDB_RDONLY : 0, &txn);
  if (rc != 0) return self->error(rc, "opening the databases");
  rc = mdb_dbi_open(txn, nullptr, 0, &self->main_dbi_);
  if (rc != 0) {
    mdb_txn_abort(txn);
    return self->error(rc, "opening the main database");
  }
  for (const auto& name : options.databases) {
    MDB_dbi dbi;
    rc = mdb_dbi_open(txn, name.empty() ? nullptr : name.c_str(), options.read_only ? 0 : MDB_CREATE, &dbi);
    if (rc != 0) {
      mdb_txn_abort(txn);
      if (rc == MDB_NOTFOUND)
        return Status(Error::SystemError, dir + " has no database \"" + name + "\" (not initialised by a deployment yet)");
      if (rc == MDB_INCOMPATIBLE)
        return Status(Error::DataInconsistency, dir + " is corrupted or foreign: \"" + name + "\" is not a database");
      return self->error(rc, "opening database " + name);
    }
    self->dbis_[name] = dbi;
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) return self->error(rc, "opening the databases");
  registry()[key] = self;
  return self;
}

MDB_dbi LmdbEnv::dbi(const std::string& name) const { return dbis_.at(name); }

// LMDB 0.9 starts a read transaction by reading the published transaction id T and then the
// meta page slot T % 2, without re-checking that slot. A reader delayed between the two steps
// while the writer completes T+1 and writes T+2's meta into the same slot gets T+2's tree (not
// yet published, maybe not yet durable) under the id T, and its next transaction may then see
// T+1: reads go backwards. Each commit therefore records its id under kCommitMarker; a snapshot
// whose marker is newer than its own id is such a mix-up, and the read starts over.
Status LmdbEnv::begin_read(MDB_txn** txn) {
  for (int attempt = 0;; ++attempt) {
    int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, txn);
    if (rc == MDB_MAP_RESIZED) {
      // The writer (a later deployment with a larger limit) grew the map: adopt its size.
      std::lock_guard lock(resize_mu_);
      mdb_env_set_mapsize(env_, 0);
      rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, txn);
    }
    if (rc != 0) return error(rc, "starting a read");
    MDB_val k = mdb_val(kCommitMarker), v;
    if (mdb_get(*txn, main_dbi_, &k, &v) != 0 || v.mv_size != sizeof(uint64_t)) return Status::OK();
    uint64_t marker;
    std::memcpy(&marker, v.mv_data, sizeof marker);
    if (marker <= static_cast<uint64_t>(mdb_txn_id(*txn))) return Status::OK();
    mdb_txn_abort(*txn);
    *txn = nullptr;
    if (attempt > 100) return Status(Error::SystemError, "could not get a consistent snapshot of " + dir_);
    std::this_thread::yield();
  }
}

Status LmdbEnv::write(const WriteFn& fn) {
  if (read_only_) return Status(Error::NotReadOnly, dir_ + " is open read-only");
  PendingWrite me{&fn};
  std::unique_lock lock(write_mu_);
  ++writes_;
  queue_.push_back(&me);
  while (!me.done && queue_.front() != &me) me.cv.wait(lock);
  if (me.done) return me.result;

  // Leader: take everyone waiting (up to kMaxBatch) and commit them together.
  std::vector<PendingWrite*> batch(queue_.begin(),
                                   queue_.begin() + static_cast<std::ptrdiff_t>(std::min(queue_.size(), kMaxBatch)));
  lock.unlock();
  run_batch(batch);
  lock.lock();
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(batch.size()));
  for (PendingWrite* p : batch) {
    if (p == &me) continue;
    p->done = true;
    p->cv.notify_one();
  }
  if (!queue_.empty()) queue_.front()->cv.notify_one();
  return me.result;
}

void LmdbEnv::run_batch(const std::vector<PendingWrite*>& batch) {
  auto fail_all = [&](const Status& s) {
    for (PendingWrite* p : batch) p->result = s;
  };
  if (!broken_.ok()) return fail_all(broken_);

  if (int64_t now = steady_ms(); now - last_reader_check_ms_ > 1000) {
    // Free the reader slots of client processes that died mid-read.
    int dead = 0;
    mdb_reader_check(env_, &dead);
    last_reader_check_ms_ = now;
  }

  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
  if (rc != 0) {
    Status s = error(rc, "starting a write");
    if (rc == MDB_PANIC) broken_ = s;
    return fail_all(s);
  }
  auto run = [&](PendingWrite* p, MDB_txn* t) -> Status {
    try {
      return (*p->fn)(t);
    } catch (const std::exception& e) {
      return Status(Error::SystemError, std::string("local store write threw: ") + e.what());
    }
  };
  bool any_ok = false;
  if (batch.size() == 1) {
    batch[0]->result = run(batch[0], txn);
    any_ok = batch[0]->result.ok();
  } else {
    for (PendingWrite* p : batch) {
      MDB_txn* child = nullptr;
      rc = mdb_txn_begin(env_, txn, 0, &child);
      if (rc != 0) {
        p->result = error(rc, "starting a nested write");
        continue;
      }
      p->result = run(p, child);
      if (p->result.ok()) {
        rc = mdb_txn_commit(child);
        if (rc != 0) p->result = error(rc, "writing");
      } else {
        mdb_txn_abort(child);
      }
      any_ok = any_ok || p->result.ok();
    }
  }
  if (!any_ok) {
    mdb_txn_abort(txn);
    return;
  }
  {
    uint64_t id = static_cast<uint64_t>(mdb_txn_id(txn));
    MDB_val k = mdb_val(kCommitMarker), v{sizeof id, &id};
    rc = mdb_put(txn, main_dbi_, &k, &v, 0);
    if (rc != 0) {
      mdb_txn_abort(txn);
      Status s = error(rc, "committing");
      for (PendingWrite* p : batch)
        if (p->result.ok()) p->result = s;
      return;
    }
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) {
    Status s = error(rc, "committing");
    if (rc == MDB_PANIC) broken_ = s;
    for (PendingWrite* p : batch)
      if (p->result.ok()) p->result = s;
    return;
  }
  ++commits_;
}

uint64_t LmdbEnv::commits() const { return commits_.load(); }

uint64_t LmdbEnv::writes() const { return writes_.load(); }

}  // namespace faaskeeper
