#include "check/history_io.h"

#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace faaskeeper::check {

using nlohmann::json;

namespace {

constexpr int kFormatVersion = 1;

// ---- encoding -------------------------------------------------------------------------------

// nlohmann-json refuses to emit invalid UTF-8 (overlong forms and surrogates included); its own
// validation is the reference for which data can travel as a plain JSON string.
bool valid_utf8(const std::string& s) {
  try {
    (void)json(s).dump(-1, ' ', false, json::error_handler_t::strict);
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

json data_json(const Data& d) {
  if (!d) return nullptr;
  if (valid_utf8(*d)) return *d;
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : *d) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return json{{"hex", hex}};
}

const char* mode_name(CreateMode m) {
  switch (m) {
    case CreateMode::Persistent: return "persistent";
    case CreateMode::Ephemeral: return "ephemeral";
    case CreateMode::PersistentSequential: return "persistent_sequential";
    case CreateMode::EphemeralSequential: return "ephemeral_sequential";
    case CreateMode::Container: return "container";
    case CreateMode::PersistentWithTtl: return "persistent_ttl";
    case CreateMode::PersistentSequentialWithTtl: return "persistent_sequential_ttl";
  }
  return "persistent";
}

struct StatFieldName {
  uint32_t bit;
  const char* name;
};
constexpr StatFieldName kStatNames[] = {
    {kStatCzxid, "czxid"},       {kStatMzxid, "mzxid"},
    {kStatCtime, "ctime"},       {kStatMtime, "mtime"},
    {kStatVersion, "version"},   {kStatCversion, "cversion"},
    {kStatAversion, "aversion"}, {kStatEphemeralOwner, "ephemeralOwner"},
    {kStatDataLength, "dataLength"}, {kStatNumChildren, "numChildren"},
    {kStatPzxid, "pzxid"},
};

int64_t stat_get(const Stat& s, uint32_t bit) {
  switch (bit) {
    case kStatCzxid: return s.czxid;
    case kStatMzxid: return s.mzxid;
    case kStatCtime: return s.ctime;
    case kStatMtime: return s.mtime;
    case kStatVersion: return s.version;
    case kStatCversion: return s.cversion;
    case kStatAversion: return s.aversion;
    case kStatEphemeralOwner: return s.ephemeral_owner;
    case kStatDataLength: return s.data_length;
    case kStatNumChildren: return s.num_children;
    default: return s.pzxid;
  }
}

void stat_set(Stat& s, uint32_t bit, int64_t v) {
  switch (bit) {
    case kStatCzxid: s.czxid = v; break;
    case kStatMzxid: s.mzxid = v; break;
    case kStatCtime: s.ctime = v; break;
    case kStatMtime: s.mtime = v; break;
    case kStatVersion: s.version = static_cast<int32_t>(v); break;
    case kStatCversion: s.cversion = static_cast<int32_t>(v); break;
    case kStatAversion: s.aversion = static_cast<int32_t>(v); break;
    case kStatEphemeralOwner: s.ephemeral_owner = v; break;
    case kStatDataLength: s.data_length = static_cast<int32_t>(v); break;
    case kStatNumChildren: s.num_children = static_cast<int32_t>(v); break;
    default: s.pzxid = v; break;
  }
}

json stat_json(const ObservedStat& s) {
  json j = json::object();
  for (const auto& f : kStatNames)
    if (s.has(f.bit)) j[f.name] = stat_get(s.stat, f.bit);
  return j;
}

void request_fields(json& j, const Request& r) {
  j["op"] = op_type_name(r.type);
  if (r.type == OpType::Multi) {
    json ops = json::array();
    for (const auto& sub : r.ops) {
      json s = json::object();
      request_fields(s, sub);
      ops.push_back(std::move(s));
    }
    j["ops"] = std::move(ops);
    return;
  }
  j["path"] = r.path;
  switch (r.type) {
    case OpType::Create:
      j["data"] = data_json(r.data);
      j["mode"] = mode_name(r.mode);
      break;
    case OpType::SetData:
      j["data"] = data_json(r.data);
      j["version"] = r.version;
      break;
    case OpType::Delete:
    case OpType::Check:
      j["version"] = r.version;
      break;
    default:
      if (r.watch) j["watch"] = true;
      break;
  }
}

json outcome_json(const Outcome& o) {
  json j = json::object();
  switch (o.kind) {
    case OutcomeKind::Ok: j["status"] = "ok"; break;
    case OutcomeKind::Failed:
      j["status"] = "error";
      j["error"] = error_name(o.error);
      break;
    case OutcomeKind::Unknown: j["status"] = "unknown"; break;
  }
  if (!o.path.empty()) j["path"] = o.path;
  if (o.stat) j["stat"] = stat_json(*o.stat);
  if (o.data || o.kind == OutcomeKind::Ok) j["data"] = data_json(o.data);
  if (o.children) j["children"] = *o.children;
  if (!o.results.empty()) {
    json rs = json::array();
    for (const auto& r : o.results) {
      json x = {{"error", error_name(r.error)}};
      if (!r.path.empty()) x["path"] = r.path;
      if (r.stat) x["stat"] = stat_json(*r.stat);
      rs.push_back(std::move(x));
    }
    j["results"] = std::move(rs);
  }
  if (o.zxid >= 0) j["zxid"] = o.zxid;
  return j;
}

json invoke_json(const Operation& op, const char* type) {
  json j = {{"type", type}, {"id", op.id}, {"session", op.session}, {"seq", op.seq},
            {"invoke", op.invoke}};
  request_fields(j, op.request);
  return j;
}

// ---- decoding -------------------------------------------------------------------------------
// Decoders throw std::runtime_error with a message; parse_history turns it into a Status.

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

int64_t get_int(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) fail(std::string("missing integer \"") + key + "\"");
  return it->get<int64_t>();
}

int64_t get_int_or(const json& j, const char* key, int64_t dflt) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return dflt;
  if (!it->is_number_integer()) fail(std::string("\"") + key + "\" is not an integer");
  return it->get<int64_t>();
}

std::string get_string(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) fail(std::string("missing string \"") + key + "\"");
  return it->get<std::string>();
}

Data parse_data(const json& j) {
  if (j.is_null()) return std::nullopt;
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.contains("hex") && j["hex"].is_string()) {
    std::string hex = j["hex"].get<std::string>(), out;
    if (hex.size() % 2) fail("odd-length hex data");
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      fail("bad hex digit");
    };
    for (size_t i = 0; i < hex.size(); i += 2)
      out += static_cast<char>(nib(hex[i]) * 16 + nib(hex[i + 1]));
    return out;
  }
  fail("data must be a string, null or {\"hex\":...}");
}

Data data_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? std::nullopt : parse_data(*it);
}

Error parse_error(const json& j) {
  if (j.is_number_integer()) return static_cast<Error>(j.get<int32_t>());
  if (j.is_string()) {
    std::string name = j.get<std::string>();
    for (int32_t code = 0; code >= -200; --code)
      if (is_known_error(code) && error_name(static_cast<Error>(code)) == name)
        return static_cast<Error>(code);
    fail("unknown error name " + name);
  }
  fail("error must be a name or a number");
}

CreateMode parse_mode(const json& j) {
  if (j.is_number_integer()) {
    int32_t f = j.get<int32_t>();
    if (!is_valid_create_mode(f)) fail("bad create mode");
    return static_cast<CreateMode>(f);
  }
  std::string name = j.get<std::string>();
  for (int32_t f = 0; f <= 6; ++f)
    if (name == mode_name(static_cast<CreateMode>(f))) return static_cast<CreateMode>(f);
  fail("unknown create mode " + name);
}

EventType parse_event(const json& j) {
  if (j.is_number_integer()) return static_cast<EventType>(j.get<int32_t>());
  std::string name = j.get<std::string>();
  for (int32_t t = -1; t <= 7; ++t)
    if (t != 0 && event_type_name(static_cast<EventType>(t)) == name) return static_cast<EventType>(t);
  fail("unknown event type " + name);
}

ObservedStat parse_stat(const json& j) {
  if (!j.is_object()) fail("stat must be an object");
  ObservedStat s;
  s.fields = 0;
  for (const auto& f : kStatNames) {
    auto it = j.find(f.name);
    if (it == j.end() || it->is_null()) continue;
    if (!it->is_number_integer()) fail(std::string("stat field ") + f.name + " is not an integer");
    stat_set(s.stat, f.bit, it->get<int64_t>());
    s.fields |= f.bit;
  }
  return s;
}

Request parse_request(const json& j) {
  Request r;
  auto type = parse_op_type(get_string(j, "op"));
  if (!type) fail("unknown op " + get_string(j, "op"));
  r.type = *type;
  if (r.type == OpType::Multi) {
    auto it = j.find("ops");
    if (it == j.end() || !it->is_array()) fail("multi without \"ops\" array");
    for (const auto& sub : *it) r.ops.push_back(parse_request(sub));
    return r;
  }
  r.path = get_string(j, "path");
  r.data = data_field(j, "data");
  r.version = static_cast<int32_t>(get_int_or(j, "version", -1));
  if (auto it = j.find("mode"); it != j.end()) r.mode = parse_mode(*it);
  if (auto it = j.find("watch"); it != j.end()) r.watch = it->get<bool>();
  return r;
}

Outcome parse_outcome(const json& j) {
  Outcome o;
  std::string status = get_string(j, "status");
  if (status == "ok") o.kind = OutcomeKind::Ok;
  else if (status == "error") o.kind = OutcomeKind::Failed;
  else if (status == "unknown") o.kind = OutcomeKind::Unknown;
  else fail("unknown status " + status);
  if (auto it = j.find("error"); it != j.end()) o.error = parse_error(*it);
  if (o.kind == OutcomeKind::Failed && o.error == Error::Ok) fail("error status with code OK");
  if (auto it = j.find("path"); it != j.end()) o.path = it->get<std::string>();
  if (auto it = j.find("stat"); it != j.end() && !it->is_null()) o.stat = parse_stat(*it);
  o.data = data_field(j, "data");
  if (auto it = j.find("children"); it != j.end() && !it->is_null())
    o.children = it->get<std::vector<std::string>>();
  if (auto it = j.find("results"); it != j.end()) {
    for (const auto& x : *it) {
      SubResult r;
      if (auto e = x.find("error"); e != x.end()) r.error = parse_error(*e);
      if (auto p = x.find("path"); p != x.end()) r.path = p->get<std::string>();
      if (auto s = x.find("stat"); s != x.end() && !s->is_null()) r.stat = parse_stat(*s);
      o.results.push_back(std::move(r));
    }
  }
  o.zxid = get_int_or(j, "zxid", -1);
  return o;
}

Operation parse_invoke(const json& j) {
  Operation op;
  op.id = static_cast<uint64_t>(get_int(j, "id"));
  op.session = get_int(j, "session");
  op.seq = static_cast<uint64_t>(get_int(j, "seq"));
  op.invoke = get_int(j, "invoke");
  op.request = parse_request(j);
  return op;
}

// Accumulates one file's lines, joining invoke/complete and session_end/complete pairs.
struct FileParser {
  History h;
  std::map<uint64_t, size_t> op_at;   // op id -> index in h.ops
  std::map<uint64_t, size_t> end_at;  // session-end id -> index in h.session_ends

  void line(const json& j) {
    std::string type = get_string(j, "type");
    if (type == "header") {
      if (get_string(j, "format") != "fk-history") fail("not an fk-history file");
      if (get_int(j, "version") > kFormatVersion) fail("unsupported format version");
    } else if (type == "initial") {
      InitialNode n;
      n.path = get_string(j, "path");
      n.data = data_field(j, "data");
      if (auto it = j.find("stat"); it != j.end()) n.stat = parse_stat(*it);
      else n.stat.fields = 0;
      if (auto it = j.find("owner"); it != j.end() && !it->is_null()) n.owner = it->get<int64_t>();
      h.initial.push_back(std::move(n));
    } else if (type == "op" || type == "invoke") {
      Operation op = parse_invoke(j);
      if (op_at.count(op.id)) fail("duplicate op id " + std::to_string(op.id));
      if (type == "op") {
        op.complete = get_int_or(j, "complete", kNever);
        op.outcome = parse_outcome(j.at("result"));
      }
      op_at[op.id] = h.ops.size();
      h.ops.push_back(std::move(op));
    } else if (type == "complete") {
      uint64_t id = static_cast<uint64_t>(get_int(j, "id"));
      auto it = op_at.find(id);
      if (it == op_at.end()) fail("complete for unknown op id " + std::to_string(id));
      Operation& op = h.ops[it->second];
      op.outcome = parse_outcome(j.at("result"));
      op.complete = op.outcome.kind == OutcomeKind::Unknown ? kNever : get_int(j, "complete");
    } else if (type == "watch") {
      WatchNotification n;
      n.session = get_int(j, "session");
      n.path = get_string(j, "path");
      n.type = parse_event(j.at("event"));
      n.zxid = get_int_or(j, "zxid", -1);
      n.time = get_int(j, "time");
      h.notifications.push_back(std::move(n));
    } else if (type == "session_end") {
      SessionEnd e;
      e.session = get_int(j, "session");
      e.invoke = get_int(j, "invoke");
      e.complete = get_int_or(j, "complete", kNever);
      end_at[static_cast<uint64_t>(get_int_or(j, "id", -1 - static_cast<int64_t>(end_at.size())))] =
          h.session_ends.size();
      h.session_ends.push_back(e);
    } else if (type == "session_end_complete") {
      auto it = end_at.find(static_cast<uint64_t>(get_int(j, "id")));
      if (it == end_at.end()) fail("session_end_complete for unknown id");
      h.session_ends[it->second].complete = get_int(j, "complete");
    } else {
      fail("unknown line type " + type);
    }
  }
};

}  // namespace

// ---- public encoders ------------------------------------------------------------------------

std::string encode_header_line() {
  return json{{"type", "header"}, {"format", "fk-history"}, {"version", kFormatVersion}}.dump();
}

std::string encode_initial_line(const InitialNode& n) {
  json j = {{"type", "initial"}, {"path", n.path}, {"data", data_json(n.data)},
            {"stat", stat_json(n.stat)}};
  if (n.owner) j["owner"] = *n.owner;
  return j.dump();
}

std::string encode_invoke_line(const Operation& op) { return invoke_json(op, "invoke").dump(); }

std::string encode_op_line(const Operation& op) {
  json j = invoke_json(op, "op");
  if (op.complete != kNever) j["complete"] = op.complete;
  j["result"] = outcome_json(op.outcome);
  return j.dump();
}

std::string encode_complete_line(uint64_t id, Nanos complete, const Outcome& outcome) {
  json j = {{"type", "complete"}, {"id", id}};
  if (complete != kNever) j["complete"] = complete;
  j["result"] = outcome_json(outcome);
  return j.dump();
}

std::string encode_notification_line(const WatchNotification& n) {
  json j = {{"type", "watch"},   {"session", n.session}, {"path", n.path},
            {"event", event_type_name(n.type)}, {"zxid", n.zxid}, {"time", n.time}};
  return j.dump();
}

std::string encode_session_end_line(uint64_t id, const SessionEnd& e) {
  json j = {{"type", "session_end"}, {"id", id}, {"session", e.session}, {"invoke", e.invoke}};
  if (e.complete != kNever) j["complete"] = e.complete;
  return j.dump();
}

std::string encode_session_end_complete_line(uint64_t id, Nanos complete) {
  return json{{"type", "session_end_complete"}, {"id", id}, {"complete", complete}}.dump();
}

// ---- whole histories ------------------------------------------------------------------------

std::string write_history(const History& h) {
  std::string out = encode_header_line() + "\n";
  for (const auto& n : h.initial) out += encode_initial_line(n) + "\n";
  for (const auto& op : h.ops) out += encode_op_line(op) + "\n";
  for (const auto& n : h.notifications) out += encode_notification_line(n) + "\n";
  for (size_t i = 0; i < h.session_ends.size(); ++i)
    out += encode_session_end_line(i, h.session_ends[i]) + "\n";
  return out;
}

Status save_history(const History& h, const std::string& path) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return Status(Error::SystemError, "cannot open " + path + " for writing");
  f << write_history(h);
  f.flush();
  if (!f) return Status(Error::SystemError, "write to " + path + " failed");
  return Status::OK();
}

Result<History> parse_history(std::string_view text) {
  FileParser p;
  size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    bool last = end == std::string_view::npos;
    std::string_view line = text.substr(pos, last ? std::string_view::npos : end - pos);
    pos = last ? text.size() : end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      if (last) break;  // a line cut short by a crash of the writer
      return Status(Error::MarshallingError, "line " + std::to_string(line_no) + ": invalid JSON");
    }
    try {
      p.line(j);
    } catch (const std::exception& e) {
      return Status(Error::MarshallingError, "line " + std::to_string(line_no) + ": " + e.what());
    }
  }
  return std::move(p.h);
}

Result<History> load_history(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status(Error::NoNode, "cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  auto h = parse_history(ss.str());
  if (!h.ok()) return Status(h.code(), path + ": " + h.status().message());
  return h;
}

Result<History> load_histories(const std::vector<std::string>& paths) {
  if (paths.size() == 1) return load_history(paths[0]);
  History all;
  uint64_t next_id = 0;
  for (const auto& p : paths) {
    auto h = load_history(p);
    if (!h.ok()) return h.status();
    for (auto& n : h->initial) all.initial.push_back(std::move(n));
    for (auto& op : h->ops) {
      op.id = next_id++;
      all.ops.push_back(std::move(op));
    }
    for (auto& n : h->notifications) all.notifications.push_back(std::move(n));
    for (auto& e : h->session_ends) all.session_ends.push_back(e);
  }
  return all;
}

}  // namespace faaskeeper::check
