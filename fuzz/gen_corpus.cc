// Writes the seed corpora of the fuzz targets from valid frames:
//   <dir>/zk_frame_fuzzer/    chunk byte + handshake frame (44 or 45 bytes) + request frames
//   <dir>/zk_request_fuzzer/  one request payload (header + body) per sample, plus handshakes
// Usage: zk_fuzz_corpus_gen <dir>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "samples.h"

using namespace faaskeeper::zk;

namespace {
void write(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path root(argv[1]);
  const auto frame_dir = root / "zk_frame_fuzzer";
  const auto request_dir = root / "zk_request_fuzzer";
  std::filesystem::create_directories(frame_dir);
  std::filesystem::create_directories(request_dir);

  ConnectRequest cr;
  cr.timeout_ms = 30000;
  cr.password.assign(16, '\0');
  const std::string hs45 = encode_connect_request(cr);
  cr.has_read_only = false;
  const std::string hs44 = encode_connect_request(cr);

  const auto reqs = testing::sample_requests();
  int n = 0;
  for (size_t i = 0; i < reqs.size(); ++i) {
    const std::string frame = encode_request(static_cast<int32_t>(i + 1), reqs[i]);
    char name[32];
    std::snprintf(name, sizeof name, "req-%02zu-%s", i, opcode_name(int32_t(request_opcode(reqs[i]))).c_str());
    write(request_dir / name, frame.substr(kFramePrefixBytes));
    // Stream seed: chunk selector, a handshake, this request and a ping.
    const std::string chunk(1, static_cast<char>(i % 64));
    write(frame_dir / name, chunk + (i % 2 ? hs44 : hs45) + frame + encode_request(kPingXid, PingRequest{}));
    n += 2;
  }
  write(request_dir / "connect-45", hs45.substr(kFramePrefixBytes));
  write(request_dir / "connect-44", hs44.substr(kFramePrefixBytes));
  write(frame_dir / "ruok", std::string(1, '\0') + "ruok");
  write(frame_dir / "oversized", std::string(1, '\3') + frame_bytes("x").replace(0, 4, "\x00\x10\x00\x00", 4));
  std::printf("wrote %d seeds under %s\n", n + 4, root.c_str());
  return 0;
}
