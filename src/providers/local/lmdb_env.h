// LmdbEnv: one LMDB environment (a directory with data.mdb + lock.mdb) with
//  - a process-wide registry, so the same environment is never opened twice in one process
//    (LMDB forbids it: closing the second handle would drop the first one's file locks);
//  - snapshot reads (any thread, any number at once; other processes may read concurrently);
//  - group commit: concurrent write() calls are run one after another inside ONE write
//    transaction and made durable by one commit (one pair of fdatasyncs), each call isolated in
//    a nested transaction so a failing call leaves no trace while the others commit;
//  - LMDB / errno codes turned into Status with a precise message naming the files.
#pragma once

#include <lmdb.h>
#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "faaskeeper/error.h"

namespace faaskeeper {

struct LmdbOptions {
  size_t map_size = size_t(8) << 30;   // upper bound of the data file (sparse; grows on demand)
  unsigned max_readers = 1024;         // concurrent read transactions over all processes
  bool read_only = false;
  bool must_exist = false;             // refuse to create a missing data.mdb (a damaged directory)
  std::vector<std::string> databases;  // named databases to open (created when writable)
};

class LmdbEnv {
 public:
  // Opens (creating when writable) the environment in `dir`. Returns the already open instance
  // when this process has it open (a read-only request is then served by it; a writable request
  // on an environment this process opened read-only is refused).
  static Result<std::shared_ptr<LmdbEnv>> open(const std::string& dir, const LmdbOptions& options);
  ~LmdbEnv();
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;

  const std::string& dir() const { return dir_; }
  bool read_only() const { return read_only_; }
  // Handle of a named database listed in LmdbOptions::databases ("" = the main database).
  MDB_dbi dbi(const std::string& name) const;

  // Runs fn(txn) on a read-only snapshot of the last committed state. R is Status or Result<T>.
  // Snapshots are consistent and never older than one an earlier read() returned (see
  // begin_read for the LMDB race this guards against).
  template <class R>
  R read(const std::function<R(MDB_txn*)>& fn) {
    MDB_txn* txn = nullptr;
    if (Status s = begin_read(&txn); !s.ok()) return R(s);
    R r = fn(txn);
    mdb_txn_abort(txn);
    return r;
  }

  // Runs fn(txn) inside a write transaction and returns once that transaction is durable
  // (or failed). fn must only write after deciding to succeed; if it returns an error, every
  // change it made is discarded (and only its own). Concurrent calls share one commit.
  using WriteFn = std::function<Status(MDB_txn*)>;
  Status write(const WriteFn& fn);

  // Status for an LMDB/errno return code `rc` of operation `what` on this environment.
  Status error(int rc, const std::string& what) const;

  // Commits so far (for tests of group commit) and write() calls so far.
  uint64_t commits() const;
  uint64_t writes() const;

 private:
  LmdbEnv(MDB_env* env, std::string dir, bool read_only);
  Status begin_read(MDB_txn** txn);
  void run_batch(const std::vector<struct PendingWrite*>& batch);

  MDB_env* env_;
  pid_t pid_;  // the process that opened it: a forked child must open its own
  std::string dir_;
  bool read_only_;
  std::map<std::string, MDB_dbi> dbis_;
  MDB_dbi main_dbi_ = 0;  // holds the commit marker (next to the named databases' records)

  std::mutex write_mu_;
  std::deque<struct PendingWrite*> queue_;
  Status broken_;  // set after a fatal error: every later write fails with it
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> writes_{0};
  int64_t last_reader_check_ms_ = 0;
  std::mutex resize_mu_;
};

// MDB_val over a string's bytes (LMDB does not modify input keys/values).
inline MDB_val mdb_val(const std::string& s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
inline std::string mdb_str(const MDB_val& v) { return std::string(static_cast<const char*>(v.mv_data), v.mv_size); }

}  // namespace faaskeeper
