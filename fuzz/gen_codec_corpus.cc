// Writes the seed corpora of the codec fuzz targets from valid values (one file per seed):
//   messages_fuzzer/       selector byte (0 request, 1 server, 2 distributor, 3 watch batch) + message
//   node_object_fuzzer/    node objects (null/empty/binary data, children, epochs)
//   endpoint_wire_fuzzer/  frame bodies of every kind (the 4-byte header stripped), addresses
//   local_store_fuzzer/    selector byte (0 item, 1 record) + item payload / record
//   aws_codec_fuzzer/      selector byte (0 item, 1 value, 2 SQS body, 3 sequence, 4 Lambda event,
//                          5 error response) + text
// Usage: codec_fuzz_corpus_gen <dir>   (fuzz/run.sh --regen-corpus)
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/node_object.h"
#include "endpoint/wire.h"
#include "protocol/messages.h"
#include "providers/local/codec.h"

using namespace faaskeeper;
namespace fs = std::filesystem;

namespace {

int written = 0;

void write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
  ++written;
}

std::string sel(int s, const std::string& rest) { return std::string(1, char(s)) + rest; }

Stat stat_of(int64_t base) {
  Stat s;
  s.czxid = base; s.mzxid = base + 1; s.ctime = 1700000000000; s.mtime = 1700000000500; s.version = 2;
  s.cversion = 3; s.aversion = 0; s.ephemeral_owner = base % 2 ? 0x1234 : 0; s.data_length = 5;
  s.num_children = 2; s.pzxid = base + 2;
  return s;
}

void messages(const fs::path& dir) {
  std::vector<Operation> ops = {
      CreateRequest{"/a", std::string("data"), CreateMode::Persistent, -1},
      CreateRequest{"/seq-", std::nullopt, CreateMode::EphemeralSequential, -1},
      CreateRequest{"/ttl", std::string("\0\1", 2), CreateMode::PersistentWithTtl, 5000},
      DeleteRequest{"/a", 3},
      SetDataRequest{"/a", std::string("x"), -1},
      MultiRequest{{CreateRequest{"/m", std::string("1"), CreateMode::Persistent, -1}, CheckRequest{"/m", 0},
                    SetDataRequest{"/m", std::string("2"), 0}, DeleteRequest{"/m", -1}}},
      SyncRequest{"/"},
      OpenSessionRequest{30000},
      CloseSessionRequest{true},
      RegisterWatchRequest{"/w", WatchKind::PersistentRecursive, true, 42},
      RemoveWatchesRequest{"/w", 3},
      ReapRequest{"/c", 1, 2, 3},
  };
  int i = 0;
  for (const auto& op : ops) {
    ClientRequest r{int64_t(7) << 32 | i, uint64_t(i + 1), op};
    write(dir, "request-" + std::to_string(i++), sel(0, encode(r)));
  }
  OpResult created{Error::Ok, "/seq-0000000001", stat_of(10)};
  OpResult failed{Error::NodeExists, "", Stat{}};
  std::vector<ServerMessage> server = {
      Reply{3, Error::Ok, "", 17, {created}},
      Reply{4, Error::NodeExists, "node /a exists", 0, {failed, OpResult{Error::RuntimeInconsistency, "", {}}}},
      WatchNotification{EventType::NodeDataChanged, "/w", 18},
      Ping{1700000000123},
      SessionClosed{true},
  };
  i = 0;
  for (const auto& m : server) write(dir, "server-" + std::to_string(i++), sel(1, encode(m)));

  DistributorMessage d;
  d.session_id = 9;
  d.seq = 5;
  d.lock_owner = "writer-1:abc";
  NodeWrite w;
  w.path = "/a/b";
  w.created = true;
  w.meta.czxid = kPendingTxid;
  w.meta.mzxid = kPendingTxid;
  w.meta.mode = CreateMode::Ephemeral;
  w.meta.ephemeral_owner = 9;
  w.data_changed = true;
  w.data = std::string("v");
  NodeWrite parent;
  parent.path = "/a";
  parent.meta.child_counter = 4;
  parent.children_add = {"b"};
  parent.children_remove = {"old"};
  d.writes = {w, parent};
  d.unlock = {"/x"};
  d.unlock_delete = {"/y"};
  d.session.timeout_ms = 10000;
  d.ephemerals_add = {{9, "/a/b"}};
  d.triggers = {{EventType::NodeCreated, "/a/b"}, {EventType::NodeChildrenChanged, "/a"}};
  d.reply = Reply{5, Error::Ok, "", 0, {created}};
  d.reapables_add = {"/c"};
  write(dir, "distributor-create", sel(2, encode(d)));
  DistributorMessage clear;
  clear.clear_epochs = {{"/a", 17}, {"/a/b", 18}};
  write(dir, "distributor-clear", sel(2, encode(clear)));
  DistributorMessage close;
  close.session_id = 9;
  close.seq = kExpirySeq;
  close.session.close = true;
  close.session.expired = true;
  close.ephemerals_remove = {{9, "/a/b"}};
  write(dir, "distributor-expire", sel(2, encode(close)));

  WatchBatch b{21, {{9, EventType::NodeDeleted, "/a/b"}, {11, EventType::NodeChildrenChanged, "/a"}}, {"/a"}};
  write(dir, "watch-batch", sel(3, encode(b)));
}

void node_objects(const fs::path& dir) {
  NodeObject a{stat_of(1), std::string("hello"), {"x", "y"}, {}};
  NodeObject b{stat_of(2), std::nullopt, {}, {5, 6}};
  NodeObject c{stat_of(3), std::string(), {}, {}};
  NodeObject d{stat_of(4), std::string("\0\xff\x01", 3), {"c-0000000001", std::string("\xc3\xa9")}, {7}};
  int i = 0;
  for (const auto& n : {a, b, c, d}) write(dir, "node-" + std::to_string(i++), encode_node_object(n));
}

void wire_frames(const fs::path& dir) {
  ClientRequest r{42, 1, SetDataRequest{"/a", std::string("x"), -1}};
  std::vector<std::string> frames = {
      wire::attach_frame(1, 42),
      wire::detach_frame(2, 42),
      wire::submit_frame(3, encode(r)),
      wire::read_frame(4, "/a/b"),
      wire::result_frame(3, Status::OK()),
      wire::result_frame(5, Status(Error::ConnectionLoss, "queue unavailable")),
      wire::read_result_frame(4, Status::OK(), encode_node_object(NodeObject{stat_of(1), std::string("d"), {}, {}})),
      wire::read_result_frame(6, Status(Error::NoNode, ""), std::nullopt),
      wire::push_frame(42, encode(ServerMessage{Ping{1}})),
  };
  int i = 0;
  for (const auto& f : frames) write(dir, "frame-" + std::to_string(i++), f.substr(wire::kHeaderBytes));
  write(dir, "address-v4", "127.0.0.1:2181");
  write(dir, "address-v6", "[::1]:65535\n");
}

void local_store(const fs::path& dir) {
  Item item{{"counter", int64_t(-5)}, {"data", std::string("\0bytes", 6)},
            {"set", StringSet{{"a", "b"}}}, {"list", std::vector<std::string>{"x", "", "z"}}};
  write(dir, "item", sel(0, local_codec::encode_item(item)));
  write(dir, "item-empty", sel(0, local_codec::encode_item(Item{})));
  write(dir, "record-short", sel(1, local_codec::make_record("k", "payload")));
  write(dir, "record-long", sel(1, local_codec::make_record(std::string(450, 'p'), "payload")));
}

void aws(const fs::path& dir) {
  write(dir, "item", sel(0, R"({"path":{"S":"/a"},"version":{"N":"3"},"data":{"B":"aGVsbG8="},)"
                            R"("children":{"SS":["b","a"]},"ops":{"L":[{"S":"x"},{"B":"AP8="}]}})"));
  write(dir, "value-n", sel(1, R"({"N":"-9223372036854775808"})"));
  write(dir, "value-s", sel(1, R"({"S":"caf\u00e9"})"));
  write(dir, "sqs-text", sel(2, "plain text body"));
  write(dir, "sqs-binary", sel(2, std::string("\0\1\2\xff", 4)));
  write(dir, "sqs-pointer", sel(2, R"({"bucket":"fk-queue","key":"writer/1","size":300000})"));
  write(dir, "sequence", sel(3, "18889465931478580854784"));
  write(dir, "sequence-max", sel(3, "340282366920938463463374607431768211455"));
  write(dir, "lambda-event",
        sel(4, R"({"Records":[{"messageId":"m1","body":"AAE=","eventSource":"aws:sqs",)"
               R"("eventSourceARN":"arn:aws:sqs:us-east-1:1:writer.fifo",)"
               R"("attributes":{"MessageGroupId":"7","MessageDeduplicationId":"7:1",)"
               R"("SequenceNumber":"18889465931478580854784","ApproximateReceiveCount":"2"},)"
               R"("messageAttributes":{"fk-enc":{"stringValue":"base64","dataType":"String"}}}]})"));
  write(dir, "error-json", sel(5, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"})"));
  write(dir, "error-xml", sel(5, "<Error><Code>NoSuchKey</Code></Error>"));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  const fs::path root(argv[1]);
  messages(root / "messages_fuzzer");
  node_objects(root / "node_object_fuzzer");
  wire_frames(root / "endpoint_wire_fuzzer");
  local_store(root / "local_store_fuzzer");
  aws(root / "aws_codec_fuzzer");
  std::printf("wrote %d seeds under %s\n", written, root.c_str());
  return 0;
}
