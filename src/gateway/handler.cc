#include "gateway/handler.h"

#include <algorithm>
#include <type_traits>
#include <utility>

namespace faaskeeper::gateway {

namespace {

using namespace faaskeeper::zk;

constexpr int32_t kReconfigDisabled = -123;  // ZooKeeper RECONFIGDISABLED (not in faaskeeper::Error)

int32_t code(const Status& s) { return static_cast<int32_t>(s.code()); }

template <class T>
int32_t code(const Result<T>& r) {
  return r.ok() ? 0 : static_cast<int32_t>(r.status().code());
}

// Errors after which a write may or may not have taken effect.
bool outcome_unknown(Error e) {
  return e == Error::ConnectionLoss || e == Error::OperationTimeout || e == Error::RequestTimeout ||
         e == Error::SystemError;
}

std::string parent_of(const std::string& path) {
  auto i = path.rfind('/');
  return i == 0 || i == std::string::npos ? "/" : path.substr(0, i);
}

std::string child_path(const std::string& parent, const std::string& name) {
  return parent == "/" ? "/" + name : parent + "/" + name;
}

// ZooKeeper's getEphemerals: a prefix that is null, blank or "/" after Java's trim() (which
// strips every char <= ' ') selects all of the session's ephemerals; otherwise a plain
// string-prefix match on the untrimmed prefix ("/a" matches "/a" and "/ab/x").
bool selects_all(const std::string& prefix) {
  auto b = std::find_if(prefix.begin(), prefix.end(), [](unsigned char c) { return c > ' '; });
  auto e = std::find_if(prefix.rbegin(), prefix.rend(), [](unsigned char c) { return c > ' '; }).base();
  return b >= e || std::string(b, e) == "/";
}

faaskeeper::CreateRequest to_create(const zk::CreateRequest& r) {
  return faaskeeper::CreateRequest{r.path, r.data, static_cast<CreateMode>(r.flags), -1};
}

}  // namespace

SessionHandler::SessionHandler(std::unique_ptr<Client> client, Send send)
    : client_(std::move(client)), send_(std::move(send)) {}

SessionHandler::~SessionHandler() {
  // Close first: the client's event thread may still call watchers that use send_ and mu_.
  if (client_) client_->close();
  client_.reset();
}

int64_t SessionHandler::zxid() const { return client_->last_txid(); }

void SessionHandler::send(std::string frame) {
  std::lock_guard<std::mutex> lock(send_mu_);
  if (send_) send_(std::move(frame));
}

void SessionHandler::detach() {
  {
    std::lock_guard<std::mutex> lock(send_mu_);
    send_ = nullptr;
  }
  std::lock_guard<std::mutex> lock(mu_);
  data_armed_.clear();
  child_armed_.clear();
}

void SessionHandler::attach(Send send) {
  std::lock_guard<std::mutex> lock(send_mu_);
  send_ = std::move(send);
}

uint64_t SessionHandler::arm(Kind kind, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& table = kind == kData ? data_armed_ : child_armed_;
  auto [it, inserted] = table.emplace(path, next_gen_);
  if (!inserted) return 0;
  return next_gen_++;
}

void SessionHandler::disarm(Kind kind, const std::string& path, uint64_t gen) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& table = kind == kData ? data_armed_ : child_armed_;
  auto it = table.find(path);
  if (it != table.end() && it->second == gen) table.erase(it);
}

void SessionHandler::notify(const WatchedEvent& ev, Kind kind, uint64_t gen) {
  if (gen != 0) {  // one-shot
    std::lock_guard<std::mutex> lock(mu_);
    auto& table = kind == kData ? data_armed_ : child_armed_;
    auto it = table.find(ev.path);
    if (it == table.end() || it->second != gen) return;  // consumed, or a stale arming
    table.erase(it);
    // NodeDeleted fires data and child watches of a path as one ZooKeeper notification.
    if (ev.type == EventType::NodeDeleted) (kind == kData ? child_armed_ : data_armed_).erase(ev.path);
  }
  send(encode_notification(ev.zxid, WatcherEvent{static_cast<int32_t>(ev.type), 3, ev.path}));
}

Watcher SessionHandler::one_shot(Kind kind, uint64_t gen) {
  return [this, kind, gen](const WatchedEvent& ev) {
    if (ev.type == EventType::None) return;
    notify(ev, kind, gen);
  };
}

Watcher SessionHandler::persistent() {
  return [this](const WatchedEvent& ev) {
    if (ev.type == EventType::None) return;
    notify(ev, kData, 0);
  };
}

void SessionHandler::set_watches(int64_t rel, const std::vector<std::string>& data,
                                 const std::vector<std::string>& exist, const std::vector<std::string>& child) {
  // Fires (kind, path) now: consumes the arming `gen` (0: no table entry to consume).
  auto fire = [&](Kind kind, const std::string& path, uint64_t gen, EventType type) {
    if (gen != 0) {
      std::lock_guard<std::mutex> lock(mu_);
      auto& table = kind == kData ? data_armed_ : child_armed_;
      auto it = table.find(path);
      if (it == table.end() || it->second != gen) return;  // its own watch fired meanwhile
      table.erase(it);
    }
    send(encode_notification(zxid(), WatcherEvent{static_cast<int32_t>(type), 3, path}));
  };
  // Data watches: NodeDeleted if the node is gone, NodeDataChanged if modified after rel.
  for (const auto& path : data) {
    uint64_t gen = arm(kData, path);
    auto d = gen ? client_->get(path, one_shot(kData, gen)) : client_->get(path);
    if (!d.ok()) {
      if (d.status().code() == Error::NoNode) fire(kData, path, gen, EventType::NodeDeleted);
      else if (gen) disarm(kData, path, gen);
    } else if (d->stat.mzxid > rel) {
      fire(kData, path, gen, EventType::NodeDataChanged);
    }
  }
  // Exist watches (node absent when armed): NodeCreated if it exists now.
  for (const auto& path : exist) {
    uint64_t gen = arm(kData, path);
    auto s = gen ? client_->exists(path, one_shot(kData, gen)) : client_->exists(path);
    if (!s.ok()) {
      if (gen) disarm(kData, path, gen);
    } else if (s->has_value()) {
      fire(kData, path, gen, EventType::NodeCreated);
    }
  }
  // Child watches: NodeDeleted if the node is gone, NodeChildrenChanged if its children
  // changed after rel.
  for (const auto& path : child) {
    uint64_t gen = arm(kChild, path);
    auto c = gen ? client_->get_children(path, one_shot(kChild, gen)) : client_->get_children(path);
    if (!c.ok()) {
      if (c.status().code() == Error::NoNode) fire(kChild, path, gen, EventType::NodeDeleted);
      else if (gen) disarm(kChild, path, gen);
    } else if (c->stat.pzxid > rel) {
      fire(kChild, path, gen, EventType::NodeChildrenChanged);
    }
  }
}

void SessionHandler::note_create(const std::string& path, CreateMode mode, const Status& outcome,
                                 const std::string& created) {
  if (!is_ephemeral(mode)) return;
  std::lock_guard<std::mutex> lock(eph_mu_);
  if (outcome.ok()) {
    eph_candidates_.insert(created);
  } else if (outcome_unknown(outcome.code())) {
    (is_sequential(mode) ? eph_uncertain_seq_ : eph_uncertain_).insert(path);
  }
}

std::vector<std::string> SessionHandler::ephemerals(const std::string& prefix) {
  const bool all = selects_all(prefix);
  auto selected = [&](const std::string& p) { return all || p.compare(0, prefix.size(), prefix) == 0; };
  std::set<std::string> places;
  std::set<std::string> seqs;
  {
    std::lock_guard<std::mutex> lock(eph_mu_);
    for (const auto* set : {&eph_candidates_, &eph_uncertain_})
      for (const auto& p : *set)
        if (selected(p)) places.insert(p);
    seqs = eph_uncertain_seq_;
  }
  // A sequential create with an unknown outcome made, if anything, parent/<name><10 digits>.
  for (const auto& requested : seqs) {
    const std::string parent = parent_of(requested);
    const std::string stem = requested.substr(parent == "/" ? 1 : parent.size() + 1);
    auto c = client_->get_children(parent);
    if (!c.ok()) continue;
    for (const auto& name : c->names) {
      if (name.size() != stem.size() + 10 || name.compare(0, stem.size(), stem) != 0) continue;
      if (!std::all_of(name.begin() + stem.size(), name.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
        continue;
      if (std::string p = child_path(parent, name); selected(p)) places.insert(p);
    }
  }
  const int64_t self = client_->session_id();
  std::vector<std::string> mine, gone;
  for (const auto& p : places) {
    auto s = client_->exists(p);
    if (!s.ok()) continue;  // cannot tell now: keep it for the next call
    if (s->has_value() && (*s)->ephemeral_owner == self) mine.push_back(p);
    else gone.push_back(p);
  }
  std::lock_guard<std::mutex> lock(eph_mu_);
  for (const auto& p : gone) eph_candidates_.erase(p);  // deleted (or never ours): forget it
  return mine;
}

Result<int32_t> SessionHandler::count_descendants(const std::string& path) {
  auto top = client_->get_children(path);
  if (!top.ok()) {
    // ZooKeeper looks the path up in its node map: a malformed path is just absent.
    if (top.status().code() == Error::BadArguments) return Status(Error::NoNode, path);
    return top.status();
  }
  int32_t count = 0;
  std::vector<std::pair<std::string, std::vector<std::string>>> stack{{path, top->names}};
  while (!stack.empty()) {
    auto [parent, names] = std::move(stack.back());
    stack.pop_back();
    for (const auto& name : names) {
      ++count;
      std::string p = child_path(parent, name);
      auto c = client_->get_children(p);
      if (c.ok()) {
        if (!c->names.empty()) stack.emplace_back(std::move(p), std::move(c->names));
      } else if (c.status().code() != Error::NoNode) {  // NoNode: deleted meanwhile
        return c.status();
      }
    }
  }
  return count;
}

bool SessionHandler::handle(std::string_view payload) {
  auto env = split_request(payload);
  if (!env.ok()) return false;  // shorter than a header: ZooKeeper closes
  const int32_t xid = env->header.xid;
  auto reply_err = [&](int32_t err) { send(encode_reply(ReplyHeader{xid, zxid(), err})); };
  auto req = decode_request(env->header, env->body);
  if (!req.ok()) {
    reply_err(code(req.status()));  // -6 unknown opcode, -5 malformed body; connection kept
    return true;
  }

  bool keep = true;
  std::visit(
      [&](auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, PingRequest>) {
          send(encode_reply(ReplyHeader{kPingXid, zxid(), 0}));
        } else if constexpr (std::is_same_v<T, zk::CreateRequest> || std::is_same_v<T, Create2Request> ||
                             std::is_same_v<T, CreateContainerRequest>) {
          auto c = client_->create(r.path, r.data, static_cast<CreateMode>(r.flags));
          note_create(r.path, static_cast<CreateMode>(r.flags), c.ok() ? Status() : c.status(),
                      c.ok() ? c->path : "");
          ReplyHeader h{xid, zxid(), code(c)};
          if constexpr (std::is_same_v<T, zk::CreateRequest>) {
            send(encode_reply(h, CreateResponse{c.ok() ? c->path : ""}));
          } else {
            send(encode_reply(h, Create2Response{c.ok() ? c->path : "", c.ok() ? c->stat : Stat{}}));
          }
        } else if constexpr (std::is_same_v<T, CreateTTLRequest>) {
          auto c = client_->create(r.path, r.data, static_cast<CreateMode>(r.flags), r.ttl);
          send(encode_reply(ReplyHeader{xid, zxid(), code(c)},
                             Create2Response{c.ok() ? c->path : "", c.ok() ? c->stat : Stat{}}));
        } else if constexpr (std::is_same_v<T, zk::DeleteRequest>) {
          auto s = client_->remove(r.path, r.version);
          reply_err(code(s));
        } else if constexpr (std::is_same_v<T, zk::SetDataRequest>) {
          auto s = client_->set(r.path, r.data, r.version);
          send(encode_reply(ReplyHeader{xid, zxid(), code(s)}, SetDataResponse{s.ok() ? *s : Stat{}}));
        } else if constexpr (std::is_same_v<T, ExistsRequest>) {
          Result<std::optional<Stat>> s = Status(Error::SystemError, "");
          // A path this session already watches is read without a new client watch
          // (ZooKeeper keeps one watch per path and kind).
          if (uint64_t gen = r.watch ? arm(kData, r.path) : 0) {
            s = client_->exists(r.path, one_shot(kData, gen));
            if (!s.ok()) disarm(kData, r.path, gen);
          } else {
            s = client_->exists(r.path);
          }
          int32_t err = code(s);
          if (err == 0 && !s->has_value()) err = static_cast<int32_t>(Error::NoNode);
          send(encode_reply(ReplyHeader{xid, zxid(), err}, ExistsResponse{err == 0 ? **s : Stat{}}));
        } else if constexpr (std::is_same_v<T, GetDataRequest>) {
          Result<NodeData> d = Status(Error::SystemError, "");
          if (uint64_t gen = r.watch ? arm(kData, r.path) : 0) {
            d = client_->get(r.path, one_shot(kData, gen));
            if (!d.ok()) disarm(kData, r.path, gen);
          } else {
            d = client_->get(r.path);
          }
          send(encode_reply(ReplyHeader{xid, zxid(), code(d)},
                             GetDataResponse{d.ok() ? d->data : Data{}, d.ok() ? d->stat : Stat{}}));
        } else if constexpr (std::is_same_v<T, GetChildrenRequest> || std::is_same_v<T, GetChildren2Request>) {
          Result<Children> c = Status(Error::SystemError, "");
          if (uint64_t gen = r.watch ? arm(kChild, r.path) : 0) {
            c = client_->get_children(r.path, one_shot(kChild, gen));
            if (!c.ok()) disarm(kChild, r.path, gen);
          } else {
            c = client_->get_children(r.path);
          }
          ReplyHeader h{xid, zxid(), code(c)};
          if constexpr (std::is_same_v<T, GetChildrenRequest>) {
            send(encode_reply(h, GetChildrenResponse{c.ok() ? c->names : std::vector<std::string>{}}));
          } else {
            send(encode_reply(h, GetChildren2Response{c.ok() ? c->names : std::vector<std::string>{},
                                                       c.ok() ? c->stat : Stat{}}));
          }
        } else if constexpr (std::is_same_v<T, SyncRequest>) {
          auto s = client_->sync(r.path);
          send(encode_reply(ReplyHeader{xid, zxid(), code(s)}, SyncResponse{r.path}));
        } else if constexpr (std::is_same_v<T, GetACLRequest>) {
          auto s = client_->exists(r.path);
          int32_t err = code(s);
          if (err == 0 && !s->has_value()) err = static_cast<int32_t>(Error::NoNode);
          send(encode_reply(ReplyHeader{xid, zxid(), err},
                             GetACLResponse{open_acl_unsafe(), err == 0 ? **s : Stat{}}));
        } else if constexpr (std::is_same_v<T, MultiRequest>) {
          std::vector<faaskeeper::MultiOp> ops;
          std::vector<std::pair<size_t, faaskeeper::CreateRequest>> ephemeral_creates;  // for getEphemerals
          bool bad = false;
          for (const auto& op : r.ops) {
            std::visit(
                [&](const auto& o) {
                  using O = std::decay_t<decltype(o)>;
                  if constexpr (std::is_same_v<O, zk::CreateRequest> || std::is_same_v<O, Create2Request> ||
                                std::is_same_v<O, CreateContainerRequest>) {
                    if (is_ephemeral(static_cast<CreateMode>(o.flags)))
                      ephemeral_creates.emplace_back(ops.size(), to_create(o));
                    ops.emplace_back(to_create(o));
                  } else if constexpr (std::is_same_v<O, CreateTTLRequest>) {
                    ops.emplace_back(faaskeeper::CreateRequest{o.path, o.data, static_cast<CreateMode>(o.flags), o.ttl});
                  } else if constexpr (std::is_same_v<O, zk::DeleteRequest>) {
                    ops.emplace_back(faaskeeper::DeleteRequest{o.path, o.version});
                  } else if constexpr (std::is_same_v<O, zk::SetDataRequest>) {
                    ops.emplace_back(faaskeeper::SetDataRequest{o.path, o.data, o.version});
                  } else if constexpr (std::is_same_v<O, CheckVersionRequest>) {
                    ops.emplace_back(faaskeeper::CheckRequest{o.path, o.version});
                  } else {
                    bad = true;  // reads belong in multiRead: ZooKeeper answers MARSHALLINGERROR
                  }
                },
                op);
          }
          if (bad) {
            reply_err(static_cast<int32_t>(Error::MarshallingError));
            return;
          }
          MultiResponse rsp;
          if (ops.empty()) {
            send(encode_reply(ReplyHeader{xid, zxid(), 0}, rsp));
            return;
          }
          auto res = client_->multi(std::move(ops));
          if (!res.ok()) {
            for (const auto& [i, c] : ephemeral_creates) note_create(c.path, c.mode, res.status(), "");
            reply_err(code(res));
            return;
          }
          size_t failed = res->size();
          for (size_t i = 0; i < res->size(); ++i) {
            if ((*res)[i].err != Error::Ok) {
              failed = i;
              break;
            }
          }
          if (failed < res->size()) {
            rsp = failed_multi_response(res->size(), failed, (*res)[failed].err);
          } else {
            for (const auto& [i, c] : ephemeral_creates) note_create(c.path, c.mode, Status(), (*res)[i].path);
            for (size_t i = 0; i < res->size(); ++i) {
              const OpResult& o = (*res)[i];
              std::visit(
                  [&](const auto& op) {
                    using O = std::decay_t<decltype(op)>;
                    if constexpr (std::is_same_v<O, zk::CreateRequest> || std::is_same_v<O, Create2Request>) {
                      rsp.results.emplace_back(CreateResponse{o.path});  // 3.8 answers create2 with type 1
                    } else if constexpr (std::is_same_v<O, CreateContainerRequest> ||
                                         std::is_same_v<O, CreateTTLRequest>) {
                      rsp.results.emplace_back(Create2Response{o.path, o.stat});
                    } else if constexpr (std::is_same_v<O, zk::DeleteRequest>) {
                      rsp.results.emplace_back(DeleteResult{});
                    } else if constexpr (std::is_same_v<O, zk::SetDataRequest>) {
                      rsp.results.emplace_back(SetDataResponse{o.stat});
                    } else {
                      rsp.results.emplace_back(CheckResult{});
                    }
                  },
                  r.ops[i]);
            }
          }
          send(encode_reply(ReplyHeader{xid, zxid(), 0}, rsp));
        } else if constexpr (std::is_same_v<T, MultiReadRequest>) {
          MultiResponse rsp;
          bool bad = false;
          for (const auto& op : r.ops) {
            if (auto* g = std::get_if<GetDataRequest>(&op)) {
              auto d = client_->get(g->path);
              if (d.ok()) rsp.results.emplace_back(GetDataResponse{d->data, d->stat});
              else rsp.results.emplace_back(ErrorResponse{code(d)});
            } else if (auto* c = std::get_if<GetChildrenRequest>(&op)) {
              auto ch = client_->get_children(c->path);
              if (ch.ok()) rsp.results.emplace_back(GetChildrenResponse{ch->names});
              else rsp.results.emplace_back(ErrorResponse{code(ch)});
            } else {
              bad = true;
            }
          }
          if (bad) {
            // ZooKeeper 3.8 still writes an empty MultiResponse body after the error header.
            JuteWriter w(/*framed=*/true);
            w.record(ReplyHeader{xid, zxid(), static_cast<int32_t>(Error::MarshallingError)});
            write_multi_response(w, MultiResponse{});
            send(std::move(w).finish());
            return;
          }
          send(encode_reply(ReplyHeader{xid, zxid(), 0}, rsp));
        } else if constexpr (std::is_same_v<T, AddWatchRequest>) {
          auto s = client_->add_watch(r.path, static_cast<AddWatchMode>(r.mode), persistent());
          send(encode_reply(ReplyHeader{xid, zxid(), code(s)}, ErrorResponse{0}));
        } else if constexpr (std::is_same_v<T, RemoveWatchesRequest> || std::is_same_v<T, CheckWatchesRequest>) {
          Status s;
          if constexpr (std::is_same_v<T, RemoveWatchesRequest>) {
            s = client_->remove_watches(r.path, static_cast<WatcherType>(r.type));
            if (s.ok()) {
              std::lock_guard<std::mutex> lock(mu_);
              if (r.type == kWatcherData || r.type == kWatcherAny) data_armed_.erase(r.path);
              if (r.type == kWatcherChildren || r.type == kWatcherAny) child_armed_.erase(r.path);
            }
          } else {
            s = client_->check_watches(r.path, static_cast<WatcherType>(r.type));
          }
          reply_err(code(s));
        } else if constexpr (std::is_same_v<T, SetWatchesRequest>) {
          set_watches(r.relative_zxid, r.data_watches, r.exist_watches, r.child_watches);
          reply_err(0);
        } else if constexpr (std::is_same_v<T, SetWatches2Request>) {
          set_watches(r.relative_zxid, r.data_watches, r.exist_watches, r.child_watches);
          // Persistent watches survive a detach here; re-add only those this session lacks.
          auto readd = [&](const std::vector<std::string>& paths, AddWatchMode mode, WatcherType type) {
            for (const auto& p : paths)
              if (!client_->check_watches(p, type).ok()) client_->add_watch(p, mode, persistent());
          };
          readd(r.persistent_watches, AddWatchMode::Persistent, WatcherType::Persistent);
          readd(r.persistent_recursive_watches, AddWatchMode::PersistentRecursive,
                WatcherType::PersistentRecursive);
          reply_err(0);
        } else if constexpr (std::is_same_v<T, SetACLRequest>) {
          // FaaSKeeper has no ACLs: every node carries the open ACL. Setting that ACL is a
          // no-op answered like ZooKeeper (NONODE, BADVERSION against aclVersion 0, the stat);
          // any other ACL cannot be honoured: UNIMPLEMENTED (connection kept).
          auto s = client_->exists(r.path);
          int32_t err = code(s);
          if (err == 0 && !s->has_value()) err = static_cast<int32_t>(Error::NoNode);
          if (err == 0 && r.version != -1 && r.version != 0) err = static_cast<int32_t>(Error::BadVersion);
          if (err == 0 && r.acl != open_acl_unsafe()) err = static_cast<int32_t>(Error::Unimplemented);
          send(encode_reply(ReplyHeader{xid, zxid(), err}, SetACLResponse{err == 0 ? **s : Stat{}}));
        } else if constexpr (std::is_same_v<T, CloseSessionRequest>) {
          client_->close();
          closed_ = true;
          reply_err(0);
          keep = false;
        } else if constexpr (std::is_same_v<T, ReconfigRequest>) {
          reply_err(kReconfigDisabled);
        } else if constexpr (std::is_same_v<T, SaslRequest>) {
          // ZooKeeper without SASL configured: err 0, zxid 0, null token.
          send(encode_reply(ReplyHeader{xid, 0, 0}, SaslResponse{std::nullopt}));
        } else if constexpr (std::is_same_v<T, GetEphemeralsRequest>) {
          // Always err 0, as ZooKeeper (the list may be empty). Paths in no particular order.
          send(encode_reply(ReplyHeader{xid, zxid(), 0}, GetEphemeralsResponse{ephemerals(r.path)}));
        } else if constexpr (std::is_same_v<T, GetAllChildrenNumberRequest>) {
          auto n = count_descendants(r.path);
          send(encode_reply(ReplyHeader{xid, zxid(), code(n)}, GetAllChildrenNumberResponse{n.ok() ? *n : 0}));
        } else {
          // auth, standalone check, whoAmI: not supported by FaaSKeeper.
          reply_err(static_cast<int32_t>(Error::Unimplemented));
        }
      },
      *req);
  return keep;
}

}  // namespace faaskeeper::gateway
