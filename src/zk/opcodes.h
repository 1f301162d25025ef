// ZooKeeper operation codes (ZooDefs.OpCode) and the reserved xids of the wire protocol.
#pragma once

#include <cstdint>
#include <string>

namespace faaskeeper::zk {

enum class OpCode : int32_t {
  Notification = 0,
  Create = 1,
  Delete = 2,
  Exists = 3,
  GetData = 4,
  SetData = 5,
  GetACL = 6,
  SetACL = 7,
  GetChildren = 8,
  Sync = 9,
  Ping = 11,
  GetChildren2 = 12,
  Check = 13,
  Multi = 14,
  Create2 = 15,
  Reconfig = 16,
  CheckWatches = 17,
  RemoveWatches = 18,
  CreateContainer = 19,
  DeleteContainer = 20,  // server-internal (container manager); never accepted from a client
  CreateTTL = 21,
  MultiRead = 22,
  Auth = 100,
  SetWatches = 101,
  Sasl = 102,
  GetEphemerals = 103,
  GetAllChildrenNumber = 104,
  SetWatches2 = 105,
  AddWatch = 106,
  WhoAmI = 107,
  CreateSession = -10,   // server-internal txn type
  CloseSession = -11,
  Error = -1,            // type of an error result inside a multi response
};

// Reserved xids. Replies echo the request xid; these mark the special exchanges.
inline constexpr int32_t kNotificationXid = -1;  // watch events (ReplyHeader.xid of a notification)
inline constexpr int32_t kPingXid = -2;
inline constexpr int32_t kAuthXid = -4;
inline constexpr int32_t kSetWatchesXid = -8;

// The ZooDefs name of an opcode ("create", "getChildren2", ...), or "unknown(n)".
std::string opcode_name(int32_t op);

}  // namespace faaskeeper::zk
