// The node object: what the user store holds for one znode, and what clients parse.
//
// Layout version 1, all integers little-endian (docs/node-object-format.md is the normative
// description for clients in other languages):
//
//   offset size  field
//   0      4     magic "FKN1"
//   4      4     u32 flags: bit 0 = data is null (ZooKeeper null buffer)
//   8      68    Stat: i64 czxid, i64 mzxid, i64 ctime, i64 mtime, i32 version, i32 cversion,
//                i32 aversion, i64 ephemeralOwner, i32 dataLength, i32 numChildren, i64 pzxid
//   76     4     u32 n_epochs, then n_epochs × i64: txids whose watch notifications were still
//                in flight when this object was written (watch-before-data, docs/watches.md)
//   ..     4     u32 n_children, then n_children × (u32 len, UTF-8 name), child names unordered
//   ..     4     u32 data_len, then data_len bytes of data
//
// Readers must reject a different magic, and accept unknown flag bits they do not need.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "faaskeeper/error.h"
#include "faaskeeper/types.h"

namespace faaskeeper {

struct NodeObject {
  Stat stat;
  Data data;
  std::vector<std::string> children;
  std::vector<int64_t> epochs;

  bool operator==(const NodeObject&) const = default;
};

inline constexpr std::string_view kNodeObjectMagic = "FKN1";

std::string encode_node_object(const NodeObject& node);

// MarshallingError with a precise reason for anything that is not a well-formed v1 object.
Result<NodeObject> decode_node_object(std::string_view bytes);

}  // namespace faaskeeper
