// FrameDecoder: incremental framing, the jute.maxbuffer limit, four-letter words.
#include <gtest/gtest.h>

#include "samples.h"
#include "zk/frame.h"

namespace faaskeeper::zk {
namespace {
using testing::unhex;

// Drains the decoder: payloads of complete frames, until NeedMore or an error.
struct Drained {
  std::vector<std::string> frames;
  std::optional<std::string> word;
  std::optional<Status> error;
};
Drained drain(FrameDecoder& d) {
  Drained out;
  while (true) {
    auto item = d.next();
    if (!item.ok()) {
      out.error = item.status();
      return out;
    }
    if (std::holds_alternative<NeedMore>(*item)) return out;
    if (auto* f = std::get_if<Frame>(&*item)) out.frames.push_back(f->payload);
    if (auto* w = std::get_if<FourLetterCommand>(&*item)) {
      out.word = w->word;
      return out;
    }
  }
}

TEST(FrameBytes, PrefixesBigEndianLength) {
  EXPECT_EQ(frame_bytes("abc"), unhex("00000003 616263"));
  EXPECT_EQ(frame_bytes(""), unhex("00000000"));
}

TEST(FrameDecoder, WholeFramesInOneFeed) {
  FrameDecoder d;
  d.feed(frame_bytes("first") + frame_bytes("") + frame_bytes("third"));
  auto r = drain(d);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.frames, (std::vector<std::string>{"first", "", "third"}));
  EXPECT_EQ(d.buffered(), 0u);
  EXPECT_TRUE(d.seen_first_frame());
}

TEST(FrameDecoder, ByteAtATimeGivesTheSameFrames) {
  const std::string stream = frame_bytes("hello") + frame_bytes(std::string(1000, 'z'));
  FrameDecoder d;
  std::vector<std::string> frames;
  for (char c : stream) {
    d.feed(std::string_view(&c, 1));
    auto r = drain(d);
    ASSERT_FALSE(r.error);
    frames.insert(frames.end(), r.frames.begin(), r.frames.end());
  }
  EXPECT_EQ(frames, (std::vector<std::string>{"hello", std::string(1000, 'z')}));
}

TEST(FrameDecoder, PartialFrameWaitsForMoreBytes) {
  FrameDecoder d;
  const std::string f = frame_bytes("payload");
  d.feed(f.substr(0, 6));
  auto r = drain(d);
  EXPECT_TRUE(r.frames.empty());
  EXPECT_FALSE(r.error);
  EXPECT_EQ(d.buffered(), 6u);
  d.feed(f.substr(6));
  r = drain(d);
  EXPECT_EQ(r.frames, std::vector<std::string>{"payload"});
}

TEST(FrameDecoder, MaximumFrameIsAcceptedOneMoreByteIsFatal) {
  {
    FrameDecoder d;
    d.feed(frame_bytes(std::string(kMaxFrameBytes, 'm')));
    auto r = drain(d);
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.frames.size(), 1u);
    EXPECT_EQ(r.frames[0].size(), 1048575u);
  }
  {
    FrameDecoder d;
    d.feed(unhex("00100000"));  // 1,048,576: fatal as soon as the prefix is seen
    auto r = drain(d);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code(), Error::MarshallingError);
    EXPECT_NE(r.error->message().find("1048576"), std::string::npos) << r.error->message();
  }
}

TEST(FrameDecoder, NegativeLengthIsFatalAndSticky) {
  FrameDecoder d;
  d.feed(frame_bytes("ok") + unhex("ffffffff") + frame_bytes("never"));
  auto r = drain(d);
  EXPECT_EQ(r.frames, std::vector<std::string>{"ok"});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code(), Error::MarshallingError);
  d.feed(frame_bytes("still never"));
  auto again = d.next();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(), r.error->message());
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(FrameDecoder, EveryKnownFourLetterWordIsDetectedOnAFreshConnection) {
  for (const char* w : {"conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "isro",
                        "mntr", "ruok", "srst", "srvr", "stat", "stmk", "wchc", "wchp",
                        "wchs"}) {
    FrameDecoder d;
    d.feed(std::string(w) + "\n");
    auto r = drain(d);
    ASSERT_TRUE(r.word) << w;
    EXPECT_EQ(*r.word, w);
    auto after = d.next();
    ASSERT_FALSE(after.ok()) << "the connection is over after " << w;
  }
}

TEST(FrameDecoder, UnknownWordsAreLengthsAndGarbageIsFatal) {
  // "abcd" = 0x61626364 and "GET " = 0x47455420 exceed the limit: closed without a reply,
  // as ZooKeeper does for HTTP or other garbage before the handshake.
  for (const char* garbage : {"abcd", "GET / HTTP/1.1\r\n\r\n", "RUOK"}) {
    FrameDecoder d;
    d.feed(garbage);
    auto r = drain(d);
    EXPECT_FALSE(r.word) << garbage;
    ASSERT_TRUE(r.error) << garbage;
    EXPECT_EQ(r.error->code(), Error::MarshallingError);
  }
}

TEST(FrameDecoder, FourLetterWordsAfterTheFirstFrameAreLengths) {
  FrameDecoder d;
  d.feed(frame_bytes("handshake") + "ruok");
  auto r = drain(d);
  EXPECT_EQ(r.frames, std::vector<std::string>{"handshake"});
  EXPECT_FALSE(r.word);
  ASSERT_TRUE(r.error);  // 0x72756f6b > jute.maxbuffer
}

TEST(FrameDecoder, DetectionCanBeDisabledForTheClientSide) {
  FrameDecoder d(/*detect_four_letter_words=*/false, /*max_frame=*/0x7fffffff);
  d.feed("imok");  // a length of 0x696d6f6b: waits for that many bytes
  auto r = drain(d);
  EXPECT_FALSE(r.word);
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.frames.empty());
}

TEST(FrameDecoder, FourLetterWordNeedsAllFourBytes) {
  FrameDecoder d;
  d.feed("ru");
  EXPECT_TRUE(std::holds_alternative<NeedMore>(*d.next()));
  d.feed("ok");
  auto item = d.next();
  ASSERT_TRUE(item.ok());
  ASSERT_TRUE(std::holds_alternative<FourLetterCommand>(*item));
  EXPECT_EQ(std::get<FourLetterCommand>(*item).word, "ruok");
}

TEST(FrameDecoder, BufferStaysBoundedWhileStreaming) {
  FrameDecoder d;
  const std::string f = frame_bytes(std::string(100, 'q'));
  size_t frames = 0;
  for (int i = 0; i < 10000; ++i) {
    d.feed(f);
    frames += drain(d).frames.size();
    ASSERT_LT(d.buffered(), f.size());
  }
  EXPECT_EQ(frames, 10000u);
}

TEST(FourLetterWord, ValuesAreTheAsciiBytesBigEndian) {
  EXPECT_EQ(four_letter_word(0x72756f6b), "ruok");
  EXPECT_EQ(four_letter_word(0x73727672), "srvr");
  EXPECT_EQ(four_letter_word(0x656e7669), "envi");
  EXPECT_EQ(four_letter_word(0x61626364), std::nullopt);
  EXPECT_EQ(four_letter_word(45), std::nullopt);
}

}  // namespace
}  // namespace faaskeeper::zk
