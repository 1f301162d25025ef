#include "providers/local/local_queue.h"

#include <algorithm>
#include <mutex>
#include <random>
#include <set>

#include "providers/local/codec.h"

namespace faaskeeper {

namespace codec = local_codec;

namespace {

std::mutex& open_names_mu() {
  static std::mutex mu;
  return mu;
}
// (database, queue name) pairs open in this process.
std::set<std::pair<const LocalDatabase*, std::string>>& open_names() {
  static std::set<std::pair<const LocalDatabase*, std::string>> s;
  return s;
}

uint64_t random_prefix() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

// Stored message: u32-len group, u32-len dedup id, u32-len body, u64 sent_ms.
std::string encode_message(const std::string& group, const std::string& dedup, const std::string& body,
                           int64_t sent_ms) {
  std::string out;
  out.reserve(20 + group.size() + dedup.size() + body.size());
  codec::put_u32(out, static_cast<uint32_t>(group.size()));
  out += group;
  codec::put_u32(out, static_cast<uint32_t>(dedup.size()));
  out += dedup;
  codec::put_u32(out, static_cast<uint32_t>(body.size()));
  out += body;
  codec::put_u64(out, static_cast<uint64_t>(sent_ms));
  return out;
}

// Stored dedup entry: u64 sequence, u64 sent_ms.
std::string encode_dedup(uint64_t seq, int64_t sent_ms) {
  std::string out;
  codec::put_u64(out, seq);
  codec::put_u64(out, static_cast<uint64_t>(sent_ms));
  return out;
}

}  // namespace

LocalQueue::LocalQueue(std::shared_ptr<LocalDatabase> db, std::string name, Clock& clock,
                       LocalQueueOptions options)
    : db_(std::move(db)),
      env_(db_->system()),
      messages_(env_.dbi(LocalDatabase::kQueueMessages)),
      dedup_(env_.dbi(LocalDatabase::kQueueDedup)),
      meta_(env_.dbi(LocalDatabase::kQueueMeta)),
      name_(std::move(name)),
      clock_(clock),
      core_(options.dedup_window_ms, random_prefix()) {}

LocalQueue::~LocalQueue() {
  std::lock_guard lock(open_names_mu());
  open_names().erase({db_.get(), name_});
}

Result<std::unique_ptr<LocalQueue>> LocalQueue::open(std::shared_ptr<LocalDatabase> db, const std::string& name,
                                                     Clock& clock, LocalQueueOptions options) {
  if (name.empty() || name.find('\0') != std::string::npos)
    return Status(Error::BadArguments, "queue name must be non-empty and contain no NUL byte");
  {
    std::lock_guard lock(open_names_mu());
    if (!open_names().insert({db.get(), name}).second)
      return Status(Error::BadArguments, "queue " + name + " of " + db->dir() + " is already open");
  }
  std::unique_ptr<LocalQueue> q(new LocalQueue(std::move(db), name, clock, options));
  if (Status s = q->recover(); !s.ok()) return s;
  return q;
}

std::string LocalQueue::message_key(uint64_t seq) const {
  std::string k = name_;
  k.push_back('\0');
  return k + codec::be64(seq);
}

std::string LocalQueue::dedup_key(const std::string& dedup_id) const {
  std::string k = name_;
  k.push_back('\0');
  return codec::store_key(k + dedup_id);
}

Status LocalQueue::recover() {
  std::string prefix = name_;
  prefix.push_back('\0');
  return env_.read<Status>([&](MDB_txn* txn) -> Status {
    auto corrupted = [&](const std::string& what) {
      return Status(Error::DataInconsistency, "corrupted queue " + name_ + " in " + env_.dir() + ": " + what);
    };
    // Last sequence handed out.
    MDB_val mk = mdb_val(name_), mv;
    int rc = mdb_get(txn, meta_, &mk, &mv);
    if (rc == 0) {
      codec::Reader r(std::string_view(static_cast<const char*>(mv.mv_data), mv.mv_size));
      uint64_t last;
      if (!r.u64(&last)) return corrupted("bad last sequence");
      core_.set_last_sequence(last);
    } else if (rc != MDB_NOTFOUND) {
      return env_.error(rc, "reading queue " + name_);
    }
    // Unacked messages and dedup entries: one cursor walk over this queue's key range each.
    for (MDB_dbi dbi : {messages_, dedup_}) {
      MDB_cursor* cur = nullptr;
      rc = mdb_cursor_open(txn, dbi, &cur);
      if (rc != 0) return env_.error(rc, "reading queue " + name_);
      MDB_val k = mdb_val(prefix), v;
      for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        std::string_view key(static_cast<const char*>(k.mv_data), k.mv_size);
        if (key.substr(0, prefix.size()) != prefix) {
          rc = MDB_NOTFOUND;  // past this queue's keys: the scan is complete
          break;
        }
        std::string_view val(static_cast<const char*>(v.mv_data), v.mv_size);
        if (dbi == messages_) {
          if (key.size() != prefix.size() + 8) {
            mdb_cursor_close(cur);
            return corrupted("bad message key");
          }
          uint64_t seq = codec::read_be64(key.substr(prefix.size()));
          codec::Reader r(val);
          std::string group, dedup, body;
          uint64_t sent;
          if (!r.bytes(&group) || !r.bytes(&dedup) || !r.bytes(&body) || !r.u64(&sent) || !r.done()) {
            mdb_cursor_close(cur);
            return corrupted("bad message " + std::to_string(seq));
          }
          // It may have been delivered before the restart: count that delivery.
          core_.restore_message(seq, group, dedup, body, 1);
        } else {
          std::string_view full, payload;
          if (Status s = codec::split_record(key, val, &full, &payload); !s.ok()) {
            mdb_cursor_close(cur);
            return corrupted(s.message());
          }
          codec::Reader r(payload);
          uint64_t seq, sent;
          if (!r.u64(&seq) || !r.u64(&sent) || !r.done()) {
            mdb_cursor_close(cur);
            return corrupted("bad dedup entry");
          }
          int64_t sent_ms = static_cast<int64_t>(sent);
          std::string id(full.substr(prefix.size()));
          core_.restore_dedup(id, seq, sent_ms);
        }
      }
      mdb_cursor_close(cur);
      if (rc != MDB_NOTFOUND) return env_.error(rc, "reading queue " + name_);
    }
    return Status::OK();
  });
}

Result<uint64_t> LocalQueue::send(const std::string& group, const std::string& dedup_id,
                                  const std::string& body) {
  uint64_t seq = 0;
  int64_t now = 0;
  std::vector<std::string> expired;
  {
    std::unique_lock lock(mu_);
    for (;;) {
      now = clock_.now_ms();
      auto gone = core_.expire_dedup(now);
      expired.insert(expired.end(), gone.begin(), gone.end());
      auto r = core_.send(group, dedup_id, body, now, /*ready=*/false);
      if (r.enqueued) {
        seq = r.sequence;
        break;
      }
      // A duplicate. While the original is still being persisted its outcome decides ours:
      // durable (or acked since) -> the duplicate is answered with its sequence number;
      // discarded (its write failed) -> try again, now as the original.
      cv_.wait(lock, [&] { return !core_.contains(r.sequence) || core_.is_ready(r.sequence); });
      if (core_.contains(r.sequence) || core_.is_known_duplicate(dedup_id, r.sequence)) return r.sequence;
    }
  }
  std::string mkey = message_key(seq);
  std::string mval = encode_message(group, dedup_id, body, now);
  std::string dkey = dedup_id.empty() ? std::string() : dedup_key(dedup_id);
  std::string full_dedup = name_ + std::string(1, '\0') + dedup_id;
  Status s = env_.write([&](MDB_txn* txn) -> Status {
    MDB_val k = mdb_val(mkey), v = mdb_val(mval);
    int rc = mdb_put(txn, messages_, &k, &v, 0);
    if (rc == 0 && !dedup_id.empty()) {
      std::string rec = codec::make_record(full_dedup, encode_dedup(seq, now));
      MDB_val dk = mdb_val(dkey), dv = mdb_val(rec);
      rc = mdb_put(txn, dedup_, &dk, &dv, 0);
    }
    if (rc == 0) {
      // The persisted last sequence only grows (group commit may order sends either way).
      MDB_val nk = mdb_val(name_), nv;
      uint64_t last = 0;
      int g = mdb_get(txn, meta_, &nk, &nv);
      if (g == 0 && nv.mv_size == 8) codec::Reader(std::string_view(static_cast<const char*>(nv.mv_data), 8)).u64(&last);
      if (seq > last) {
        std::string enc;
        codec::put_u64(enc, seq);
        MDB_val ev = mdb_val(enc);
        rc = mdb_put(txn, meta_, &nk, &ev, 0);
      }
    }
    for (size_t i = 0; rc == 0 && i < expired.size(); ++i) {
      if (expired[i] == dedup_id) continue;  // just re-recorded above
      std::string ek = dedup_key(expired[i]);
      MDB_val k2 = mdb_val(ek);
      rc = mdb_del(txn, dedup_, &k2, nullptr);
      if (rc == MDB_NOTFOUND) rc = 0;
    }
    return rc == 0 ? Status::OK() : env_.error(rc, "enqueueing to " + name_);
  });
  {
    std::lock_guard lock(mu_);
    if (s.ok())
      core_.mark_ready(seq);
    else
      core_.discard(seq);
  }
  cv_.notify_all();
  if (!s.ok()) return s;
  return seq;
}

Result<std::vector<QueueMessage>> LocalQueue::receive(size_t max, std::chrono::milliseconds wait,
                                                      std::chrono::milliseconds visibility) {
  if (max == 0) return Status(Error::BadArguments, "receive: max must be at least 1");
  if (visibility.count() < 0) return Status(Error::BadArguments, "receive: negative visibility");
  auto deadline = std::chrono::steady_clock::now() + wait;
  std::unique_lock lock(mu_);
  for (;;) {
    if (interrupted_) return std::vector<QueueMessage>{};
    int64_t now = clock_.now_ms();
    auto out = core_.receive(max, now, visibility.count());
    if (!out.empty()) return out;
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return out;
    if (auto next = core_.next_expiry()) {
      auto until = std::chrono::milliseconds(std::max<int64_t>(1, *next - now));
      left = std::min<std::chrono::steady_clock::duration>(left, std::min(until, std::chrono::milliseconds(50)));
    }
    cv_.wait_for(lock, left);
  }
}

Status LocalQueue::ack(const std::vector<std::string>& receipts) {
  std::vector<uint64_t> seqs;
  {
    std::lock_guard lock(mu_);
    int64_t now = clock_.now_ms();
    for (const auto& r : receipts)
      if (auto seq = core_.ack(r, now)) seqs.push_back(*seq);
  }
  cv_.notify_all();
  if (seqs.empty()) return Status::OK();
  // Removed from memory first: if this write fails the messages stay on disk and come back
  // after a restart (at-least-once), never the other way round.
  return env_.write([&](MDB_txn* txn) -> Status {
    for (uint64_t seq : seqs) {
      std::string k = message_key(seq);
      MDB_val kv = mdb_val(k);
      int rc = mdb_del(txn, messages_, &kv, nullptr);
      if (rc != 0 && rc != MDB_NOTFOUND) return env_.error(rc, "acking in " + name_);
    }
    return Status::OK();
  });
}

Status LocalQueue::release(const std::string& receipt) {
  {
    std::lock_guard lock(mu_);
    core_.release(receipt, clock_.now_ms());
  }
  cv_.notify_all();
  return Status::OK();
}

void LocalQueue::interrupt() {
  {
    std::lock_guard lock(mu_);
    interrupted_ = true;
  }
  cv_.notify_all();
}

size_t LocalQueue::size() const {
  std::lock_guard lock(mu_);
  return core_.size();
}

}  // namespace faaskeeper
