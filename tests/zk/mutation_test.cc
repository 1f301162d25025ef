// Seeded random-mutation harness: mutated valid frames go through every decoder. It asserts
// that nothing crashes (ASan/UBSan builds check memory), that decoding is independent of how
// the stream is chunked, and that whatever decodes re-encodes to something that decodes to the
// same value. Time-bounded (default 5 s); FK_ZK_MUTATION_SEED / FK_ZK_MUTATION_SECONDS override.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>

#include "samples.h"
#include "zk/codec.h"

namespace faaskeeper::zk {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  size_t below(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  std::string mutate(std::string s, const std::vector<std::string>& pool) {
    const int rounds = 1 + static_cast<int>(below(4));
    for (int i = 0; i < rounds; ++i) mutate_once(s, pool);
    return s;
  }

 private:
  void put32(std::string& s, size_t at, uint32_t v) {
    for (int k = 0; k < 4 && at + k < s.size(); ++k) s[at + k] = static_cast<char>(v >> (24 - 8 * k));
  }
  void mutate_once(std::string& s, const std::vector<std::string>& pool) {
    static constexpr uint32_t kInteresting[] = {0,          1,          4,          16,
                                                0xffffffff, 0xfffffffe, 0x7fffffff, 0x80000000,
                                                0x000fffff, 0x00100000, 0x0000ffff, 45};
    switch (below(8)) {
      case 0:  // flip a bit
        if (!s.empty()) s[below(s.size())] ^= static_cast<char>(1 << below(8));
        break;
      case 1:  // set a byte
        if (!s.empty()) s[below(s.size())] = static_cast<char>(below(256));
        break;
      case 2:  // overwrite 4 bytes with an interesting int (lengths, counts, opcodes)
        if (!s.empty()) put32(s, below(s.size()), kInteresting[below(std::size(kInteresting))]);
        break;
      case 3:  // truncate
        s.resize(below(s.size() + 1));
        break;
      case 4: {  // delete a range
        if (s.empty()) break;
        size_t at = below(s.size());
        s.erase(at, below(s.size() - at) + 1);
        break;
      }
      case 5: {  // insert random bytes
        std::string ins(1 + below(8), '\0');
        for (char& c : ins) c = static_cast<char>(below(256));
        s.insert(below(s.size() + 1), ins);
        break;
      }
      case 6: {  // duplicate a range
        if (s.empty()) break;
        size_t at = below(s.size());
        s.insert(below(s.size() + 1), s.substr(at, below(16) + 1));
        break;
      }
      case 7: {  // splice with another sample
        const std::string& o = pool[below(pool.size())];
        s = s.substr(0, below(s.size() + 1)) + o.substr(below(o.size() + 1));
        break;
      }
    }
  }

  std::mt19937_64 rng_;
};

struct Stats {
  uint64_t inputs = 0, frames = 0, requests_ok = 0, requests_bad = 0, responses_ok = 0,
           responses_bad = 0, handshakes_ok = 0, fatal_framing = 0;
};

// decode → encode → decode must be a fixed point for anything that decodes.
void check_request(std::string_view payload, Stats& st) {
  auto env = split_request(payload);
  if (!env.ok()) {
    ++st.requests_bad;
    return;
  }
  auto req = decode_request(env->header, env->body);
  if (!req.ok()) {
    ASSERT_TRUE(req.code() == Error::MarshallingError || req.code() == Error::Unimplemented)
        << req.status().to_string();
    ++st.requests_bad;
    return;
  }
  ++st.requests_ok;
  const std::string again = encode_request(env->header.xid, *req);
  auto env2 = split_request(std::string_view(again).substr(4));
  ASSERT_TRUE(env2.ok());
  EXPECT_EQ(env2->header, env->header);
  auto req2 = decode_request(env2->header, env2->body);
  ASSERT_TRUE(req2.ok()) << req2.status().to_string();
  ASSERT_EQ(*req2, *req) << opcode_name(env->header.type);
}

void check_handshake(std::string_view payload, Stats& st) {
  auto req = decode_connect_request(payload);
  if (!req.ok()) {
    ASSERT_EQ(req.code(), Error::MarshallingError);
    return;
  }
  ++st.handshakes_ok;
  const std::string again = encode_connect_request(*req);
  auto req2 = decode_connect_request(std::string_view(again).substr(4));
  ASSERT_TRUE(req2.ok());
  ASSERT_EQ(*req2, *req);
}

void check_response(OpCode op, std::string_view body, Stats& st) {
  auto rsp = decode_response(op, body);
  if (!rsp.ok()) {
    ++st.responses_bad;
    return;
  }
  ++st.responses_ok;
  JuteWriter w;
  write_response_body(w, *rsp);
  const std::string again = std::move(w).finish();
  auto rsp2 = decode_response(op, again);
  ASSERT_TRUE(rsp2.ok()) << rsp2.status().to_string();
  ASSERT_EQ(*rsp2, *rsp) << opcode_name(int32_t(op));
}

// Items the frame decoder yields for `stream`, fed in the given chunk sizes (0 = all at once).
std::vector<std::string> frame_items(const std::string& stream, Mutator* chunker, bool* fatal) {
  FrameDecoder d;
  std::vector<std::string> items;
  size_t pos = 0;
  *fatal = false;
  while (true) {
    size_t n = chunker ? 1 + chunker->below(64) : stream.size();
    d.feed(std::string_view(stream).substr(pos, n));
    pos = std::min(stream.size(), pos + n);
    while (true) {
      auto item = d.next();
      if (!item.ok()) {
        *fatal = true;
        items.push_back("#error:" + item.status().message());
        return items;
      }
      if (std::holds_alternative<NeedMore>(*item)) break;
      if (auto* w = std::get_if<FourLetterCommand>(&*item)) {
        items.push_back("#4lw:" + w->word);
        return items;
      }
      items.push_back(std::get<Frame>(*item).payload);
    }
    if (pos >= stream.size()) return items;
  }
}

TEST(MutationHarness, DecodersSurviveMutatedFrames) {
  const uint64_t seed = env_u64("FK_ZK_MUTATION_SEED", std::random_device{}());
  const uint64_t seconds = env_u64("FK_ZK_MUTATION_SECONDS", 5);
  std::cout << "[ mutation ] seed " << seed << " for " << seconds
            << " s (rerun: FK_ZK_MUTATION_SEED=" << seed << ")" << std::endl;
  RecordProperty("seed", std::to_string(seed));

  // Corpus: a handshake stream followed by request frames; reply bodies per opcode.
  std::vector<std::string> request_frames;
  for (const Request& r : testing::sample_requests()) request_frames.push_back(encode_request(3, r));
  ConnectRequest cr;
  cr.timeout_ms = 10000;
  cr.password.assign(16, '\0');
  const std::string hs45 = encode_connect_request(cr);
  cr.has_read_only = false;
  const std::string hs44 = encode_connect_request(cr);
  std::vector<std::string> pool = request_frames;
  pool.push_back(hs45);
  pool.push_back(hs44);
  std::vector<std::pair<OpCode, std::string>> reply_bodies;
  for (const auto& [op, rsp] : testing::sample_responses()) {
    JuteWriter w;
    write_response_body(w, rsp);
    reply_bodies.emplace_back(op, std::move(w).finish());
    pool.push_back(reply_bodies.back().second);
  }

  Mutator m(seed);
  Stats st;
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  auto slowest = Clock::duration::zero();
  while (Clock::now() < deadline) {
    const auto t0 = Clock::now();
    ++st.inputs;
    // 1. A connection stream: handshake + a few requests, mutated as a whole.
    std::string stream = m.below(2) ? hs45 : hs44;
    for (size_t i = 0, n = 1 + m.below(3); i < n; ++i)
      stream += request_frames[m.below(request_frames.size())];
    stream = m.mutate(stream, pool);
    bool fatal_whole = false, fatal_chunked = false;
    const auto whole = frame_items(stream, nullptr, &fatal_whole);
    const auto chunked = frame_items(stream, &m, &fatal_chunked);
    ASSERT_EQ(whole, chunked) << "chunking changed the decoded frames (seed " << seed << ")";
    st.fatal_framing += fatal_whole;
    for (size_t i = 0; i < whole.size(); ++i) {
      if (!whole[i].empty() && whole[i][0] == '#') continue;
      ++st.frames;
      if (i == 0) check_handshake(whole[i], st);
      else check_request(whole[i], st);
      if (::testing::Test::HasFatalFailure()) return;
    }
    // 2. A single request payload, mutated, straight into split/decode.
    const std::string& f = request_frames[m.below(request_frames.size())];
    check_request(m.mutate(f.substr(4), pool), st);
    // 3. A handshake payload.
    check_handshake(m.mutate((m.below(2) ? hs45 : hs44).substr(4), pool), st);
    // 4. A reply body, decoded as the reply to its own opcode or a random known one.
    const auto& [op, body] = reply_bodies[m.below(reply_bodies.size())];
    const OpCode as = m.below(4) == 0 ? reply_bodies[m.below(reply_bodies.size())].first : op;
    check_response(as, m.mutate(body, pool), st);
    if (::testing::Test::HasFatalFailure()) return;
    slowest = std::max(slowest, Clock::now() - t0);
  }
  std::cout << "[ mutation ] " << st.inputs << " inputs, " << st.frames << " frames; requests "
            << st.requests_ok << " ok / " << st.requests_bad << " rejected; responses "
            << st.responses_ok << " ok / " << st.responses_bad << " rejected; handshakes ok "
            << st.handshakes_ok << "; fatal framing " << st.fatal_framing << "; slowest input "
            << std::chrono::duration_cast<std::chrono::microseconds>(slowest).count() << " us"
            << std::endl;
  // The harness must exercise both outcomes, or the mutations are too weak/strong to mean much.
  EXPECT_GT(st.inputs, 100u);
  EXPECT_GT(st.requests_ok, 0u);
  EXPECT_GT(st.requests_bad, 0u);
  EXPECT_GT(st.responses_ok, 0u);
  EXPECT_GT(st.responses_bad, 0u);
  EXPECT_GT(st.handshakes_ok, 0u);
  EXPECT_GT(st.fatal_framing, 0u);
  // No input may take long: every decoder is linear in its input (hang detection).
  EXPECT_LT(slowest, std::chrono::seconds(1));
}

}  // namespace
}  // namespace faaskeeper::zk
