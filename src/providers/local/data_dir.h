// DataDir: the on-disk layout of a local deployment's data directory, its format marker and
// its exclusive lock.
//
//   DIR/FORMAT   "faaskeeper-local-data\nversion 1\n": identifies the directory and its layout
//   DIR/LOCK     flock()ed by the one process serving DIR; holds that process's pid
//   DIR/system/  LMDB environment: system store items and the durable queues
//   DIR/user/    LMDB environment: the user store (node objects), read directly by clients
//
// A directory is accepted when it holds a FORMAT marker of a version this build reads, or when
// it is empty / does not exist (it is then initialised: stores first, marker last, so a marker
// guarantees the stores were created and a missing store file is reported, not recreated).
// Anything else is refused with a message naming the directory and the problem.
#pragma once

#include <memory>
#include <string>

#include "faaskeeper/error.h"

namespace faaskeeper {

inline constexpr int kLocalFormatVersion = 1;

enum class DirState {
  Absent,       // DIR does not exist
  Fresh,        // empty, or only what an interrupted first start leaves (LOCK, system/, user/)
  Initialised,  // holds a valid FORMAT marker of this version
};

// What DIR is. Errors (SystemError) name DIR and the problem, e.g.
//   "DIR is not a faaskeeper data directory (it has other files and no FORMAT marker)"
//   "DIR/FORMAT is corrupted ..."  "DIR has data format version 7; this build reads version 1"
//   "DIR is not a directory"  "cannot use DIR: Permission denied ..."
Result<DirState> inspect_data_dir(const std::string& dir);

// mkdir -p DIR, with a clear message ("cannot create DIR: Permission denied (the data
// directory must be writable)").
Status create_data_dir(const std::string& dir);

// Writes DIR/FORMAT atomically (after the stores exist, so a marker promises them).
Status write_format_marker(const std::string& dir);

// The exclusive lock on a data directory, held for the lifetime of the object (and released
// by the kernel if the process dies, e.g. kill -9).
class DirLock {
 public:
  // SystemError "DIR is in use by process PID" when another process (or another DirLock in
  // this one) holds it; a clear message for an unwritable DIR.
  static Result<std::unique_ptr<DirLock>> acquire(const std::string& dir);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

// "<dir>: <strerror(err)>"-style message for an errno from a file operation on `what`.
std::string errno_message(const std::string& what, int err);

}  // namespace faaskeeper
