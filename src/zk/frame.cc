#include "zk/frame.h"

#include <array>

namespace faaskeeper::zk {

namespace {
constexpr int32_t word_value(const char (&w)[5]) {
  return static_cast<int32_t>((uint32_t(uint8_t(w[0])) << 24) | (uint32_t(uint8_t(w[1])) << 16) |
                              (uint32_t(uint8_t(w[2])) << 8) | uint32_t(uint8_t(w[3])));
}

struct Word {
  int32_t value;
  std::string_view name;
};
// FourLetterCommands in ZooKeeper 3.8.0 (the telnet "close" code 0xfff4fffd is negative and is
// therefore closed as a bad length here, which has the same effect).
constexpr std::array<Word, 18> kWords{{
    {word_value("conf"), "conf"}, {word_value("cons"), "cons"}, {word_value("crst"), "crst"},
    {word_value("dirs"), "dirs"}, {word_value("dump"), "dump"}, {word_value("envi"), "envi"},
    {word_value("gtmk"), "gtmk"}, {word_value("hash"), "hash"}, {word_value("isro"), "isro"},
    {word_value("mntr"), "mntr"}, {word_value("ruok"), "ruok"}, {word_value("srst"), "srst"},
    {word_value("srvr"), "srvr"}, {word_value("stat"), "stat"}, {word_value("stmk"), "stmk"},
    {word_value("wchc"), "wchc"}, {word_value("wchp"), "wchp"}, {word_value("wchs"), "wchs"},
}};

int32_t load_be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<int32_t>((uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) |
                              (uint32_t{u[2]} << 8) | uint32_t{u[3]});
}
}  // namespace

std::optional<std::string_view> four_letter_word(int32_t prefix) {
  for (const auto& w : kWords)
    if (w.value == prefix) return w.name;
  return std::nullopt;
}

FrameDecoder::FrameDecoder(bool detect_four_letter_words, int32_t max_frame)
    : detect_4lw_(detect_four_letter_words), max_frame_(max_frame) {}

void FrameDecoder::feed(std::string_view bytes) {
  if (error_ || finished_) return;  // the connection is over; drop input
  // Compact before growing: consumed bytes never need to be kept.
  if (pos_ > 0 && (pos_ == buf_.size() || pos_ >= buf_.size() / 2)) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

Result<FrameItem> FrameDecoder::fail(std::string why) {
  error_ = Status(Error::MarshallingError, std::move(why));
  buf_.clear();
  pos_ = 0;
  return *error_;
}

Result<FrameItem> FrameDecoder::next() {
  if (error_) return *error_;
  if (finished_) return fail("connection finished with a four-letter command");
  if (buffered() < kFramePrefixBytes) return FrameItem(NeedMore{});
  const int32_t len = load_be32(buf_.data() + pos_);
  if (!seen_first_ && detect_4lw_) {
    if (auto w = four_letter_word(len)) {
      finished_ = true;
      buf_.clear();
      pos_ = 0;
      return FrameItem(FourLetterCommand{std::string(*w)});
    }
  }
  if (len < 0 || len > max_frame_) {
    return fail("frame length " + std::to_string(len) + " outside [0, " +
                std::to_string(max_frame_) + "]");
  }
  const size_t total = kFramePrefixBytes + static_cast<size_t>(len);
  if (buffered() < total) return FrameItem(NeedMore{});
  Frame f{buf_.substr(pos_ + kFramePrefixBytes, static_cast<size_t>(len))};
  pos_ += total;
  seen_first_ = true;
  return FrameItem(std::move(f));
}

std::string frame_bytes(std::string_view payload) {
  std::string out;
  out.reserve(kFramePrefixBytes + payload.size());
  const auto n = static_cast<uint32_t>(payload.size());
  out.push_back(static_cast<char>(n >> 24));
  out.push_back(static_cast<char>(n >> 16));
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n));
  out.append(payload);
  return out;
}

}  // namespace faaskeeper::zk
