// Test helpers: terse construction of hand-made histories.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "check/checker.h"
#include "check/history.h"

namespace faaskeeper::check::testing {

// ---- requests -------------------------------------------------------------------------------
inline Request create(std::string path, Data data, CreateMode mode = CreateMode::Persistent) {
  Request r;
  r.type = OpType::Create;
  r.path = std::move(path);
  r.data = std::move(data);
  r.mode = mode;
  return r;
}
inline Request del(std::string path, int32_t version = -1) {
  Request r;
  r.type = OpType::Delete;
  r.path = std::move(path);
  r.version = version;
  return r;
}
inline Request set(std::string path, Data data, int32_t version = -1) {
  Request r;
  r.type = OpType::SetData;
  r.path = std::move(path);
  r.data = std::move(data);
  r.version = version;
  return r;
}
inline Request check_version(std::string path, int32_t version) {
  Request r;
  r.type = OpType::Check;
  r.path = std::move(path);
  r.version = version;
  return r;
}
inline Request read(OpType type, std::string path, bool watch = false) {
  Request r;
  r.type = type;
  r.path = std::move(path);
  r.watch = watch;
  return r;
}
inline Request get(std::string path, bool watch = false) { return read(OpType::GetData, std::move(path), watch); }
inline Request exists(std::string path, bool watch = false) { return read(OpType::Exists, std::move(path), watch); }
inline Request children(std::string path, bool watch = false) {
  return read(OpType::GetChildren, std::move(path), watch);
}
inline Request multi(std::vector<Request> ops) {
  Request r;
  r.type = OpType::Multi;
  r.ops = std::move(ops);
  return r;
}

// ---- stats ----------------------------------------------------------------------------------
// A stat reporting only version and mzxid (what many clients check).
inline ObservedStat vm(int32_t version, int64_t mzxid) {
  Stat s;
  s.version = version;
  s.mzxid = mzxid;
  return ObservedStat(s, kStatVersion | kStatMzxid);
}
// A full stat for a node without children.
inline ObservedStat leaf(int32_t version, int64_t czxid, int64_t mzxid, int32_t data_length,
                         int64_t ephemeral_owner = 0) {
  Stat s;
  s.version = version;
  s.czxid = czxid;
  s.mzxid = mzxid;
  s.pzxid = czxid;
  s.data_length = data_length;
  s.ephemeral_owner = ephemeral_owner;
  return ObservedStat(s, kStatAll);
}
// A stat about children: numChildren, cversion, pzxid.
inline ObservedStat kids(int32_t num_children, int32_t cversion, int64_t pzxid) {
  Stat s;
  s.num_children = num_children;
  s.cversion = cversion;
  s.pzxid = pzxid;
  return ObservedStat(s, kStatNumChildren | kStatCversion | kStatPzxid);
}

// ---- outcomes -------------------------------------------------------------------------------
inline Outcome ok() { return Outcome::ok(); }
inline Outcome fail(Error e) { return Outcome::failed(e); }
inline Outcome unknown() { return Outcome::unknown(); }
inline Outcome ok_stat(ObservedStat s) {
  Outcome o = Outcome::ok();
  o.stat = s;
  return o;
}
inline Outcome ok_data(Data d, ObservedStat s) {
  Outcome o = ok_stat(s);
  o.data = std::move(d);
  return o;
}
inline Outcome ok_created(std::string path, std::optional<ObservedStat> s = std::nullopt) {
  Outcome o = Outcome::ok();
  o.path = std::move(path);
  o.stat = s;
  return o;
}
inline Outcome ok_children(std::vector<std::string> names, std::optional<ObservedStat> s = std::nullopt) {
  Outcome o = Outcome::ok();
  o.children = std::move(names);
  o.stat = s;
  return o;
}

// ---- histories ------------------------------------------------------------------------------
class HistoryBuilder {
 public:
  // Declares an initial node without children with all zxids = zxid.
  HistoryBuilder& node(std::string path, Data data, int32_t version = 0, int64_t zxid = 1,
                       int32_t num_children = 0, int32_t cversion = 0) {
    InitialNode n;
    n.path = std::move(path);
    n.data = std::move(data);
    n.stat.stat.version = version;
    n.stat.stat.czxid = n.stat.stat.mzxid = n.stat.stat.pzxid = zxid;
    n.stat.stat.num_children = num_children;
    n.stat.stat.cversion = cversion;
    n.stat.stat.data_length = n.data ? static_cast<int32_t>(n.data->size()) : 0;
    n.stat.fields = kStatAll;
    h.initial.push_back(std::move(n));
    return *this;
  }

  // Adds an operation; seq numbers follow the order of calls per session. complete is ignored
  // (kNever) for Unknown outcomes. Returns the op id.
  uint64_t op(int64_t session, Nanos invoke, Nanos complete, Request r, Outcome o) {
    Operation op;
    op.id = h.ops.size();
    op.session = session;
    op.seq = seq_[session]++;
    op.invoke = invoke;
    op.complete = o.kind == OutcomeKind::Unknown ? kNever : complete;
    op.request = std::move(r);
    op.outcome = std::move(o);
    h.ops.push_back(std::move(op));
    return h.ops.back().id;
  }

  void notify(int64_t session, std::string path, EventType type, int64_t zxid, Nanos time) {
    h.notifications.push_back(WatchNotification{session, std::move(path), type, zxid, time});
  }
  void end_session(int64_t session, Nanos invoke, Nanos complete) {
    h.session_ends.push_back(SessionEnd{session, invoke, complete});
  }

  History h;

 private:
  std::map<int64_t, uint64_t> seq_;
};

inline CheckOptions zk_reads() {
  CheckOptions o;
  o.linearizable_reads = false;
  return o;
}

}  // namespace faaskeeper::check::testing
