#include "functions/schema.h"

namespace faaskeeper::schema {

std::string node_key(const std::string& path) { return "n:" + path; }
std::string session_key(int64_t session_id) { return kSessionPrefix + std::to_string(session_id); }
std::string watch_key(const std::string& path) { return "w:" + path; }
std::string reap_key(const std::string& path) { return kReapPrefix + path; }
std::string ephemeral_prefix(int64_t owner) { return "e:" + std::to_string(owner) + ":"; }
std::string ephemeral_key(int64_t owner, const std::string& path) {
  return ephemeral_prefix(owner) + path;
}

namespace {
// Node metadata attribute names, in NodeMeta field order.
const char* kCz = attr::kCreated.c_str(); const char* kMz = attr::kModified.c_str(); const char* kPz = attr::kChildZxid.c_str(); const char* kCt = "ct";
const char* kMt = "mt"; const char* kVer = "ve"; const char* kCc = "cc"; const char* kAv = "av";
const char* kEo = "eo"; const char* kDl = "dl"; const char* kNc = "nc"; const char* kMd = "md";
const char* kTl = "tl";

int64_t num(const Item& item, const char* a) { return get_int(item, a).value_or(0); }
}  // namespace

std::optional<NodeState> parse_node(const std::optional<Item>& item) {
  if (!item || !get_int(*item, kCz)) return std::nullopt;
  NodeState n;
  NodeMeta& m = n.meta;
  m.czxid = num(*item, kCz); m.mzxid = num(*item, kMz); m.pzxid = num(*item, kPz);
  m.ctime = num(*item, kCt); m.mtime = num(*item, kMt);
  m.version = static_cast<int32_t>(num(*item, kVer));
  m.child_counter = static_cast<int32_t>(num(*item, kCc));
  m.aversion = static_cast<int32_t>(num(*item, kAv));
  m.ephemeral_owner = num(*item, kEo);
  m.data_length = static_cast<int32_t>(num(*item, kDl));
  m.num_children = static_cast<int32_t>(num(*item, kNc));
  int64_t mode = num(*item, kMd);
  m.mode = is_valid_create_mode(static_cast<int32_t>(mode)) ? static_cast<CreateMode>(mode)
                                                             : CreateMode::Persistent;
  m.ttl_ms = get_int(*item, kTl).value_or(-1);
  n.children = get_set(*item, attr::kChildren);
  return n;
}

std::vector<Action> meta_actions(const NodeMeta& m) {
  return {
      Action::set(kCz, m.czxid), Action::set(kMz, m.mzxid), Action::set(kPz, m.pzxid),
      Action::set(kCt, m.ctime), Action::set(kMt, m.mtime),
      Action::set(kVer, int64_t{m.version}), Action::set(kCc, int64_t{m.child_counter}),
      Action::set(kAv, int64_t{m.aversion}), Action::set(kEo, m.ephemeral_owner),
      Action::set(kDl, int64_t{m.data_length}), Action::set(kNc, int64_t{m.num_children}),
      Action::set(kMd, int64_t{static_cast<int32_t>(m.mode)}), Action::set(kTl, m.ttl_ms),
  };
}

std::optional<SessionRecord> parse_session(const std::optional<Item>& item) {
  if (!item || !get_int(*item, attr::kState)) return std::nullopt;
  SessionRecord s;
  s.state = static_cast<SessionState>(*get_int(*item, attr::kState));
  s.timeout_ms = static_cast<int32_t>(get_int(*item, attr::kTimeout).value_or(0));
  s.applied_seq = static_cast<uint64_t>(get_int(*item, attr::kAppliedSeq).value_or(0));
  s.applied_txid = get_int(*item, attr::kAppliedTxid).value_or(0);
  s.decided_seq = static_cast<uint64_t>(get_int(*item, attr::kDecidedSeq).value_or(0));
  s.decided_err = static_cast<Error>(get_int(*item, attr::kDecidedErr).value_or(0));
  s.decided_msg = get_bytes(*item, attr::kDecidedMsg).value_or("");
  s.alive_ms = get_int(*item, attr::kAlive).value_or(0);
  s.expired = get_int(*item, attr::kExpired).value_or(0) != 0;
  return s;
}

std::string format_watch_entry(const WatchEntry& e) {
  std::string s = std::to_string(e.session) + ":" + std::to_string(e.seq) + "@" + std::to_string(e.armed_after);
  if (!e.path.empty()) s += "|" + e.path;
  return s;
}

std::optional<WatchEntry> parse_watch_entry(const std::string& s) {
  WatchEntry e;
  size_t colon = s.find(':'), at = s.find('@'), bar = s.find('|');
  if (colon == std::string::npos || at == std::string::npos || at < colon) return std::nullopt;
  try {
    e.session = std::stoll(s.substr(0, colon));
    e.seq = std::stoull(s.substr(colon + 1, at - colon - 1));
    e.armed_after = std::stoll(s.substr(at + 1, bar == std::string::npos ? std::string::npos : bar - at - 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (bar != std::string::npos) e.path = s.substr(bar + 1);
  return e;
}

}  // namespace faaskeeper::schema
