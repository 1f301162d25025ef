#include "core/node_object.h"

#include "core/bytes.h"

namespace faaskeeper {

namespace {
constexpr uint32_t kFlagNullData = 1;
}

std::string encode_node_object(const NodeObject& node) {
  ByteWriter w;
  w.bytes(kNodeObjectMagic);
  w.u32(node.data ? 0 : kFlagNullData);
  const Stat& s = node.stat;
  w.i64(s.czxid);
  w.i64(s.mzxid);
  w.i64(s.ctime);
  w.i64(s.mtime);
  w.i32(s.version);
  w.i32(s.cversion);
  w.i32(s.aversion);
  w.i64(s.ephemeral_owner);
  w.i32(s.data_length);
  w.i32(s.num_children);
  w.i64(s.pzxid);
  w.u32(static_cast<uint32_t>(node.epochs.size()));
  for (int64_t e : node.epochs) w.i64(e);
  w.strs(node.children);
  w.str(node.data ? *node.data : std::string());
  return w.take();
}

Result<NodeObject> decode_node_object(std::string_view bytes) {
  ByteReader r(bytes);
  if (r.take(4) != kNodeObjectMagic)
    return Status(Error::MarshallingError, "not a FaaSKeeper node object (bad magic)");
  NodeObject n;
  uint32_t flags = r.u32();
  Stat& s = n.stat;
  s.czxid = r.i64();
  s.mzxid = r.i64();
  s.ctime = r.i64();
  s.mtime = r.i64();
  s.version = r.i32();
  s.cversion = r.i32();
  s.aversion = r.i32();
  s.ephemeral_owner = r.i64();
  s.data_length = r.i32();
  s.num_children = r.i32();
  s.pzxid = r.i64();
  uint32_t ne = r.u32();
  if (!r.ok() || ne > r.remaining() / 8) return Status(Error::MarshallingError, "node object: bad epoch count");
  n.epochs.reserve(ne);
  for (uint32_t i = 0; i < ne; ++i) n.epochs.push_back(r.i64());
  n.children = r.strs();
  std::string data = r.str();
  if (!r.ok()) return Status(Error::MarshallingError, "node object: truncated");
  if (!r.at_end()) return Status(Error::MarshallingError, "node object: trailing bytes");
  if (flags & kFlagNullData) {
    if (!data.empty()) return Status(Error::MarshallingError, "node object: null data with bytes");
    n.data = std::nullopt;
  } else {
    n.data = std::move(data);
  }
  return n;
}

}  // namespace faaskeeper
