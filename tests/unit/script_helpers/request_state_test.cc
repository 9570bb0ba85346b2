// Unit tests of the per-request state scripts share (src/script/request_state.*).
#include <gtest/gtest.h>

#include "script/request_state.hh"

namespace zs::script {
namespace {

TEST(Metadata, KeysAreTrimmedValuesReplacedInPlaceOrderKept) {
  Metadata m;
  EXPECT_TRUE(m.empty());
  m.set("  b ", "1");
  m.set("a", "2");
  m.set("b", "3");  // replaces, keeps b first
  ASSERT_EQ(m.entries().size(), 2u);
  EXPECT_EQ(m.entries()[0].first, "b");
  EXPECT_EQ(m.entries()[0].second, "3");
  EXPECT_EQ(m.get("\tb\n"), std::optional<std::string_view>("3"));
  EXPECT_EQ(m.get("c"), std::nullopt);
  EXPECT_TRUE(m.erase(" a"));
  EXPECT_FALSE(m.erase("a"));
  EXPECT_EQ(m.entries().size(), 1u);
}

TEST(RequestState, HeadersReadFromReceivedUntilCopiedThenFromTheCopy) {
  const http::Header received[] = {{"Host", "x"}, {"X-A", "1"}, {"x-a", "2"}};
  RequestState rs;
  rs.received = received;
  EXPECT_EQ(rs.header("x-a"), std::optional<std::string_view>("2"));  // the last one wins
  EXPECT_EQ(rs.header("missing"), std::nullopt);
  auto& copy = rs.mutable_headers();
  ASSERT_EQ(copy.size(), 3u);
  EXPECT_EQ(copy[1].name, "x-a");  // names are lowercased in the copy
  copy.push_back({"x-a", "3"});
  EXPECT_EQ(rs.header("X-A"), std::optional<std::string_view>("3"));
  EXPECT_EQ(&rs.mutable_headers(), &copy);  // copied once
  EXPECT_EQ(rs.mutable_headers().size(), 4u);
}

}  // namespace
}  // namespace zs::script
