// Size limits of the ZooKeeper wire protocol, as enforced by Apache ZooKeeper 3.8.
#pragma once

#include <cstddef>
#include <cstdint>

namespace faaskeeper::zk {

// jute.maxbuffer default (0xFFFFF). A frame whose length prefix is < 0 or > this value makes
// ZooKeeper close the connection (NIOServerCnxn.readLength); clients enforce it on replies too.
inline constexpr int32_t kMaxFrameBytes = 0xFFFFF;  // 1,048,575

// Upper bound on any single buffer or ustring inside a record. ZooKeeper allows
// maxBuffer + extra here, but a field can never be longer than the frame that carries it.
inline constexpr int32_t kMaxFieldBytes = kMaxFrameBytes;

// Bytes of the length prefix in front of every frame.
inline constexpr size_t kFramePrefixBytes = 4;

// Fixed record sizes on the wire.
inline constexpr size_t kRequestHeaderBytes = 8;   // int xid, int type
inline constexpr size_t kReplyHeaderBytes = 16;    // int xid, long zxid, int err
inline constexpr size_t kStatBytes = 68;           // 4 longs, 3 ints, long, 2 ints, long
inline constexpr size_t kMultiHeaderBytes = 9;     // int type, bool done, int err

}  // namespace faaskeeper::zk
