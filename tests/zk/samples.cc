#include "samples.h"

#include <stdexcept>

namespace faaskeeper::zk::testing {

Stat distinct_stat() {
  Stat s;
  s.czxid = 0x0102030405060708;
  s.mzxid = 0x1112131415161718;
  s.ctime = 1700000000001;
  s.mtime = 1700000000002;
  s.version = 3;
  s.cversion = -4;
  s.aversion = 5;
  s.ephemeral_owner = 0x7fffffffffff0006;
  s.data_length = 7;
  s.num_children = 8;
  s.pzxid = 0x2122232425262728;
  return s;
}

std::vector<Request> sample_requests() {
  const auto acl = open_acl_unsafe();
  std::vector<Request> v;
  v.push_back(CreateRequest{"/app/node", std::string("hello"), acl, 0});
  v.push_back(CreateRequest{"/app/nulldata", std::nullopt, acl, 1});
  v.push_back(Create2Request{{"/app/seq-", std::string(""), acl, 3}});
  v.push_back(CreateContainerRequest{{"/app/container", std::string("c"), acl, 4}});
  v.push_back(CreateTTLRequest{"/app/ttl", std::string("t"), acl, 5, 60000});
  v.push_back(DeleteRequest{"/app/node", 7});
  v.push_back(ExistsRequest{"/app/maybe", true});
  v.push_back(GetDataRequest{"/app/node", false});
  v.push_back(SetDataRequest{"/app/node", std::string(300, 'x'), -1});
  v.push_back(GetACLRequest{"/app"});
  v.push_back(SetACLRequest{"/app", {ACL{kPermRead, Id{"digest", "u:h"}}, acl[0]}, 2});
  v.push_back(GetChildrenRequest{"/app", true});
  v.push_back(GetChildren2Request{"/", false});
  v.push_back(SyncRequest{"/app"});
  v.push_back(PingRequest{});
  v.push_back(CheckVersionRequest{"/app", 4});
  v.push_back(MultiRequest{{CreateRequest{"/m/a", std::string("1"), acl, 0},
                            Create2Request{{"/m/b", std::nullopt, acl, 2}},
                            CreateContainerRequest{{"/m/c", std::string(), acl, 4}},
                            CreateTTLRequest{"/m/d", std::string("d"), acl, 6, 1000},
                            DeleteRequest{"/m/a", -1}, SetDataRequest{"/m/b", std::string("z"), 0},
                            CheckVersionRequest{"/m", 1}}});
  v.push_back(MultiRequest{});
  v.push_back(MultiReadRequest{{GetDataRequest{"/m/b", false}, GetChildrenRequest{"/m", false}}});
  v.push_back(ReconfigRequest{"server.4=127.0.0.1:2888:3888", "", "", -1});
  v.push_back(CheckWatchesRequest{"/app", kWatcherAny});
  v.push_back(RemoveWatchesRequest{"/app", kWatcherData});
  v.push_back(AuthPacket{0, "digest", "user:password"});
  v.push_back(SaslRequest{"token"});
  v.push_back(SetWatchesRequest{0x100, {"/a", "/b"}, {"/c"}, {}});
  v.push_back(SetWatches2Request{0x200, {"/a"}, {}, {"/b"}, {"/p"}, {"/r", "/s"}});
  v.push_back(GetEphemeralsRequest{"/app"});
  v.push_back(GetAllChildrenNumberRequest{"/app"});
  v.push_back(AddWatchRequest{"/app", kAddWatchPersistentRecursive});
  v.push_back(WhoAmIRequest{});
  v.push_back(CloseSessionRequest{});
  return v;
}

std::vector<std::pair<OpCode, Response>> sample_responses() {
  const Stat st = distinct_stat();
  std::vector<std::pair<OpCode, Response>> v;
  v.emplace_back(OpCode::Delete, EmptyResponse{});
  v.emplace_back(OpCode::Create, CreateResponse{"/app/node"});
  v.emplace_back(OpCode::Create2, Create2Response{"/app/seq-0000000003", st});
  v.emplace_back(OpCode::Exists, ExistsResponse{st});
  v.emplace_back(OpCode::GetData, GetDataResponse{std::string("hello"), st});
  v.emplace_back(OpCode::GetData, GetDataResponse{std::nullopt, st});
  v.emplace_back(OpCode::SetData, SetDataResponse{st});
  v.emplace_back(OpCode::GetACL, GetACLResponse{open_acl_unsafe(), st});
  v.emplace_back(OpCode::SetACL, SetACLResponse{st});
  v.emplace_back(OpCode::GetChildren, GetChildrenResponse{{"a", "b", "c"}});
  v.emplace_back(OpCode::GetChildren2, GetChildren2Response{{}, st});
  v.emplace_back(OpCode::Sync, SyncResponse{"/app"});
  v.emplace_back(OpCode::Multi,
                 MultiResponse{{CreateResponse{"/m/a"}, Create2Response{"/m/b", st},
                                DeleteResult{}, SetDataResponse{st}, CheckResult{}}});
  v.emplace_back(OpCode::Multi, failed_multi_response(3, 1, Error::NoNode));
  v.emplace_back(OpCode::MultiRead,
                 MultiResponse{{GetDataResponse{std::string("v"), st},
                                GetChildrenResponse{{"x"}}, ErrorResponse{-101}}});
  v.emplace_back(OpCode::GetEphemerals, GetEphemeralsResponse{{"/app/e1", "/e2"}});
  v.emplace_back(OpCode::GetAllChildrenNumber, GetAllChildrenNumberResponse{42});
  v.emplace_back(OpCode::AddWatch, ErrorResponse{0});
  v.emplace_back(OpCode::WhoAmI, WhoAmIResponse{{ClientInfo{"ip", "127.0.0.1"}}});
  v.emplace_back(OpCode::Sasl, SaslResponse{"challenge"});
  return v;
}

std::string unhex(std::string_view h) {
  std::string out;
  int hi = -1;
  for (char c : h) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else if (c == ' ' || c == '\n' || c == '\t') continue;
    else throw std::invalid_argument("bad hex digit");
    if (hi < 0) {
      hi = d;
    } else {
      out.push_back(static_cast<char>(hi * 16 + d));
      hi = -1;
    }
  }
  if (hi >= 0) throw std::invalid_argument("odd number of hex digits");
  return out;
}

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

}  // namespace faaskeeper::zk::testing
