// Wire messages (src/protocol/messages.h): round trips of every variant, and rejection of every
// truncated prefix, trailing bytes and unknown versions with MarshallingError.
#include <gtest/gtest.h>

#include <climits>
#include <cstring>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/messages.h"

using namespace faaskeeper;

namespace {

// ---- field-by-field equality for the request types (they have no operator==) ----

bool same(const CreateRequest& a, const CreateRequest& b) {
  return a.path == b.path && a.data == b.data && a.mode == b.mode && a.ttl_ms == b.ttl_ms;
}
bool same(const DeleteRequest& a, const DeleteRequest& b) { return a.path == b.path && a.version == b.version; }
bool same(const SetDataRequest& a, const SetDataRequest& b) {
  return a.path == b.path && a.data == b.data && a.version == b.version;
}
bool same(const CheckRequest& a, const CheckRequest& b) { return a.path == b.path && a.version == b.version; }
// The variant-level comparisons have their own names, so an alternative without a `same`
// overload fails to compile instead of converting back to the variant.
bool same_multi_op(const MultiOp& a, const MultiOp& b) {
  if (a.index() != b.index()) return false;
  return std::visit([&](const auto& x) { return same(x, std::get<std::decay_t<decltype(x)>>(b)); }, a);
}
bool same(const MultiRequest& a, const MultiRequest& b) {
  if (a.ops.size() != b.ops.size()) return false;
  for (size_t i = 0; i < a.ops.size(); ++i)
    if (!same_multi_op(a.ops[i], b.ops[i])) return false;
  return true;
}
bool same(const SyncRequest& a, const SyncRequest& b) { return a.path == b.path; }
bool same(const OpenSessionRequest& a, const OpenSessionRequest& b) { return a.timeout_ms == b.timeout_ms; }
bool same(const CloseSessionRequest& a, const CloseSessionRequest& b) { return a.expired == b.expired; }
bool same(const RegisterWatchRequest& a, const RegisterWatchRequest& b) {
  return a.path == b.path && a.kind == b.kind && a.expect_exists == b.expect_exists && a.expect_zxid == b.expect_zxid;
}
bool same(const RemoveWatchesRequest& a, const RemoveWatchesRequest& b) { return a.path == b.path && a.type == b.type; }
bool same(const ReapRequest& a, const ReapRequest& b) {
  return a.path == b.path && a.czxid == b.czxid && a.mzxid == b.mzxid && a.pzxid == b.pzxid;
}
bool same_op(const Operation& a, const Operation& b) {
  if (a.index() != b.index()) return false;
  return std::visit([&](const auto& x) { return same(x, std::get<std::decay_t<decltype(x)>>(b)); }, a);
}

bool same(const Reply& a, const Reply& b) {
  return a.seq == b.seq && a.err == b.err && a.message == b.message && a.txid == b.txid && a.results == b.results;
}
bool same(const NodeWrite& a, const NodeWrite& b) {
  return a.path == b.path && a.deleted == b.deleted && a.created == b.created && a.meta == b.meta &&
         a.data_changed == b.data_changed && a.data == b.data && a.children_add == b.children_add &&
         a.children_remove == b.children_remove;
}

Stat distinct_stat() {
  Stat s;
  s.czxid = 11; s.mzxid = 12; s.ctime = 13; s.mtime = 14; s.version = 15; s.cversion = -16;
  s.aversion = 17; s.ephemeral_owner = 18; s.data_length = 19; s.num_children = 20; s.pzxid = 21;
  return s;
}

std::vector<Operation> every_operation() {
  std::vector<Operation> ops;
  for (int32_t mode = 0; mode <= 6; ++mode) {
    CreateRequest c{"/a/b-", std::string("data"), static_cast<CreateMode>(mode),
                    is_ttl(static_cast<CreateMode>(mode)) ? int64_t{5000} : int64_t{-1}};
    ops.push_back(c);
  }
  ops.push_back(CreateRequest{"/null", std::nullopt, CreateMode::Persistent, -1});
  ops.push_back(CreateRequest{"/empty", std::string(), CreateMode::Ephemeral, -1});
  ops.push_back(CreateRequest{"/bin", std::string("\0\1\2", 3), CreateMode::Persistent, -1});
  ops.push_back(DeleteRequest{"/d", 7});
  ops.push_back(DeleteRequest{"/d", -1});
  ops.push_back(SetDataRequest{"/s", std::string("v"), INT32_MAX});
  ops.push_back(SetDataRequest{"/s", std::nullopt, -1});
  ops.push_back(MultiRequest{});
  ops.push_back(MultiRequest{{CreateRequest{"/m", std::string("x"), CreateMode::PersistentSequential, -1},
                              DeleteRequest{"/m/d", 3}, SetDataRequest{"/m", std::nullopt, 2},
                              CheckRequest{"/m", 9}}});
  ops.push_back(SyncRequest{"/sync"});
  ops.push_back(SyncRequest{""});
  ops.push_back(OpenSessionRequest{4321});
  ops.push_back(CloseSessionRequest{false});
  ops.push_back(CloseSessionRequest{true});
  ops.push_back(RegisterWatchRequest{"/w", WatchKind::Data, true, 123});
  ops.push_back(RegisterWatchRequest{"/w", WatchKind::Child, false, 0});
  ops.push_back(RegisterWatchRequest{"/", WatchKind::PersistentRecursive, true, INT64_MAX});
  ops.push_back(RemoveWatchesRequest{"/w", 5});
  ops.push_back(ReapRequest{"/container", 3, INT64_MAX, 5});
  // Every alternative of Operation appears at least once.
  std::set<size_t> kinds;
  for (const auto& op : ops) kinds.insert(op.index());
  if (kinds.size() != std::variant_size_v<Operation>) throw std::logic_error("every_operation misses a variant");
  return ops;
}

std::vector<ServerMessage> every_server_message() {
  Reply ok;
  ok.seq = 99;
  ok.txid = 1234567890123;
  ok.results = {OpResult{Error::Ok, "/a0000000001", distinct_stat()}, OpResult{Error::Ok, "", Stat{}}};
  Reply failed;
  failed.seq = UINT64_MAX;
  failed.err = Error::NodeExists;
  failed.message = "/a already exists";
  failed.results = {OpResult{Error::Ok, "", {}}, OpResult{Error::NodeExists, "", {}},
                    OpResult{Error::RuntimeInconsistency, "", {}}};
  return {ok, failed, Reply{}, WatchNotification{EventType::NodeChildrenChanged, "/w", 77},
          WatchNotification{EventType::NodeDeleted, "", -1}, Ping{1'700'000'000'000}, SessionClosed{false},
          SessionClosed{true}};
}

DistributorMessage full_distributor_message() {
  DistributorMessage m;
  m.session_id = -5;  // any 64-bit value
  m.seq = 42;
  m.lock_owner = "123:42";
  NodeWrite created;
  created.path = "/p/c";
  created.created = true;
  created.meta.czxid = created.meta.mzxid = created.meta.pzxid = kPendingTxid;
  created.meta.ctime = created.meta.mtime = 1000;
  created.meta.ephemeral_owner = -5;
  created.meta.data_length = 3;
  created.meta.mode = CreateMode::EphemeralSequential;
  created.data_changed = true;
  created.data = std::string("abc");
  NodeWrite parent;
  parent.path = "/p";
  parent.meta.czxid = 3; parent.meta.mzxid = 4; parent.meta.pzxid = kPendingTxid;
  parent.meta.version = 2; parent.meta.child_counter = 9; parent.meta.aversion = 1;
  parent.meta.num_children = 4; parent.meta.mode = CreateMode::PersistentWithTtl; parent.meta.ttl_ms = 60000;
  parent.children_add = {"c"};
  parent.children_remove = {"old1", "old2"};
  NodeWrite deleted;
  deleted.path = "/gone";
  deleted.deleted = true;
  deleted.data = std::nullopt;
  m.writes = {created, parent, deleted};
  m.session = SessionWrite{true, true, true, 3000};
  m.ephemerals_add = {{-5, "/p/c"}};
  m.ephemerals_remove = {{7, "/x"}, {8, "/y"}};
  m.triggers = {{EventType::NodeCreated, "/p/c"}, {EventType::NodeChildrenChanged, "/p"}};
  m.reply.results = {OpResult{Error::Ok, "/p/c", distinct_stat()}};
  m.unlock = {"/checked"};
  m.unlock_delete = {"/transient", "/t2"};
  m.clear_epochs = {{"/p", 17}, {"/p/c", INT64_MAX}};
  m.reapables_add = {"/p"};
  m.reapables_remove = {"/gone", "/k"};
  return m;
}

}  // namespace

TEST(ClientRequestCodec, RoundTripsEveryOperation) {
  uint64_t seq = 1;
  for (const Operation& op : every_operation()) {
    ClientRequest req{INT64_MAX - static_cast<int64_t>(seq), seq, op};
    std::string bytes = encode(req);
    auto back = decode_client_request(bytes);
    ASSERT_TRUE(back.ok()) << "op index " << op.index() << ": " << back.status().to_string();
    EXPECT_EQ(back->session_id, req.session_id);
    EXPECT_EQ(back->seq, seq);
    EXPECT_TRUE(same_op(back->op, op)) << "op variant " << op.index() << ", seq " << seq;
    EXPECT_EQ(encode(*back), bytes);
    ++seq;
  }
}

TEST(ClientRequestCodec, EveryTruncationIsMarshallingError) {
  for (const Operation& op : every_operation()) {
    std::string bytes = encode(ClientRequest{77, 3, op});
    for (size_t len = 0; len < bytes.size(); ++len) {
      auto r = decode_client_request(std::string_view(bytes).substr(0, len));
      ASSERT_EQ(r.code(), Error::MarshallingError) << "variant " << op.index() << ", prefix " << len;
    }
  }
}

TEST(ClientRequestCodec, RejectsTrailingBytesAndVersionKeepsUnknownMode) {
  std::string bytes = encode(ClientRequest{1, 1, CreateRequest{"/a", std::string("DATA"), CreateMode::Persistent, -1}});
  EXPECT_EQ(decode_client_request(bytes + "x").code(), Error::MarshallingError);
  std::string wrong_version = bytes;
  wrong_version[0] = 2;
  EXPECT_EQ(decode_client_request(wrong_version).code(), Error::MarshallingError);
  // The i32 mode follows the data bytes.
  size_t mode_at = bytes.find("DATA") + 4;
  ASSERT_EQ(bytes.substr(mode_at, 4), std::string(4, '\0'));
  // An unknown mode is carried through unchanged, so the writer can refuse it with
  // BADARGUMENTS (Errors.UnknownCreateModeIsBadArguments) instead of dropping the request.
  for (int32_t bad : {7, -1, 100}) {
    std::string bad_mode = bytes;
    std::memcpy(bad_mode.data() + mode_at, &bad, 4);
    auto r = decode_client_request(bad_mode);
    ASSERT_TRUE(r.ok()) << bad;
    EXPECT_EQ(static_cast<int32_t>(std::get<CreateRequest>(r->op).mode), bad);
  }
}

TEST(ClientRequestCodec, RejectsAbsurdMultiCount) {
  std::string bytes = encode(ClientRequest{1, 1, MultiRequest{}});
  // An empty multi ends with its u32 op count.
  ASSERT_EQ(bytes.substr(bytes.size() - 4), std::string(4, '\0'));
  for (size_t k = bytes.size() - 4; k < bytes.size(); ++k) bytes[k] = static_cast<char>(0xFF);
  EXPECT_EQ(decode_client_request(bytes).code(), Error::MarshallingError);
}

// Found by fuzz/messages_fuzzer: booleans were read as "any non-zero byte", so several byte
// strings decoded to the same request. Every boolean byte is now 0 or 1, as core/bytes.h
// writes it; anything else is MarshallingError.
TEST(ClientRequestCodec, FuzzRegressionBooleanBytesAreZeroOrOne) {
  std::string close = encode(ClientRequest{1, 1, CloseSessionRequest{true}});
  ASSERT_EQ(close.back(), '\1');
  close.back() = static_cast<char>(0xFF);
  EXPECT_EQ(decode_client_request(close).code(), Error::MarshallingError);

  std::string watch = encode(ClientRequest{1, 2, RegisterWatchRequest{"/w", WatchKind::Data, true, 7}});
  // expect_exists is the byte before the trailing i64 expect_zxid.
  const size_t at = watch.size() - 9;
  ASSERT_EQ(watch[at], '\1');
  watch[at] = 2;
  EXPECT_EQ(decode_client_request(watch).code(), Error::MarshallingError);

  std::string closed = encode(ServerMessage{SessionClosed{false}});
  ASSERT_EQ(closed.back(), '\0');
  closed.back() = 9;
  EXPECT_EQ(decode_server_message(closed).code(), Error::MarshallingError);

  DistributorMessage d;
  d.writes.push_back(NodeWrite{});
  d.writes.back().path = "/unique-path";
  d.writes.back().deleted = true;
  std::string dist = encode(d);
  // NodeWrite.deleted is the byte right after the path.
  const size_t deleted_at = dist.find("/unique-path") + std::string("/unique-path").size();
  ASSERT_EQ(dist[deleted_at], '\1');
  dist[deleted_at] = 0x40;
  EXPECT_EQ(decode_distributor_message(dist).code(), Error::MarshallingError);
}

TEST(ServerMessageCodec, RoundTripsEveryVariant) {
  for (const ServerMessage& m : every_server_message()) {
    std::string bytes = encode(m);
    auto back = decode_server_message(bytes);
    ASSERT_TRUE(back.ok()) << back.status().to_string();
    ASSERT_EQ(back->index(), m.index());
    if (auto* r = std::get_if<Reply>(&m)) {
      EXPECT_TRUE(same(std::get<Reply>(*back), *r));
    }
    if (auto* w = std::get_if<WatchNotification>(&m)) {
      const auto& b = std::get<WatchNotification>(*back);
      EXPECT_EQ(b.type, w->type);
      EXPECT_EQ(b.path, w->path);
      EXPECT_EQ(b.txid, w->txid);
    }
    if (auto* p = std::get_if<Ping>(&m)) {
      EXPECT_EQ(std::get<Ping>(*back).now_ms, p->now_ms);
    }
    if (auto* c = std::get_if<SessionClosed>(&m)) {
      EXPECT_EQ(std::get<SessionClosed>(*back).expired, c->expired);
    }
    EXPECT_EQ(encode(*back), bytes);
  }
}

TEST(ServerMessageCodec, EveryTruncationIsMarshallingError) {
  for (const ServerMessage& m : every_server_message()) {
    std::string bytes = encode(m);
    for (size_t len = 0; len < bytes.size(); ++len)
      ASSERT_EQ(decode_server_message(std::string_view(bytes).substr(0, len)).code(), Error::MarshallingError)
          << "variant " << m.index() << ", prefix " << len;
    EXPECT_EQ(decode_server_message(bytes + std::string(1, '\0')).code(), Error::MarshallingError);
  }
}

TEST(ServerMessageCodec, RejectsUnknownTagAndVersion) {
  std::string bytes = encode(ServerMessage{Ping{5}});
  std::string bad_tag = bytes;
  bad_tag[1] = 9;
  EXPECT_EQ(decode_server_message(bad_tag).code(), Error::MarshallingError);
  std::string bad_version = bytes;
  bad_version[0] = 0;
  EXPECT_EQ(decode_server_message(bad_version).code(), Error::MarshallingError);
}

TEST(DistributorMessageCodec, RoundTripsEveryField) {
  DistributorMessage m = full_distributor_message();
  std::string bytes = encode(m);
  auto back = decode_distributor_message(bytes);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->session_id, m.session_id);
  EXPECT_EQ(back->seq, m.seq);
  EXPECT_EQ(back->lock_owner, m.lock_owner);
  ASSERT_EQ(back->writes.size(), m.writes.size());
  for (size_t i = 0; i < m.writes.size(); ++i) EXPECT_TRUE(same(back->writes[i], m.writes[i])) << "write " << i;
  EXPECT_EQ(back->writes[0].meta.czxid, kPendingTxid);
  EXPECT_EQ(back->session.open, true);
  EXPECT_EQ(back->session.close, true);
  EXPECT_EQ(back->session.expired, true);
  EXPECT_EQ(back->session.timeout_ms, 3000);
  EXPECT_EQ(back->ephemerals_add, m.ephemerals_add);
  EXPECT_EQ(back->ephemerals_remove, m.ephemerals_remove);
  EXPECT_EQ(back->triggers, m.triggers);
  EXPECT_EQ(back->unlock, m.unlock);
  EXPECT_EQ(back->unlock_delete, m.unlock_delete);
  EXPECT_EQ(back->clear_epochs, m.clear_epochs);
  EXPECT_EQ(back->reapables_add, m.reapables_add);
  EXPECT_EQ(back->reapables_remove, m.reapables_remove);
  EXPECT_TRUE(same(back->reply, m.reply));
  EXPECT_EQ(encode(*back), bytes);
}

TEST(DistributorMessageCodec, RoundTripsAnEmptyMessage) {
  DistributorMessage m;
  auto back = decode_distributor_message(encode(m));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->writes.empty());
  EXPECT_FALSE(back->session.open || back->session.close || back->session.expired);
  EXPECT_EQ(encode(*back), encode(m));
}

TEST(DistributorMessageCodec, EveryTruncationIsMarshallingError) {
  std::string bytes = encode(full_distributor_message());
  for (size_t len = 0; len < bytes.size(); ++len)
    ASSERT_EQ(decode_distributor_message(std::string_view(bytes).substr(0, len)).code(), Error::MarshallingError)
        << "prefix " << len << " of " << bytes.size();
  EXPECT_EQ(decode_distributor_message(bytes + std::string(1, '\0')).code(), Error::MarshallingError);
  std::string bad_version = bytes;
  bad_version[0] = 2;
  EXPECT_EQ(decode_distributor_message(bad_version).code(), Error::MarshallingError);
}

TEST(DistributorMessageCodec, RejectsAbsurdWriteCount) {
  DistributorMessage m;
  m.lock_owner = "LOCKOWNER";
  std::string bytes = encode(m);
  // The u32 write count follows the lock owner.
  size_t count_at = bytes.find("LOCKOWNER") + 9;
  ASSERT_EQ(bytes.substr(count_at, 4), std::string(4, '\0'));
  for (size_t k = count_at; k < count_at + 4; ++k) bytes[k] = static_cast<char>(0xFF);
  EXPECT_EQ(decode_distributor_message(bytes).code(), Error::MarshallingError);
}

// Whatever 4-byte field is overwritten with 0xFFFFFFFF (a count, a length, part of a number),
// decoding either succeeds or fails with MarshallingError; it never crashes or over-allocates.
TEST(Messages, AnyWordSetToAllOnesIsHandled) {
  std::vector<std::string> encodings;
  for (const Operation& op : every_operation()) encodings.push_back(encode(ClientRequest{9, 9, op}));
  for (const ServerMessage& m : every_server_message()) encodings.push_back(encode(m));
  encodings.push_back(encode(full_distributor_message()));
  for (size_t e = 0; e < encodings.size(); ++e) {
    const std::string& good = encodings[e];
    for (size_t at = 0; at + 4 <= good.size(); ++at) {
      std::string bad = good;
      for (size_t k = at; k < at + 4; ++k) bad[k] = static_cast<char>(0xFF);
      Error codes[] = {decode_client_request(bad).code(), decode_server_message(bad).code(),
                       decode_distributor_message(bad).code()};
      for (Error c : codes)
        ASSERT_TRUE(c == Error::Ok || c == Error::MarshallingError) << "encoding " << e << ", offset " << at;
    }
  }
}

TEST(Messages, RequestIdIsSessionColonSeq) {
  EXPECT_EQ(request_id(5, 7), "5:7");
  EXPECT_EQ(request_id(-1, 0), "-1:0");
  EXPECT_EQ(request_id(123, kExpirySeq), "123:9223372036854775807");
}

TEST(NodeMetaToStat, DerivesVisibleFields) {
  NodeMeta m;
  m.czxid = kPendingTxid;
  m.mzxid = 5;
  m.pzxid = kPendingTxid;
  m.child_counter = 3;
  m.num_children = 1;
  m.ephemeral_owner = 99;
  m.mode = CreateMode::Ephemeral;
  Stat s = m.to_stat(40);
  EXPECT_EQ(s.czxid, 40);
  EXPECT_EQ(s.mzxid, 5);
  EXPECT_EQ(s.pzxid, 40);
  EXPECT_EQ(s.cversion, 2 * 3 - 1);
  EXPECT_EQ(s.num_children, 1);
  EXPECT_EQ(s.ephemeral_owner, 99);
}

TEST(NodeMetaToStat, OwnerIsZeroForContainerAndTtlNodes) {
  for (CreateMode mode : {CreateMode::Container, CreateMode::PersistentWithTtl,
                          CreateMode::PersistentSequentialWithTtl, CreateMode::Persistent}) {
    NodeMeta m;
    m.mode = mode;
    m.ephemeral_owner = 1234;
    EXPECT_EQ(m.to_stat(1).ephemeral_owner, 0) << static_cast<int>(mode);
  }
}

// Java's DataNode.copyStat computes 2*cversion - numChildren in int arithmetic, which wraps for
// counters above 2^30; the visible value must wrap the same way (and must not be C++ UB).
TEST(NodeMetaToStat, CversionWrapsLikeJavaForHugeCounters) {
  NodeMeta m;
  m.child_counter = INT32_MAX;
  m.num_children = 0;
  EXPECT_EQ(m.to_stat(1).cversion, -2);
  m.child_counter = INT32_MIN;  // after the stored counter itself wrapped
  m.num_children = 1;
  EXPECT_EQ(m.to_stat(1).cversion, -1);
}
