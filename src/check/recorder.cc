#include "check/recorder.h"

#include <algorithm>
#include <chrono>

#include "check/history_io.h"

namespace faaskeeper::check {

namespace {
Nanos steady_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

HistoryRecorder::HistoryRecorder(Clock clock) : clock_(clock ? std::move(clock) : steady_now) {}

Result<std::unique_ptr<HistoryRecorder>> HistoryRecorder::streaming(const std::string& path,
                                                                    Clock clock) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return Status(Error::SystemError, "cannot open " + path + " for writing");
  auto rec = std::make_unique<HistoryRecorder>(std::move(clock));
  rec->stream_ = f;
  rec->stream_line(encode_header_line());
  return rec;
}

HistoryRecorder::~HistoryRecorder() {
  if (stream_) std::fclose(stream_);
}

void HistoryRecorder::stream_line(const std::string& line) {
  if (!stream_) return;
  std::fwrite(line.data(), 1, line.size(), stream_);
  std::fputc('\n', stream_);
  std::fflush(stream_);
}

void HistoryRecorder::declare_initial(InitialNode node) {
  std::lock_guard lock(mu_);
  stream_line(encode_initial_line(node));
  history_.initial.push_back(std::move(node));
}

HistoryRecorder::Handle HistoryRecorder::invoke(int64_t session, Request request) {
  std::lock_guard lock(mu_);
  Operation op;
  op.id = history_.ops.size();
  op.session = session;
  op.seq = next_seq_[session]++;
  // Stamped under the lock so that, within a session, seq order and invoke order agree.
  op.invoke = clock_();
  op.request = std::move(request);
  stream_line(encode_invoke_line(op));
  history_.ops.push_back(std::move(op));
  op_done_.push_back(false);
  return Handle{history_.ops.size() - 1};
}

void HistoryRecorder::complete(Handle h, Outcome outcome) {
  Nanos now = clock_();  // any instant after the answer arrived is a valid completion time
  std::lock_guard lock(mu_);
  if (h.id >= history_.ops.size() || op_done_[h.id]) return;
  op_done_[h.id] = true;
  Operation& op = history_.ops[h.id];
  op.complete = outcome.kind == OutcomeKind::Unknown ? kNever : std::max(now, op.invoke);
  op.outcome = std::move(outcome);
  stream_line(encode_complete_line(op.id, op.complete, op.outcome));
}

void HistoryRecorder::notification(int64_t session, std::string path, EventType type,
                                   int64_t zxid) {
  std::lock_guard lock(mu_);
  WatchNotification n{session, std::move(path), type, zxid, clock_()};
  stream_line(encode_notification_line(n));
  history_.notifications.push_back(std::move(n));
}

HistoryRecorder::Handle HistoryRecorder::session_end_begin(int64_t session) {
  std::lock_guard lock(mu_);
  SessionEnd e{session, clock_(), kNever};
  uint64_t id = history_.session_ends.size();
  stream_line(encode_session_end_line(id, e));
  history_.session_ends.push_back(e);
  return Handle{id};
}

void HistoryRecorder::session_end_complete(Handle h) {
  Nanos now = clock_();
  std::lock_guard lock(mu_);
  if (h.id >= history_.session_ends.size()) return;
  auto& e = history_.session_ends[h.id];
  if (e.complete != kNever) return;
  e.complete = std::max(now, e.invoke);
  stream_line(encode_session_end_complete_line(h.id, e.complete));
}

History HistoryRecorder::snapshot() const {
  std::lock_guard lock(mu_);
  return history_;
}

Status HistoryRecorder::save(const std::string& path) const { return save_history(snapshot(), path); }

}  // namespace faaskeeper::check
