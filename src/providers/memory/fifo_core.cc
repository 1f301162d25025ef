#include "providers/memory/fifo_core.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace faaskeeper {

namespace {

// Receipts read "<prefix hex>-<sequence>-<delivery counter>".
std::string make_receipt(uint64_t prefix, uint64_t seq, uint64_t counter) {
  char buf[80];
  int n = std::snprintf(buf, sizeof buf, "%016llx-%llu-%llu", static_cast<unsigned long long>(prefix),
                        static_cast<unsigned long long>(seq), static_cast<unsigned long long>(counter));
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<uint64_t> receipt_sequence(const std::string& receipt) {
  auto first = receipt.find('-');
  if (first == std::string::npos) return std::nullopt;
  auto second = receipt.find('-', first + 1);
  if (second == std::string::npos) return std::nullopt;
  uint64_t seq = 0;
  const char* b = receipt.data() + first + 1;
  const char* e = receipt.data() + second;
  auto [p, ec] = std::from_chars(b, e, seq);
  if (ec != std::errc() || p != e) return std::nullopt;
  return seq;
}

}  // namespace

FifoCore::FifoCore(int64_t dedup_window_ms, uint64_t receipt_prefix)
    : window_ms_(dedup_window_ms), receipt_prefix_(receipt_prefix) {}

std::vector<std::string> FifoCore::expire_dedup(int64_t now_ms) {
  std::vector<std::string> gone;
  while (!dedup_order_.empty() && dedup_order_.front().first + window_ms_ <= now_ms) {
    const auto& [sent, id] = dedup_order_.front();
    auto it = dedup_.find(id);
    // The id may have been re-sent later (a newer entry); only drop the entry this slot made.
    if (it != dedup_.end() && it->second.sent_ms == sent) {
      dedup_.erase(it);
      gone.push_back(id);
    }
    dedup_order_.pop_front();
  }
  return gone;
}

FifoCore::SendResult FifoCore::send(const std::string& group, const std::string& dedup_id,
                                    const std::string& body, int64_t now_ms, bool ready) {
  if (!dedup_id.empty()) {
    auto it = dedup_.find(dedup_id);
    if (it != dedup_.end() && now_ms < it->second.sent_ms + window_ms_)
      return {it->second.sequence, false};
  }
  uint64_t seq = ++last_seq_;
  records_[seq] = Record{group, dedup_id, body, 0, {}, 0, ready};
  groups_[group].pending.push_back(seq);
  if (!dedup_id.empty()) {
    dedup_[dedup_id] = DedupEntry{seq, now_ms};
    dedup_order_.emplace_back(now_ms, dedup_id);
  }
  return {seq, true};
}

bool FifoCore::settle(Group& g, int64_t now_ms) {
  for (auto it = g.in_flight.begin(); it != g.in_flight.end();) {
    Record& r = records_.at(*it);
    if (r.invisible_until > now_ms) return false;
    r.receipt.clear();
    it = g.in_flight.erase(it);
  }
  return true;
}

std::vector<QueueMessage> FifoCore::receive(size_t max, int64_t now_ms, int64_t visibility_ms) {
  std::vector<QueueMessage> out;
  if (max == 0) return out;
  // Deliverable groups, oldest head first.
  std::vector<std::pair<uint64_t, Group*>> ready;
  for (auto& [name, g] : groups_) {
    if (g.pending.empty() || !settle(g, now_ms) || !records_.at(g.pending.front()).ready) continue;
    ready.emplace_back(g.pending.front(), &g);
  }
  std::sort(ready.begin(), ready.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [head, g] : ready) {
    for (uint64_t seq : g->pending) {
      if (out.size() >= max) return out;
      Record& r = records_.at(seq);
      if (!r.ready) break;  // later messages wait for it
      r.deliveries += 1;
      r.receipt = make_receipt(receipt_prefix_, seq, ++receipt_counter_);
      r.invisible_until = now_ms + visibility_ms;
      g->in_flight.insert(seq);
      out.push_back(QueueMessage{r.group, r.dedup_id, r.body, seq, r.receipt, r.deliveries});
    }
  }
  return out;
}

FifoCore::Record* FifoCore::live(const std::string& receipt, int64_t now_ms, uint64_t* seq) {
  auto s = receipt_sequence(receipt);
  if (!s) return nullptr;
  auto it = records_.find(*s);
  if (it == records_.end()) return nullptr;
  Record& r = it->second;
  if (r.receipt.empty() || r.receipt != receipt || r.invisible_until <= now_ms) return nullptr;
  *seq = *s;
  return &r;
}

void FifoCore::erase_message(uint64_t seq) {
  auto it = records_.find(seq);
  if (it == records_.end()) return;
  auto git = groups_.find(it->second.group);
  if (git != groups_.end()) {
    Group& g = git->second;
    g.in_flight.erase(seq);
    auto pos = std::find(g.pending.begin(), g.pending.end(), seq);
    if (pos != g.pending.end()) g.pending.erase(pos);
    if (g.pending.empty()) groups_.erase(git);
  }
  records_.erase(it);
}

std::optional<uint64_t> FifoCore::ack(const std::string& receipt, int64_t now_ms) {
  uint64_t seq = 0;
  if (!live(receipt, now_ms, &seq)) return std::nullopt;
  erase_message(seq);
  return seq;
}

bool FifoCore::release(const std::string& receipt, int64_t now_ms) {
  uint64_t seq = 0;
  Record* r = live(receipt, now_ms, &seq);
  if (!r) return false;
  r->receipt.clear();
  r->invisible_until = 0;
  groups_.at(r->group).in_flight.erase(seq);
  return true;
}

void FifoCore::mark_ready(uint64_t sequence) {
  auto it = records_.find(sequence);
  if (it != records_.end()) it->second.ready = true;
}

bool FifoCore::is_ready(uint64_t sequence) const {
  auto it = records_.find(sequence);
  return it != records_.end() && it->second.ready;
}

bool FifoCore::is_known_duplicate(const std::string& dedup_id, uint64_t sequence) const {
  auto it = dedup_.find(dedup_id);
  return it != dedup_.end() && it->second.sequence == sequence;
}

void FifoCore::discard(uint64_t sequence) {
  auto it = records_.find(sequence);
  if (it == records_.end()) return;
  auto d = dedup_.find(it->second.dedup_id);
  if (d != dedup_.end() && d->second.sequence == sequence) dedup_.erase(d);
  erase_message(sequence);
}

std::optional<int64_t> FifoCore::next_expiry() const {
  std::optional<int64_t> best;
  for (const auto& [name, g] : groups_)
    for (uint64_t seq : g.in_flight) {
      int64_t t = records_.at(seq).invisible_until;
      if (!best || t < *best) best = t;
    }
  return best;
}

void FifoCore::restore_message(uint64_t sequence, const std::string& group,
                               const std::string& dedup_id, const std::string& body,
                               int deliveries) {
  records_[sequence] = Record{group, dedup_id, body, deliveries, {}, 0, true};
  auto& pending = groups_[group].pending;
  // Recovery may feed messages in any order; keep each group sorted by sequence.
  pending.insert(std::upper_bound(pending.begin(), pending.end(), sequence), sequence);
  last_seq_ = std::max(last_seq_, sequence);
}

void FifoCore::restore_dedup(const std::string& dedup_id, uint64_t sequence, int64_t sent_ms) {
  dedup_[dedup_id] = DedupEntry{sequence, sent_ms};
  auto pos = std::upper_bound(dedup_order_.begin(), dedup_order_.end(), sent_ms,
                              [](int64_t t, const auto& e) { return t < e.first; });
  dedup_order_.insert(pos, {sent_ms, dedup_id});
  last_seq_ = std::max(last_seq_, sequence);
}

void FifoCore::set_last_sequence(uint64_t last) { last_seq_ = std::max(last_seq_, last); }

}  // namespace faaskeeper
