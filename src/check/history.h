// The history model of the checker: what a client asked for, when, and what it was told.
//
// A History is plain data, independent of the rest of the code base (it only uses Stat, Data,
// CreateMode, EventType and Error from the public headers), so a fault-injection campaign in
// another process can record one, save it with history_io.h, and the checker can load it.
//
// Times are monotonic nanoseconds (CLOCK_MONOTONIC, std::chrono::steady_clock on Linux), which
// are comparable across processes on one machine. docs/checker.md describes the semantics.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "faaskeeper/error.h"
#include "faaskeeper/types.h"

namespace faaskeeper::check {

using Nanos = int64_t;
// Completion time of an operation whose answer the client never saw.
inline constexpr Nanos kNever = std::numeric_limits<int64_t>::max();

enum class OpType : uint8_t {
  Create,
  Delete,
  SetData,
  GetData,
  Exists,
  GetChildren,
  Check,  // only inside a multi
  Multi,
};

// "create", "delete", "setData", "getData", "exists", "getChildren", "check", "multi".
const char* op_type_name(OpType t);
// Inverse of op_type_name; nullopt for an unknown name.
std::optional<OpType> parse_op_type(const std::string& name);
// getData, exists, getChildren: operations that never change the tree.
bool is_read(OpType t);

// The arguments of one request (or of one sub-operation of a multi).
struct Request {
  OpType type = OpType::GetData;
  std::string path;  // create: the requested path (for sequential modes, the name prefix)
  Data data;         // create, setData
  int32_t version = -1;                      // delete, setData, check; -1 matches any version
  CreateMode mode = CreateMode::Persistent;  // create
  bool watch = false;  // getData/exists: arm a data watch; getChildren: arm a child watch
  std::vector<Request> ops;  // multi: its sub-operations (create, delete, setData, check only)
  bool operator==(const Request&) const = default;
};

// Bits naming the Stat fields an observation actually reported. Fields that are not reported are
// not checked. ctime, mtime and aversion are never checked (the model has no clock and no ACLs).
enum StatField : uint32_t {
  kStatCzxid = 1u << 0,
  kStatMzxid = 1u << 1,
  kStatCtime = 1u << 2,
  kStatMtime = 1u << 3,
  kStatVersion = 1u << 4,
  kStatCversion = 1u << 5,
  kStatAversion = 1u << 6,
  kStatEphemeralOwner = 1u << 7,
  kStatDataLength = 1u << 8,
  kStatNumChildren = 1u << 9,
  kStatPzxid = 1u << 10,
};
inline constexpr uint32_t kStatAll = (1u << 11) - 1;

// A Stat as reported to the client, with the mask of fields that were reported.
struct ObservedStat {
  Stat stat;
  uint32_t fields = kStatAll;

  ObservedStat() = default;
  ObservedStat(const Stat& s, uint32_t f = kStatAll) : stat(s), fields(f) {}  // NOLINT: implicit
  bool has(uint32_t field_bits) const { return (fields & field_bits) == field_bits; }
  bool operator==(const ObservedStat&) const = default;
};

// The result of one sub-operation of a multi, as the client reported it.
struct SubResult {
  Error error = Error::Ok;          // Ok, the failing op's code, or RuntimeInconsistency (-2)
  std::string path;                 // create: the created path
  std::optional<ObservedStat> stat;  // create2 / setData
  bool operator==(const SubResult&) const = default;
};

enum class OutcomeKind : uint8_t {
  Ok,       // the server answered with success
  Failed,   // the server answered with `error`
  Unknown,  // no answer (timeout, connection loss): the operation may or may not have happened
};

// What the client was told.
//
// Reads of a missing node: getData/getChildren report Failed(NoNode); exists reports Ok with no
// stat (Failed(NoNode), as the C client returns it, is accepted as the same thing).
// A Failed outcome whose code is indeterminate (is_indeterminate_error) is treated as Unknown.
struct Outcome {
  OutcomeKind kind = OutcomeKind::Unknown;
  Error error = Error::Ok;  // Failed: the code; for a multi, the failing sub-op's code
  std::string path;         // create: the created path (required for sequential creates)
  std::optional<ObservedStat> stat;  // create2, setData, getData, exists (if present), getChildren2
  Data data;                         // getData
  std::optional<std::vector<std::string>> children;  // getChildren: child names, any order
  std::vector<SubResult> results;  // multi: one per sub-op, when the client exposes them
  int64_t zxid = -1;  // reply-header zxid when the client exposes it, else -1

  static Outcome ok() { return Outcome{OutcomeKind::Ok}; }
  static Outcome failed(Error e) {
    Outcome o{OutcomeKind::Failed};
    o.error = e;
    return o;
  }
  static Outcome unknown() { return Outcome{}; }
  bool operator==(const Outcome&) const = default;
};

// Codes after which the client cannot know whether the operation took effect: CONNECTIONLOSS,
// OPERATIONTIMEOUT, REQUESTTIMEOUT, SESSIONEXPIRED, SESSIONMOVED, CLOSING, SYSTEMERROR.
bool is_indeterminate_error(Error e);

// One recorded operation.
struct Operation {
  uint64_t id = 0;        // unique within the history (History::ops[i].id need not equal i)
  int64_t session = 0;    // the issuing client session (any stable identifier)
  uint64_t seq = 0;       // issue order within the session: strictly increasing
  Nanos invoke = 0;       // just before the request was sent
  Nanos complete = kNever;  // just after the answer arrived; kNever if it never did
  Request request;
  Outcome outcome;
  bool operator==(const Operation&) const = default;
};

// A watch notification received by a session.
struct WatchNotification {
  int64_t session = 0;
  std::string path;
  EventType type = EventType::None;
  int64_t zxid = -1;  // zxid of the triggering change; -1 if the client does not expose it
  Nanos time = 0;     // when the client library accepted it (before any later read returned)
  bool operator==(const WatchNotification&) const = default;
};

// The end of a session (close or expiry): the service deletes all its ephemeral nodes at one
// point in [invoke, complete]. invoke: when close() was called or the expiry was provoked;
// complete: when the client learned the session was gone (kNever if it never did).
struct SessionEnd {
  int64_t session = 0;
  Nanos invoke = 0;
  Nanos complete = kNever;
  bool operator==(const SessionEnd&) const = default;
};

// A node that existed before the first recorded operation. Declare every node the history
// reads, lists or modifies that already existed; all other paths start absent, except proper
// ancestors of used paths that no operation targets, which are assumed to exist.
// The stat must report version, cversion and numChildren (the model needs exact counters);
// zxid fields may be omitted. Children of a declared node must be declared too.
struct InitialNode {
  std::string path;
  Data data;
  ObservedStat stat;
  std::optional<int64_t> owner;  // the history session owning it, if it is ephemeral
  bool operator==(const InitialNode&) const = default;
};

struct History {
  std::vector<InitialNode> initial;
  std::vector<Operation> ops;
  std::vector<WatchNotification> notifications;
  std::vector<SessionEnd> session_ends;
  bool operator==(const History&) const = default;
};

// One-line human-readable rendering, e.g. `#12 s3/4 setData /a "v1" v=2 -> ok mzxid=17 version=3`.
std::string describe(const Operation& op);
std::string describe(const Request& r);
std::string describe(const Outcome& o);
// Printable rendering of node data: "null", or a quoted, escaped, truncated string.
std::string describe_data(const Data& d);
// The parent of a path ("/a/b" -> "/a", "/a" -> "/").
std::string parent_path(const std::string& path);

}  // namespace faaskeeper::check
