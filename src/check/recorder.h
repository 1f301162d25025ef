// HistoryRecorder: a thread-safe recorder of client operations for the checker.
//
// Usage from a campaign client (any number of threads and sessions):
//   auto h = rec.invoke(session, req);   // just before sending the request
//   ... send, wait ...
//   rec.complete(h, outcome);            // just after the answer (or the timeout) arrived
//   rec.notification(session, path, type, zxid);  // in the watch callback, when it is accepted
// Operations never completed are in the history with complete = kNever and an Unknown outcome.
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "check/history.h"
#include "faaskeeper/error.h"

namespace faaskeeper::check {

class HistoryRecorder {
 public:
  using Clock = std::function<Nanos()>;
  struct Handle {
    uint64_t id = 0;
  };

  // Records in memory only. `clock` defaults to std::chrono::steady_clock (monotonic ns).
  explicit HistoryRecorder(Clock clock = {});
  // Records in memory and also appends every event to `path` as it happens ("invoke" and
  // "complete" lines of history_io.h, flushed per line), so a history survives a crash of the
  // recording process: operations in flight at the crash load as Unknown. Truncates the file.
  static Result<std::unique_ptr<HistoryRecorder>> streaming(const std::string& path,
                                                            Clock clock = {});
  ~HistoryRecorder();
  HistoryRecorder(const HistoryRecorder&) = delete;
  HistoryRecorder& operator=(const HistoryRecorder&) = delete;

  // Declares a node that existed before the first operation (see InitialNode).
  void declare_initial(InitialNode node);

  // Starts an operation of `session`: stamps the invoke time and the next per-session sequence
  // number. Call it before the request leaves the client, in the order the session issues them.
  Handle invoke(int64_t session, Request request);
  // Finishes the operation `h` (from invoke, not yet completed): stamps the completion time.
  // An outcome of kind Unknown keeps complete = kNever. A second call for `h` is ignored.
  void complete(Handle h, Outcome outcome);

  // A watch notification accepted by `session`; stamped now.
  void notification(int64_t session, std::string path, EventType type, int64_t zxid);

  // The session is being closed or expired (its ephemerals will go): stamps the start.
  Handle session_end_begin(int64_t session);
  // The client learned that the session ended: stamps the end of the window.
  void session_end_complete(Handle h);

  // A copy of everything recorded so far, ops in invoke order.
  History snapshot() const;
  // Writes snapshot() to `path` in the JSON-lines format of history_io.h.
  Status save(const std::string& path) const;

 private:
  void stream_line(const std::string& line);  // caller holds mu_

  Clock clock_;
  mutable std::mutex mu_;
  History history_;
  std::map<int64_t, uint64_t> next_seq_;
  std::vector<bool> op_done_;  // by op id (= index in history_.ops)
  std::FILE* stream_ = nullptr;
};

}  // namespace faaskeeper::check
