// libFuzzer target: a raw client→server byte stream through FrameDecoder, then every frame
// through the handshake (first frame) or request decoders.
// Input: byte 0 selects the chunk size used to feed the stream (1..64); the rest is the stream.
// Properties: no crash/UB/leak; the items are the same whether the stream is fed whole or in
// chunks; decoded values round-trip.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_checks.h"

using namespace faaskeeper::zk;

namespace {
std::vector<std::string> items(std::string_view stream, size_t chunk) {
  FrameDecoder d;
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    const size_t n = chunk ? chunk : stream.size();
    d.feed(stream.substr(pos, n));
    pos = std::min(stream.size(), pos + n);
    while (true) {
      auto item = d.next();
      if (!item.ok()) {
        out.push_back("#error");
        fuzz::require(d.buffered() == 0, "failed decoder keeps no bytes");
        return out;
      }
      if (std::holds_alternative<NeedMore>(*item)) break;
      if (auto* w = std::get_if<FourLetterCommand>(&*item)) {
        fuzz::require(out.empty(), "four-letter word only on a fresh connection");
        out.push_back("#4lw:" + w->word);
        return out;
      }
      out.push_back(std::move(std::get<Frame>(*item).payload));
      fuzz::require(out.back().size() <= size_t(kMaxFrameBytes), "frame within jute.maxbuffer");
    }
    fuzz::require(d.buffered() < kFramePrefixBytes + size_t(kMaxFrameBytes), "bounded buffer");
    if (pos >= stream.size()) return out;
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 64;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto whole = items(stream, 0);
  const auto chunked = items(stream, chunk);
  fuzz::require(whole == chunked, "chunking does not change the decoded items");
  for (size_t i = 0; i < whole.size(); ++i) {
    if (!whole[i].empty() && whole[i][0] == '#') continue;
    if (i == 0) fuzz::check_connect_payload(whole[i]);
    else fuzz::check_request_payload(whole[i]);
  }
  return 0;
}
