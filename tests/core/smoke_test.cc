#include <gtest/gtest.h>

#include "runtime/embedded.h"

using namespace faaskeeper;

TEST(Smoke, CreateGetSetDelete) {
  EmbeddedDeployment d;
  auto c = d.connect();
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  auto created = (*c)->create("/a", std::string("hello"));
  ASSERT_TRUE(created.ok()) << created.status().to_string();
  EXPECT_EQ(created->path, "/a");
  auto got = (*c)->get("/a");
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->data, std::optional<std::string>("hello"));
  EXPECT_EQ(got->stat.czxid, created->stat.czxid);
  auto st = (*c)->set("/a", std::string("x"), 0);
  ASSERT_TRUE(st.ok()) << st.status().to_string();
  EXPECT_EQ(st->version, 1);
  EXPECT_EQ((*c)->remove("/a", 0).code(), Error::BadVersion);
  EXPECT_TRUE((*c)->remove("/a", 1).ok());
  EXPECT_EQ((*c)->get("/a").code(), Error::NoNode);
}
