// UserStore contract (providers/user_store.h): whole objects by path, read-after-write.
#include <atomic>
#include <thread>

#include "contract.h"

namespace faaskeeper::contract {
namespace {

std::optional<std::string> read(UserStore& s, const std::string& path) {
  auto r = s.get(path);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : std::nullopt;
}

void write(UserStore& s, std::vector<UserWrite> w) {
  Status st = s.write(w);
  ASSERT_TRUE(st.ok()) << st.to_string();
}

TEST_P(UserStoreContract, AbsentPathIsNullopt) { EXPECT_EQ(read(*store, "/none"), std::nullopt); }

TEST_P(UserStoreContract, PutGetOverwriteDelete) {
  write(*store, {{"/a", std::string("one")}});
  EXPECT_EQ(read(*store, "/a"), "one");
  write(*store, {{"/a", std::string("two, longer")}});
  EXPECT_EQ(read(*store, "/a"), "two, longer");
  write(*store, {{"/a", std::string("3")}});  // shorter overwrite leaves no tail
  EXPECT_EQ(read(*store, "/a"), "3");
  write(*store, {{"/a", std::nullopt}});
  EXPECT_EQ(read(*store, "/a"), std::nullopt);
  write(*store, {{"/a", std::nullopt}});  // deleting an absent object is fine
  EXPECT_EQ(read(*store, "/a"), std::nullopt);
}

TEST_P(UserStoreContract, EmptyObjectIsDistinctFromAbsent) {
  write(*store, {{"/e", std::string()}});
  EXPECT_EQ(read(*store, "/e"), std::string());
}

TEST_P(UserStoreContract, BinaryAndLargeObjectsRoundTrip) {
  std::string bin("\0\x01\xff\x80zz\0", 7);
  std::string big(1024 * 1024 + 512, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 13);
  write(*store, {{"/bin", bin}, {"/big", big}});
  EXPECT_EQ(read(*store, "/bin"), bin);
  EXPECT_EQ(read(*store, "/big"), big);
}

TEST_P(UserStoreContract, BatchAppliesInOrder) {
  write(*store, {{"/x", std::string("keep")}});
  write(*store, {{"/a", std::string("1")},
                 {"/a", std::string("2")},
                 {"/b", std::string("b")},
                 {"/b", std::nullopt},
                 {"/x", std::nullopt},
                 {"/x", std::string("back")}});
  EXPECT_EQ(read(*store, "/a"), "2");
  EXPECT_EQ(read(*store, "/b"), std::nullopt);
  EXPECT_EQ(read(*store, "/x"), "back");
}

TEST_P(UserStoreContract, EmptyBatchIsOk) { EXPECT_TRUE(store->write({}).ok()); }

TEST_P(UserStoreContract, PathsAreExactKeys) {
  write(*store, {{"/a", std::string("a")}, {"/a/b", std::string("ab")}, {"/ab", std::string("x")}});
  EXPECT_EQ(read(*store, "/a"), "a");
  EXPECT_EQ(read(*store, "/a/b"), "ab");
  EXPECT_EQ(read(*store, "/ab"), "x");
  EXPECT_EQ(read(*store, "/a/"), std::nullopt);
  EXPECT_EQ(read(*store, "/"), std::nullopt);
}

TEST_P(UserStoreContract, LongPaths) {
  std::string base = "/" + std::string(700, 'n');
  write(*store, {{base + "/a", std::string("a")}, {base + "/b", std::string("b")}, {base, std::string("p")}});
  EXPECT_EQ(read(*store, base + "/a"), "a");
  EXPECT_EQ(read(*store, base + "/b"), "b");
  EXPECT_EQ(read(*store, base), "p");
  EXPECT_EQ(read(*store, base + "/c"), std::nullopt);
  write(*store, {{base + "/a", std::nullopt}});
  EXPECT_EQ(read(*store, base + "/a"), std::nullopt);
  EXPECT_EQ(read(*store, base + "/b"), "b");
}

TEST_P(UserStoreContract, ManyObjects) {
  std::vector<UserWrite> batch;
  for (int i = 0; i < 500; ++i) batch.push_back({"/n/" + std::to_string(i), std::to_string(i * i)});
  write(*store, batch);
  for (int i = 0; i < 500; i += 37) EXPECT_EQ(read(*store, "/n/" + std::to_string(i)), std::to_string(i * i));
}

// Readers running alongside a writer observe each path's versions in write order (never an
// older value after a newer one) and, once write() returned, the latest value.
TEST_P(UserStoreContract, ConcurrentReadersSeeMonotonicValues) {
  constexpr int kVersions = 200;
  write(*store, {{"/c", std::string("0")}});
  std::atomic<bool> done{false};
  std::atomic<int> regressions{0}, errors{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&] {
      int last = 0;
      while (!done.load()) {
        auto r = store->get("/c");
        if (!r.ok() || !r->has_value()) { ++errors; return; }
        int v = std::stoi(**r);
        if (v < last) ++regressions;
        last = v;
      }
    });
  for (int v = 1; v <= kVersions; ++v) {
    write(*store, {{"/c", std::to_string(v)}});
    EXPECT_EQ(read(*store, "/c"), std::to_string(v));
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(regressions.load(), 0);
}

}  // namespace
}  // namespace faaskeeper::contract
