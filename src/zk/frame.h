// Incremental framing of a ZooKeeper byte stream: int32 length prefix + payload.
//
// ZooKeeper (NIOServerCnxn.readLength) treats the first 4 bytes of a fresh connection that
// spell a known four-letter command ("ruok", "srvr", ...) as that command: it answers in text
// and closes. Any other prefix is a length; a length < 0 or > jute.maxbuffer closes the
// connection without a reply. FrameDecoder reproduces exactly these decisions and leaves the
// replies to the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "faaskeeper/error.h"
#include "zk/limits.h"

namespace faaskeeper::zk {

// The command spelled by `prefix` (the first 4 bytes of a connection read as a big-endian int)
// if it is one ZooKeeper 3.8 recognises: conf cons crst dirs dump envi gtmk hash isro mntr ruok
// srst srvr stat stmk wchc wchp wchs. Unknown words are not commands (they are lengths).
std::optional<std::string_view> four_letter_word(int32_t prefix);

// A complete frame: the payload without its length prefix.
struct Frame {
  std::string payload;
};
// The connection opened with a four-letter command; answer it in text and close.
struct FourLetterCommand {
  std::string word;
};
// No complete item is buffered yet; feed more bytes.
struct NeedMore {};

using FrameItem = std::variant<NeedMore, Frame, FourLetterCommand>;

class FrameDecoder {
 public:
  // detect_four_letter_words: true for the server side of a fresh connection (only the first
  // 4 bytes are ever checked). max_frame: the largest accepted length prefix.
  explicit FrameDecoder(bool detect_four_letter_words = true,
                        int32_t max_frame = kMaxFrameBytes);

  // Appends bytes read from the socket. Never fails; problems surface in next().
  void feed(std::string_view bytes);

  // The next complete item, in stream order. Call it until NeedMore after every feed(); then
  // fewer than 4 + max_frame bytes stay buffered.
  // Errors are fatal (the connection must be closed, nothing more is decoded):
  //  - MarshallingError: a length prefix < 0 or > max_frame;
  //  - MarshallingError: next() called again after a FourLetterCommand (the connection is over).
  // Once failed, every later call returns the same error.
  Result<FrameItem> next();

  // Bytes fed but not yet returned in a frame.
  size_t buffered() const { return buf_.size() - pos_; }
  // Whether any frame has been returned (the handshake frame is always the first).
  bool seen_first_frame() const { return seen_first_; }

 private:
  Result<FrameItem> fail(std::string why);

  bool detect_4lw_;
  int32_t max_frame_;
  std::string buf_;
  size_t pos_ = 0;  // start of the unconsumed bytes in buf_
  bool seen_first_ = false;
  bool finished_ = false;
  std::optional<Status> error_;
};

// A complete frame (4-byte big-endian length + payload) around `payload`.
std::string frame_bytes(std::string_view payload);

}  // namespace faaskeeper::zk
