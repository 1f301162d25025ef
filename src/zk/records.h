// Typed jute records of the ZooKeeper client protocol (zookeeper.jute, module
// org.apache.zookeeper.proto and .data), one struct per record, fields in wire order.
//
// Each struct's `fields` template is its complete wire layout (see jute.h). Structs that
// several opcodes share on the wire (CreateRequest for create/create2/createContainer) get one
// derived struct per opcode, so a std::variant of requests tells the opcodes apart by type;
// every request struct names its opcode in kOp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "faaskeeper/types.h"
#include "zk/jute.h"
#include "zk/opcodes.h"

namespace faaskeeper::zk {

// ---- headers ------------------------------------------------------------------------------

struct RequestHeader {
  int32_t xid = 0;
  int32_t type = 0;  // an OpCode value; unknown values are kept as sent
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.int32(s.xid);
    ar.int32(s.type);
  }
  bool operator==(const RequestHeader&) const = default;
};

struct ReplyHeader {
  int32_t xid = 0;
  int64_t zxid = 0;
  int32_t err = 0;  // an Error value; when non-zero the reply carries no body
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.int32(s.xid);
    ar.int64(s.zxid);
    ar.int32(s.err);
  }
  bool operator==(const ReplyHeader&) const = default;
};

// Precedes each op (and the terminator) inside multi requests and responses.
struct MultiHeader {
  int32_t type = -1;
  bool done = true;
  int32_t err = -1;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.int32(s.type);
    ar.boolean(s.done);
    ar.int32(s.err);
  }
  bool operator==(const MultiHeader&) const = default;
};

// ---- data records ---------------------------------------------------------------------------

struct Id {
  std::string scheme;
  std::string id;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.scheme);
    ar.ustring(s.id);
  }
  bool operator==(const Id&) const = default;
};

// Permission bits (ZooDefs.Perms).
inline constexpr int32_t kPermRead = 1, kPermWrite = 2, kPermCreate = 4, kPermDelete = 8,
                         kPermAdmin = 16, kPermAll = 31;

struct ACL {
  static constexpr size_t kMinWireBytes = 12;  // int perms + two empty ustrings
  int32_t perms = 0;
  Id id;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.int32(s.perms);
    ar.record(s.id);
  }
  bool operator==(const ACL&) const = default;
};

// world:anyone with all permissions (ZooDefs.Ids.OPEN_ACL_UNSAFE).
inline std::vector<ACL> open_acl_unsafe() { return {ACL{kPermAll, Id{"world", "anyone"}}}; }

struct ClientInfo {
  static constexpr size_t kMinWireBytes = 8;
  std::string auth_scheme;
  std::string user;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.auth_scheme);
    ar.ustring(s.user);
  }
  bool operator==(const ClientInfo&) const = default;
};

// Watch event notification body (sent after ReplyHeader{xid -1, zxid, 0}).
struct WatcherEvent {
  int32_t type = 0;   // EventType value
  int32_t state = 0;  // SessionState value (3 = SyncConnected)
  std::string path;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.int32(s.type);
    ar.int32(s.state);
    ar.ustring(s.path);
  }
  bool operator==(const WatcherEvent&) const = default;
};

// ---- requests -------------------------------------------------------------------------------

struct CreateRequest {
  static constexpr OpCode kOp = OpCode::Create;
  std::string path;
  Data data;
  std::vector<ACL> acl;
  int32_t flags = 0;  // CreateMode value, unvalidated
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.path);
    ar.buffer(s.data);
    ar.records(s.acl);
    ar.int32(s.flags);
  }
  bool operator==(const CreateRequest&) const = default;
};
// create2 (15): CreateRequest on the wire; answered with Create2Response.
struct Create2Request : CreateRequest {
  static constexpr OpCode kOp = OpCode::Create2;
  bool operator==(const Create2Request&) const = default;
};
// createContainer (19): CreateRequest on the wire (flags 4); answered with Create2Response.
struct CreateContainerRequest : CreateRequest {
  static constexpr OpCode kOp = OpCode::CreateContainer;
  bool operator==(const CreateContainerRequest&) const = default;
};

struct CreateTTLRequest {
  static constexpr OpCode kOp = OpCode::CreateTTL;
  std::string path;
  Data data;
  std::vector<ACL> acl;
  int32_t flags = 0;
  int64_t ttl = 0;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.path);
    ar.buffer(s.data);
    ar.records(s.acl);
    ar.int32(s.flags);
    ar.int64(s.ttl);
  }
  bool operator==(const CreateTTLRequest&) const = default;
};

struct DeleteRequest {
  static constexpr OpCode kOp = OpCode::Delete;
  std::string path;
  int32_t version = -1;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.path);
    ar.int32(s.version);
  }
  bool operator==(const DeleteRequest&) const = default;
};

// Shape shared by exists/getData/getChildren/getChildren2: {ustring path, bool watch}.
template <OpCode Op>
struct PathWatchRequest {
  static constexpr OpCode kOp = Op;
  std::string path;
  bool watch = false;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.path);
    ar.boolean(s.watch);
  }
  bool operator==(const PathWatchRequest&) const = default;
};
using ExistsRequest = PathWatchRequest<OpCode::Exists>;
using GetDataRequest = PathWatchRequest<OpCode::GetData>;
using GetChildrenRequest = PathWatchRequest<OpCode::GetChildren>;
using GetChildren2Request = PathWatchRequest<OpCode::GetChildren2>;

// Shape shared by getACL/sync/getAllChildrenNumber/getEphemerals: {ustring path}.
template <OpCode Op>
struct PathRequest {
  static constexpr OpCode kOp = Op;
  std::string path;  // for getEphemerals: the prefix (null and "" both read as "")
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.path);
  }
  bool operator==(const PathRequest&) const = default;
};
using GetACLRequest = PathRequest<OpCode::GetACL>;
using SyncRequest = PathRequest<OpCode::Sync>;
using GetAllChildrenNumberRequest = PathRequest<OpCode::GetAllChildrenNumber>;
using GetEphemeralsRequest = PathRequest<OpCode::GetEphemerals>;

struct SetDataRequest {
  static constexpr OpCode kOp = OpCode::SetData;
  std::string path;
  Data data;
  int32_t version = -1;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.path);
    ar.buffer(s.data);
    ar.int32(s.version);
  }
  bool operator==(const SetDataRequest&) const = default;
};

struct SetACLRequest {
  static constexpr OpCode kOp = OpCode::SetACL;
  std::string path;
  std::vector<ACL> acl;
  int32_t version = -1;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.path);
    ar.records(s.acl);
    ar.int32(s.version);
  }
  bool operator==(const SetACLRequest&) const = default;
};

struct CheckVersionRequest {
  static constexpr OpCode kOp = OpCode::Check;
  std::string path;
  int32_t version = -1;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.path);
    ar.int32(s.version);
  }
  bool operator==(const CheckVersionRequest&) const = default;
};

// Requests without a body.
template <OpCode Op>
struct EmptyRequest {
  static constexpr OpCode kOp = Op;
  template <class Ar, class S>
  static void fields(Ar&, S&) {}
  bool operator==(const EmptyRequest&) const = default;
};
using PingRequest = EmptyRequest<OpCode::Ping>;
using CloseSessionRequest = EmptyRequest<OpCode::CloseSession>;
using WhoAmIRequest = EmptyRequest<OpCode::WhoAmI>;

// reconfig (16): decoded so it can be refused properly; FaaSKeeper has no ensemble.
struct ReconfigRequest {
  static constexpr OpCode kOp = OpCode::Reconfig;
  std::string joining_servers;
  std::string leaving_servers;
  std::string new_members;
  int64_t cur_config_id = -1;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.joining_servers);
    ar.ustring(s.leaving_servers);
    ar.ustring(s.new_members);
    ar.int64(s.cur_config_id);
  }
  bool operator==(const ReconfigRequest&) const = default;
};

// Watcher types of checkWatches/removeWatches (WatcherType).
inline constexpr int32_t kWatcherChildren = 1, kWatcherData = 2, kWatcherAny = 3,
                         kWatcherPersistent = 4, kWatcherPersistentRecursive = 5;

// Shape shared by checkWatches/removeWatches: {ustring path, int type}.
template <OpCode Op>
struct WatchesRequest {
  static constexpr OpCode kOp = Op;
  std::string path;
  int32_t type = 0;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.path);
    ar.int32(s.type);
  }
  bool operator==(const WatchesRequest&) const = default;
};
using CheckWatchesRequest = WatchesRequest<OpCode::CheckWatches>;
using RemoveWatchesRequest = WatchesRequest<OpCode::RemoveWatches>;

// addWatch modes (AddWatchMode).
inline constexpr int32_t kAddWatchPersistent = 0, kAddWatchPersistentRecursive = 1;

struct AddWatchRequest {
  static constexpr OpCode kOp = OpCode::AddWatch;
  std::string path;
  int32_t mode = 0;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.path);
    ar.int32(s.mode);
  }
  bool operator==(const AddWatchRequest&) const = default;
};

// auth (100), sent with xid -4.
struct AuthPacket {
  static constexpr OpCode kOp = OpCode::Auth;
  int32_t type = 0;
  std::string scheme;
  std::string auth;  // e.g. "user:password" for digest; null reads as empty
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.int32(s.type);
    ar.ustring(s.scheme);
    ar.buffer(s.auth);
  }
  bool operator==(const AuthPacket&) const = default;
};

// sasl (102): GetSASLRequest{buffer token}.
struct SaslRequest {
  static constexpr OpCode kOp = OpCode::Sasl;
  Data token;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.buffer(s.token);
  }
  bool operator==(const SaslRequest&) const = default;
};

// setWatches (101), sent with xid -8 after a reconnect.
struct SetWatchesRequest {
  static constexpr OpCode kOp = OpCode::SetWatches;
  int64_t relative_zxid = 0;
  std::vector<std::string> data_watches;
  std::vector<std::string> exist_watches;
  std::vector<std::string> child_watches;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.int64(s.relative_zxid);
    ar.ustrings(s.data_watches);
    ar.ustrings(s.exist_watches);
    ar.ustrings(s.child_watches);
  }
  bool operator==(const SetWatchesRequest&) const = default;
};

// setWatches2 (105): setWatches plus the persistent watch lists.
struct SetWatches2Request {
  static constexpr OpCode kOp = OpCode::SetWatches2;
  int64_t relative_zxid = 0;
  std::vector<std::string> data_watches;
  std::vector<std::string> exist_watches;
  std::vector<std::string> child_watches;
  std::vector<std::string> persistent_watches;
  std::vector<std::string> persistent_recursive_watches;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.int64(s.relative_zxid);
    ar.ustrings(s.data_watches);
    ar.ustrings(s.exist_watches);
    ar.ustrings(s.child_watches);
    ar.ustrings(s.persistent_watches);
    ar.ustrings(s.persistent_recursive_watches);
  }
  bool operator==(const SetWatches2Request&) const = default;
};

// ---- responses ------------------------------------------------------------------------------

// Shape shared by create/sync responses: {ustring path}.
template <OpCode Op>
struct PathResponse {
  std::string path;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.path);
  }
  bool operator==(const PathResponse&) const = default;
};
using CreateResponse = PathResponse<OpCode::Create>;
using SyncResponse = PathResponse<OpCode::Sync>;

// create2/createContainer/createTTL.
struct Create2Response {
  std::string path;
  Stat stat;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustring(s.path);
    ar.stat(s.stat);
  }
  bool operator==(const Create2Response&) const = default;
};

// Shape shared by exists/setData/setACL responses: {Stat stat}.
template <OpCode Op>
struct StatResponse {
  Stat stat;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.stat(s.stat);
  }
  bool operator==(const StatResponse&) const = default;
};
using ExistsResponse = StatResponse<OpCode::Exists>;
using SetDataResponse = StatResponse<OpCode::SetData>;
using SetACLResponse = StatResponse<OpCode::SetACL>;

// getData; also the reply body of reconfig.
struct GetDataResponse {
  Data data;
  Stat stat;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.buffer(s.data);
    ar.stat(s.stat);
  }
  bool operator==(const GetDataResponse&) const = default;
};

struct GetACLResponse {
  std::vector<ACL> acl;
  Stat stat;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.records(s.acl);
    ar.stat(s.stat);
  }
  bool operator==(const GetACLResponse&) const = default;
};

// Shape shared by getChildren/getEphemerals responses: {vector<ustring>}.
template <OpCode Op>
struct NamesResponse {
  std::vector<std::string> names;  // children names, or ephemeral paths
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustrings(s.names);
  }
  bool operator==(const NamesResponse&) const = default;
};
using GetChildrenResponse = NamesResponse<OpCode::GetChildren>;
using GetEphemeralsResponse = NamesResponse<OpCode::GetEphemerals>;

struct GetChildren2Response {
  std::vector<std::string> children;
  Stat stat;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.ustrings(s.children);
    ar.stat(s.stat);
  }
  bool operator==(const GetChildren2Response&) const = default;
};

struct GetAllChildrenNumberResponse {
  int32_t total_number = 0;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.int32(s.total_number);
  }
  bool operator==(const GetAllChildrenNumberResponse&) const = default;
};

// {int err}: the body of addWatch replies (err 0) and of error results inside a multi.
struct ErrorResponse {
  int32_t err = 0;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.int32(s.err);
  }
  bool operator==(const ErrorResponse&) const = default;
};

struct WhoAmIResponse {
  std::vector<ClientInfo> client_info;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.records(s.client_info);
  }
  bool operator==(const WhoAmIResponse&) const = default;
};

// sasl reply: SetSASLResponse{buffer token}. ZooKeeper without SASL answers a null token.
struct SaslResponse {
  Data token;
  template <class Ar, class S>
  static void fields(Ar& ar, S& s) {
    ar.buffer(s.token);
  }
  bool operator==(const SaslResponse&) const = default;
};

// Replies that are a bare ReplyHeader (delete, ping, auth, setWatches, checkWatches,
// removeWatches, closeSession).
struct EmptyResponse {
  template <class Ar, class S>
  static void fields(Ar&, S&) {}
  bool operator==(const EmptyResponse&) const = default;
};

}  // namespace faaskeeper::zk
