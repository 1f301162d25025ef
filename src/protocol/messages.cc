#include "protocol/messages.h"

#include "core/bytes.h"

namespace faaskeeper {

namespace {

constexpr uint8_t kFormat = 1;

Status malformed(const char* what) {
  return Status(Error::MarshallingError, std::string("malformed ") + what);
}

void put_data(ByteWriter& w, const Data& d) { w.opt_str(d); }
Data get_data(ByteReader& r) { return r.opt_str(); }

void put_stat(ByteWriter& w, const Stat& s) {
  w.i64(s.czxid); w.i64(s.mzxid); w.i64(s.ctime); w.i64(s.mtime);
  w.i32(s.version); w.i32(s.cversion); w.i32(s.aversion); w.i64(s.ephemeral_owner);
  w.i32(s.data_length); w.i32(s.num_children); w.i64(s.pzxid);
}
Stat get_stat(ByteReader& r) {
  Stat s;
  s.czxid = r.i64(); s.mzxid = r.i64(); s.ctime = r.i64(); s.mtime = r.i64();
  s.version = r.i32(); s.cversion = r.i32(); s.aversion = r.i32(); s.ephemeral_owner = r.i64();
  s.data_length = r.i32(); s.num_children = r.i32(); s.pzxid = r.i64();
  return s;
}

// ---- operations ----
enum class OpTag : uint8_t { Create = 1, Delete, SetData, Check, Multi, Sync, Open, Close, Watch, Unwatch, Reap };

void put_multi_op(ByteWriter& w, const MultiOp& op);

void put_op(ByteWriter& w, const Operation& op) {
  std::visit([&](const auto& o) {
    using T = std::decay_t<decltype(o)>;
    if constexpr (std::is_same_v<T, CreateRequest> || std::is_same_v<T, DeleteRequest> ||
                  std::is_same_v<T, SetDataRequest>) {
      put_multi_op(w, o);
    } else if constexpr (std::is_same_v<T, MultiRequest>) {
      w.u8(static_cast<uint8_t>(OpTag::Multi));
      w.u32(static_cast<uint32_t>(o.ops.size()));
      for (const auto& m : o.ops) put_multi_op(w, m);
    } else if constexpr (std::is_same_v<T, SyncRequest>) {
      w.u8(static_cast<uint8_t>(OpTag::Sync));
      w.str(o.path);
    } else if constexpr (std::is_same_v<T, OpenSessionRequest>) {
      w.u8(static_cast<uint8_t>(OpTag::Open));
      w.i32(o.timeout_ms);
    } else if constexpr (std::is_same_v<T, RegisterWatchRequest>) {
      w.u8(static_cast<uint8_t>(OpTag::Watch));
      w.str(o.path); w.i32(static_cast<int32_t>(o.kind)); w.u8(o.expect_exists); w.i64(o.expect_zxid);
    } else if constexpr (std::is_same_v<T, RemoveWatchesRequest>) {
      w.u8(static_cast<uint8_t>(OpTag::Unwatch));
      w.str(o.path); w.i32(o.type);
    } else if constexpr (std::is_same_v<T, ReapRequest>) {
      w.u8(static_cast<uint8_t>(OpTag::Reap));
      w.str(o.path); w.i64(o.czxid); w.i64(o.mzxid); w.i64(o.pzxid);
    } else {
      static_assert(std::is_same_v<T, CloseSessionRequest>);
      w.u8(static_cast<uint8_t>(OpTag::Close));
      w.u8(o.expired ? 1 : 0);
    }
  }, op);
}

void put_multi_op(ByteWriter& w, const MultiOp& op) {
  std::visit([&](const auto& o) {
    using T = std::decay_t<decltype(o)>;
    if constexpr (std::is_same_v<T, CreateRequest>) {
      w.u8(static_cast<uint8_t>(OpTag::Create));
      w.str(o.path); put_data(w, o.data); w.i32(static_cast<int32_t>(o.mode)); w.i64(o.ttl_ms);
    } else if constexpr (std::is_same_v<T, DeleteRequest>) {
      w.u8(static_cast<uint8_t>(OpTag::Delete));
      w.str(o.path); w.i32(o.version);
    } else if constexpr (std::is_same_v<T, SetDataRequest>) {
      w.u8(static_cast<uint8_t>(OpTag::SetData));
      w.str(o.path); put_data(w, o.data); w.i32(o.version);
    } else {
      w.u8(static_cast<uint8_t>(OpTag::Check));
      w.str(o.path); w.i32(o.version);
    }
  }, op);
}

std::optional<MultiOp> get_multi_op(ByteReader& r, OpTag tag) {
  switch (tag) {
    case OpTag::Create: {
      CreateRequest c;
      c.path = r.str(); c.data = get_data(r);
      c.mode = static_cast<CreateMode>(r.i32());  // validated by the planner: BadArguments
      c.ttl_ms = r.i64();
      return c;
    }
    case OpTag::Delete: { DeleteRequest d; d.path = r.str(); d.version = r.i32(); return d; }
    case OpTag::SetData: { SetDataRequest s; s.path = r.str(); s.data = get_data(r); s.version = r.i32(); return s; }
    case OpTag::Check: { CheckRequest c; c.path = r.str(); c.version = r.i32(); return c; }
    default: return std::nullopt;
  }
}

std::optional<Operation> get_op(ByteReader& r) {
  auto tag = static_cast<OpTag>(r.u8());
  switch (tag) {
    case OpTag::Create: case OpTag::Delete: case OpTag::SetData: {
      auto m = get_multi_op(r, tag);
      if (!m) return std::nullopt;
      if (auto* c = std::get_if<CreateRequest>(&*m)) return Operation(std::move(*c));
      if (auto* d = std::get_if<DeleteRequest>(&*m)) return Operation(std::move(*d));
      return Operation(std::get<SetDataRequest>(std::move(*m)));
    }
    case OpTag::Multi: {
      MultiRequest m;
      uint32_t n = r.u32();
      if (n > r.remaining()) return std::nullopt;
      for (uint32_t i = 0; i < n && r.ok(); ++i) {
        auto sub = get_multi_op(r, static_cast<OpTag>(r.u8()));
        if (!sub) return std::nullopt;
        m.ops.push_back(std::move(*sub));
      }
      return m;
    }
    case OpTag::Sync: return SyncRequest{r.str()};
    case OpTag::Open: return OpenSessionRequest{r.i32()};
    case OpTag::Close: return CloseSessionRequest{r.boolean()};
    case OpTag::Watch: {
      RegisterWatchRequest w;
      w.path = r.str();
      int32_t kind = r.i32();
      if (kind < 0 || kind > 3) return std::nullopt;
      w.kind = static_cast<WatchKind>(kind);
      w.expect_exists = r.boolean();
      w.expect_zxid = r.i64();
      return w;
    }
    case OpTag::Unwatch: {
      RemoveWatchesRequest u;
      u.path = r.str();
      u.type = r.i32();
      return u;
    }
    case OpTag::Reap: {
      ReapRequest p;
      p.path = r.str(); p.czxid = r.i64(); p.mzxid = r.i64(); p.pzxid = r.i64();
      return p;
    }
    default: return std::nullopt;
  }
}

// ---- replies ----
void put_reply(ByteWriter& w, const Reply& rep) {
  w.u64(rep.seq); w.i32(static_cast<int32_t>(rep.err)); w.str(rep.message); w.i64(rep.txid);
  w.u32(static_cast<uint32_t>(rep.results.size()));
  for (const auto& res : rep.results) {
    w.i32(static_cast<int32_t>(res.err)); w.str(res.path); put_stat(w, res.stat);
  }
}
Reply get_reply(ByteReader& r) {
  Reply rep;
  rep.seq = r.u64(); rep.err = static_cast<Error>(r.i32()); rep.message = r.str(); rep.txid = r.i64();
  uint32_t n = r.u32();
  if (n > r.remaining()) { r.fail(); return rep; }
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    OpResult res;
    res.err = static_cast<Error>(r.i32()); res.path = r.str(); res.stat = get_stat(r);
    rep.results.push_back(std::move(res));
  }
  return rep;
}

enum class MsgTag : uint8_t { Reply = 1, Watch, Ping, Closed };

void put_meta(ByteWriter& w, const NodeMeta& m) {
  w.i64(m.czxid); w.i64(m.mzxid); w.i64(m.pzxid); w.i64(m.ctime); w.i64(m.mtime);
  w.i32(m.version); w.i32(m.child_counter); w.i32(m.aversion); w.i64(m.ephemeral_owner);
  w.i32(m.data_length); w.i32(m.num_children); w.i32(static_cast<int32_t>(m.mode)); w.i64(m.ttl_ms);
}
NodeMeta get_meta(ByteReader& r) {
  NodeMeta m;
  m.czxid = r.i64(); m.mzxid = r.i64(); m.pzxid = r.i64(); m.ctime = r.i64(); m.mtime = r.i64();
  m.version = r.i32(); m.child_counter = r.i32(); m.aversion = r.i32(); m.ephemeral_owner = r.i64();
  m.data_length = r.i32(); m.num_children = r.i32();
  int32_t mode = r.i32();
  if (!is_valid_create_mode(mode)) r.fail();
  m.mode = static_cast<CreateMode>(mode); m.ttl_ms = r.i64();
  return m;
}

bool header_ok(ByteReader& r) { return r.u8() == kFormat && r.ok(); }

}  // namespace

Stat NodeMeta::to_stat(int64_t txid) const {
  Stat s;
  s.czxid = resolve_txid(czxid, txid);
  s.mzxid = resolve_txid(mzxid, txid);
  s.pzxid = resolve_txid(pzxid, txid);
  s.ctime = ctime;
  s.mtime = mtime;
  s.version = version;
  // Java int arithmetic: wraps instead of overflowing (UB in C++).
  s.cversion = static_cast<int32_t>(2u * static_cast<uint32_t>(child_counter) - static_cast<uint32_t>(num_children));
  s.aversion = aversion;
  // Containers and TTL nodes show ephemeralOwner 0, as in ZooKeeper.
  s.ephemeral_owner = is_ephemeral(mode) ? ephemeral_owner : 0;
  s.data_length = data_length;
  s.num_children = num_children;
  return s;
}

std::string request_id(int64_t session_id, uint64_t seq) {
  return std::to_string(session_id) + ":" + std::to_string(seq);
}

std::string encode(const ClientRequest& req) {
  ByteWriter w;
  w.u8(kFormat); w.i64(req.session_id); w.u64(req.seq);
  put_op(w, req.op);
  return w.take();
}

Result<ClientRequest> decode_client_request(std::string_view bytes) {
  ByteReader r(bytes);
  if (!header_ok(r)) return malformed("client request (format)");
  ClientRequest req;
  req.session_id = r.i64(); req.seq = r.u64();
  auto op = get_op(r);
  if (!op || !r.ok() || !r.at_end()) return malformed("client request");
  req.op = std::move(*op);
  return req;
}

std::string encode(const ServerMessage& m) {
  ByteWriter w;
  w.u8(kFormat);
  std::visit([&](const auto& x) {
    using T = std::decay_t<decltype(x)>;
    if constexpr (std::is_same_v<T, Reply>) {
      w.u8(static_cast<uint8_t>(MsgTag::Reply)); put_reply(w, x);
    } else if constexpr (std::is_same_v<T, WatchNotification>) {
      w.u8(static_cast<uint8_t>(MsgTag::Watch)); w.i32(static_cast<int32_t>(x.type)); w.str(x.path); w.i64(x.txid);
    } else if constexpr (std::is_same_v<T, Ping>) {
      w.u8(static_cast<uint8_t>(MsgTag::Ping)); w.i64(x.now_ms);
    } else {
      w.u8(static_cast<uint8_t>(MsgTag::Closed)); w.u8(x.expired ? 1 : 0);
    }
  }, m);
  return w.take();
}

bool is_ping(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == kFormat &&
         static_cast<uint8_t>(bytes[1]) == static_cast<uint8_t>(MsgTag::Ping);
}

Result<ServerMessage> decode_server_message(std::string_view bytes) {
  ByteReader r(bytes);
  if (!header_ok(r)) return malformed("server message (format)");
  ServerMessage m;
  switch (static_cast<MsgTag>(r.u8())) {
    case MsgTag::Reply: m = get_reply(r); break;
    case MsgTag::Watch: {
      WatchNotification n;
      n.type = static_cast<EventType>(r.i32()); n.path = r.str(); n.txid = r.i64();
      m = n;
      break;
    }
    case MsgTag::Ping: m = Ping{r.i64()}; break;
    case MsgTag::Closed: m = SessionClosed{r.boolean()}; break;
    default: return malformed("server message (tag)");
  }
  if (!r.ok() || !r.at_end()) return malformed("server message");
  return m;
}

std::string encode(const DistributorMessage& m) {
  ByteWriter w;
  w.u8(kFormat);
  w.u32(static_cast<uint32_t>(m.clear_epochs.size()));
  for (const auto& [path, txid] : m.clear_epochs) { w.str(path); w.i64(txid); }
  w.i64(m.session_id); w.u64(m.seq); w.str(m.lock_owner);
  w.u32(static_cast<uint32_t>(m.writes.size()));
  for (const auto& nw : m.writes) {
    w.str(nw.path); w.u8(nw.deleted); w.u8(nw.created); put_meta(w, nw.meta);
    w.u8(nw.data_changed); put_data(w, nw.data); w.strs(nw.children_add); w.strs(nw.children_remove);
  }
  w.strs(m.unlock);
  w.strs(m.unlock_delete);
  const SessionWrite& s = m.session;
  w.u8(s.partial_close); w.u8(s.open); w.u8(s.close); w.u8(s.expired); w.i32(s.timeout_ms);
  for (const auto* list : {&m.ephemerals_add, &m.ephemerals_remove}) {
    w.u32(static_cast<uint32_t>(list->size()));
    for (const auto& e : *list) { w.i64(e.owner); w.str(e.path); }
  }
  w.u32(static_cast<uint32_t>(m.triggers.size()));
  for (const auto& t : m.triggers) { w.i32(static_cast<int32_t>(t.type)); w.str(t.path); }
  put_reply(w, m.reply);
  w.strs(m.reapables_add);
  w.strs(m.reapables_remove);
  return w.take();
}

Result<DistributorMessage> decode_distributor_message(std::string_view bytes) {
  ByteReader r(bytes);
  if (!header_ok(r)) return malformed("distributor message (format)");
  DistributorMessage m;
  uint32_t nc = r.u32();
  if (nc > r.remaining()) return malformed("distributor message (epochs)");
  for (uint32_t i = 0; i < nc && r.ok(); ++i) {
    std::string path = r.str();
    m.clear_epochs.emplace_back(std::move(path), r.i64());
  }
  m.session_id = r.i64(); m.seq = r.u64(); m.lock_owner = r.str();
  uint32_t n = r.u32();
  if (n > r.remaining()) return malformed("distributor message (writes)");
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    NodeWrite nw;
    nw.path = r.str(); nw.deleted = r.boolean(); nw.created = r.boolean(); nw.meta = get_meta(r);
    nw.data_changed = r.boolean(); nw.data = get_data(r); nw.children_add = r.strs(); nw.children_remove = r.strs();
    m.writes.push_back(std::move(nw));
  }
  m.unlock = r.strs();
  m.unlock_delete = r.strs();
  SessionWrite& s = m.session;
  s.partial_close = r.boolean(); s.open = r.boolean(); s.close = r.boolean(); s.expired = r.boolean(); s.timeout_ms = r.i32();
  for (auto* list : {&m.ephemerals_add, &m.ephemerals_remove}) {
    uint32_t ne = r.u32();
    if (ne > r.remaining()) return malformed("distributor message (ephemerals)");
    for (uint32_t i = 0; i < ne && r.ok(); ++i) {
      EphemeralEntry e;
      e.owner = r.i64(); e.path = r.str();
      list->push_back(std::move(e));
    }
  }
  uint32_t nt = r.u32();
  if (nt > r.remaining()) return malformed("distributor message (triggers)");
  for (uint32_t i = 0; i < nt && r.ok(); ++i) {
    WatchTrigger t;
    t.type = static_cast<EventType>(r.i32()); t.path = r.str();
    m.triggers.push_back(std::move(t));
  }
  m.reply = get_reply(r);
  m.reapables_add = r.strs();
  m.reapables_remove = r.strs();
  if (!r.ok() || !r.at_end()) return malformed("distributor message");
  return m;
}

std::string encode(const WatchBatch& b) {
  ByteWriter w;
  w.u8(kFormat); w.i64(b.txid);
  w.u32(static_cast<uint32_t>(b.notifications.size()));
  for (const auto& n : b.notifications) { w.i64(n.session_id); w.i32(static_cast<int32_t>(n.type)); w.str(n.path); }
  w.strs(b.stamped_paths);
  return w.take();
}

Result<WatchBatch> decode_watch_batch(std::string_view bytes) {
  ByteReader r(bytes);
  if (!header_ok(r)) return malformed("watch batch (format)");
  WatchBatch b;
  b.txid = r.i64();
  uint32_t n = r.u32();
  if (n > r.remaining()) return malformed("watch batch");
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    Notification x;
    x.session_id = r.i64(); x.type = static_cast<EventType>(r.i32()); x.path = r.str();
    b.notifications.push_back(std::move(x));
  }
  b.stamped_paths = r.strs();
  if (!r.ok() || !r.at_end()) return malformed("watch batch");
  return b;
}

}  // namespace faaskeeper
