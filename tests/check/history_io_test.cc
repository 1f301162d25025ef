// JSON-lines serialisation: exact round trips, crash-truncated files, errors with line numbers.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "builder.h"
#include "check/history_io.h"
#include "check/recorder.h"

namespace faaskeeper::check::testing {
namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "/fk_check_" + name + "_" + std::to_string(::getpid());
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A history that uses every field the format has.
History rich_history() {
  HistoryBuilder b;
  b.node("/a", "0");
  b.node("/bin", std::string("\xff\x00\x01", 3), 2, 3);
  InitialNode eph;
  eph.path = "/e";
  eph.data = std::nullopt;
  eph.stat = vm(0, 4);
  eph.owner = 9;
  b.h.initial.push_back(eph);

  b.op(1, 10, 20, set("/a", std::string("\x80 not utf8", 10), 0), ok_stat(leaf(1, 1, 5, 10)));
  b.op(1, 21, 30, get("/a", true), ok_data(std::string("\x80 not utf8", 10), vm(1, 5)));
  b.op(2, 11, 0, del("/a", 1), unknown());
  b.op(2, 31, 40, create("/q/n-", "", CreateMode::EphemeralSequential), ok_created("/q/n-0000000007", leaf(0, 6, 6, 0, 2)));
  b.op(3, 12, 22, exists("/zz", true), ok());
  b.op(3, 23, 33, children("/", true), ok_children({"a", "bin"}, kids(2, 2, 3)));
  b.op(3, 34, 44, get("/none"), fail(Error::NoNode));
  b.op(3, 45, 55, set("/a", std::nullopt), fail(Error::ConnectionLoss));
  Outcome m = ok();
  m.results = {SubResult{Error::Ok, "/m", leaf(0, 7, 7, 1)}, SubResult{Error::Ok, "", vm(2, 7)},
               SubResult{Error::Ok}, SubResult{Error::Ok}};
  m.zxid = 7;
  b.op(4, 50, 60, multi({create("/m", "m", CreateMode::PersistentSequential), set("/a", "y", 1), del("/e"),
                         check_version("/bin", 2)}),
       m);
  Outcome mf = fail(Error::NodeExists);
  mf.results = {SubResult{Error::NodeExists}, SubResult{Error::RuntimeInconsistency}};
  b.op(4, 61, 70, multi({create("/a", "x"), del("/bin")}), mf);
  b.notify(1, "/a", EventType::NodeDataChanged, 5, 25);
  b.notify(3, "/", EventType::NodeChildrenChanged, -1, 26);
  b.end_session(2, 100, 200);
  b.end_session(3, 150, kNever);
  return b.h;
}

TEST(HistoryIo, RoundTripIsExact) {
  History h = rich_history();
  std::string text = write_history(h);
  auto parsed = parse_history(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_EQ(*parsed, h);
  // Binary data travels as hex, text as plain strings.
  EXPECT_NE(text.find("\"hex\":\"ff0001\""), std::string::npos);
  EXPECT_NE(text.find("\"data\":\"0\""), std::string::npos);
  EXPECT_NE(text.find("\"error\":\"NONODE\""), std::string::npos);
  // One JSON object per line.
  size_t lines = std::count(text.begin(), text.end(), '\n');
  EXPECT_EQ(lines, 1 + h.initial.size() + h.ops.size() + h.notifications.size() + h.session_ends.size());
}

TEST(HistoryIo, SaveAndLoadFile) {
  History h = rich_history();
  std::string path = temp_path("save");
  ASSERT_TRUE(save_history(h, path).ok());
  auto loaded = load_history(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(*loaded, h);
  std::remove(path.c_str());
  EXPECT_FALSE(load_history(path).ok());
}

TEST(HistoryIo, HandWrittenLinesWithNumbersAndDefaults) {
  std::string text =
      "{\"type\":\"initial\",\"path\":\"/a\",\"data\":\"0\",\"stat\":{\"version\":0,\"cversion\":0,\"mzxid\":1}}\n"
      "\n"
      "{\"type\":\"op\",\"id\":0,\"session\":1,\"seq\":0,\"invoke\":10,\"complete\":20,\"op\":\"setData\","
      "\"path\":\"/a\",\"data\":\"x\",\"result\":{\"status\":\"ok\",\"stat\":{\"version\":1,\"mzxid\":5}}}\n"
      "{\"type\":\"op\",\"id\":1,\"session\":2,\"seq\":0,\"invoke\":30,\"complete\":40,\"op\":\"getData\","
      "\"path\":\"/b\",\"result\":{\"status\":\"error\",\"error\":-101}}\n"
      "{\"type\":\"op\",\"id\":2,\"session\":2,\"seq\":1,\"invoke\":41,\"op\":\"create\",\"path\":\"/c\","
      "\"mode\":1,\"result\":{\"status\":\"unknown\"}}\n";
  auto h = parse_history(text);
  ASSERT_TRUE(h.ok()) << h.status().to_string();
  ASSERT_EQ(h->ops.size(), 3u);
  EXPECT_EQ(h->ops[0].request.version, -1);  // default: any version
  EXPECT_EQ(h->initial[0].stat.fields, kStatVersion | kStatCversion | kStatMzxid);
  EXPECT_EQ(h->ops[1].outcome.error, Error::NoNode);
  EXPECT_EQ(h->ops[2].request.mode, CreateMode::Ephemeral);
  EXPECT_EQ(h->ops[2].complete, kNever);
  EXPECT_EQ(check_history(*h).verdict, Verdict::Ok) << check_history(*h).to_string();
}

TEST(HistoryIo, ErrorsNameTheLine) {
  std::string good = encode_header_line() + "\n";
  auto bad_json = parse_history(good + "{\"type\":\"op\"\n" + good);
  ASSERT_FALSE(bad_json.ok());
  EXPECT_NE(bad_json.status().message().find("line 2"), std::string::npos) << bad_json.status().message();

  auto bad_op = parse_history(good + good +
                              "{\"type\":\"op\",\"id\":0,\"session\":1,\"seq\":0,\"invoke\":1,\"op\":\"frob\","
                              "\"path\":\"/a\",\"result\":{\"status\":\"ok\"}}\n");
  ASSERT_FALSE(bad_op.ok());
  EXPECT_NE(bad_op.status().message().find("line 3"), std::string::npos);
  EXPECT_NE(bad_op.status().message().find("frob"), std::string::npos);

  EXPECT_FALSE(parse_history("{\"type\":\"complete\",\"id\":4,\"complete\":1,\"result\":{\"status\":\"ok\"}}\n").ok());
  EXPECT_FALSE(parse_history("{\"type\":\"header\",\"format\":\"other\",\"version\":1}\n").ok());
}

TEST(HistoryIo, StreamingRecorderFileSurvivesACrashMidLine) {
  std::string path = temp_path("stream");
  Nanos now = 0;
  auto rec = HistoryRecorder::streaming(path, [&] { return now += 10; });
  ASSERT_TRUE(rec.ok()) << rec.status().to_string();
  HistoryRecorder& r = **rec;
  r.declare_initial(InitialNode{"/a", std::string("0"), leaf(0, 1, 1, 1), std::nullopt});
  auto w = r.invoke(1, set("/a", "x"));
  auto g = r.invoke(2, get("/a", true));
  r.complete(w, ok_stat(vm(1, 5)));
  auto lost = r.invoke(1, set("/a", "y"));  // in flight when the recorder "crashes"
  (void)lost;
  r.notification(2, "/a", EventType::NodeDataChanged, 5);
  r.complete(g, ok_data("0", vm(0, 1)));
  auto end = r.session_end_begin(2);
  r.session_end_complete(end);

  std::string text = read_file(path);
  text += "{\"type\":\"complete\",\"id\":2,\"comp";  // a line cut short by the crash
  auto parsed = parse_history(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_EQ(*parsed, r.snapshot());
  EXPECT_EQ(parsed->ops[2].outcome.kind, OutcomeKind::Unknown);
  EXPECT_EQ(parsed->ops[2].complete, kNever);
  EXPECT_EQ(check_history(*parsed).verdict, Verdict::Ok) << check_history(*parsed).to_string();
  std::remove(path.c_str());
}

TEST(HistoryIo, LoadHistoriesMergesFilesAndRenumbersOps) {
  HistoryBuilder a, b;
  a.node("/a", "0");
  a.op(1, 10, 20, set("/a", "x"), ok_stat(vm(1, 5)));
  b.op(2, 30, 40, get("/a"), ok_data("x", vm(1, 5)));
  b.op(2, 50, 60, get("/a"), ok_data("0", vm(0, 1)));  // stale
  std::string pa = temp_path("merge_a"), pb = temp_path("merge_b");
  ASSERT_TRUE(save_history(a.h, pa).ok());
  ASSERT_TRUE(save_history(b.h, pb).ok());
  auto merged = load_histories({pa, pb});
  ASSERT_TRUE(merged.ok()) << merged.status().to_string();
  ASSERT_EQ(merged->ops.size(), 3u);
  EXPECT_EQ(merged->ops[1].id, 1u);
  EXPECT_EQ(merged->ops[2].id, 2u);
  Report r = check_history(*merged);
  EXPECT_TRUE(r.has(AnomalyKind::NotLinearizable)) << r.to_string();
  std::remove(pa.c_str());
  std::remove(pb.c_str());
}

}  // namespace
}  // namespace faaskeeper::check::testing
