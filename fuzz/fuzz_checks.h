// Property checks shared by the libFuzzer targets. A violated property calls abort(), which
// libFuzzer reports as a crash with the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "zk/codec.h"

namespace faaskeeper::zk::fuzz {

inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

// Anything that decodes must re-encode to bytes that decode to the same value.
inline void check_request_payload(std::string_view payload) {
  auto env = split_request(payload);
  if (!env.ok()) return;
  auto req = decode_request(env->header, env->body);
  if (!req.ok()) {
    require(req.code() == Error::MarshallingError || req.code() == Error::Unimplemented,
            "decode_request error code");
    return;
  }
  const std::string again = encode_request(env->header.xid, *req);
  auto env2 = split_request(std::string_view(again).substr(kFramePrefixBytes));
  require(env2.ok() && env2->header == env->header, "request header round trip");
  auto req2 = decode_request(env2->header, env2->body);
  require(req2.ok() && *req2 == *req, "request round trip");
}

inline void check_connect_payload(std::string_view payload) {
  auto req = decode_connect_request(payload);
  if (!req.ok()) return;
  const std::string again = encode_connect_request(*req);
  auto req2 = decode_connect_request(std::string_view(again).substr(kFramePrefixBytes));
  require(req2.ok() && *req2 == *req, "connect request round trip");
  ConnectResponse rsp;
  rsp.has_read_only = req->has_read_only;
  rsp.password = req->password;
  const std::string f = encode_connect_response(rsp);
  require(f.size() == kFramePrefixBytes + 20 + rsp.password.size() + (rsp.has_read_only ? 1 : 0),
          "connect response mirrors the request form");
}

inline void check_response_body(OpCode op, std::string_view body) {
  auto rsp = decode_response(op, body);
  if (!rsp.ok()) return;
  JuteWriter w;
  write_response_body(w, *rsp);
  const std::string again = std::move(w).finish();
  auto rsp2 = decode_response(op, again);
  require(rsp2.ok() && *rsp2 == *rsp, "response round trip");
}

}  // namespace faaskeeper::zk::fuzz
