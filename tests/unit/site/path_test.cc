// Request-path normalization table (behaviour reference §2c; reliability catalogue 2.G rows
// G1-G8 as far as they concern normalization). Every accepted row is also re-normalized: the
// encoded form must map to itself.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "site/path.hh"

namespace zs::site {
namespace {

struct Row {
  std::string raw;
  bool ok;
  std::string decoded;
  std::string encoded;
  bool dir_hint;
};

Row ok(std::string raw, std::string decoded, std::string encoded, bool dir_hint = false) {
  return Row{std::move(raw), true, std::move(decoded), std::move(encoded), dir_hint};
}
Row bad(std::string raw) { return Row{std::move(raw), false, "", "", false}; }

std::vector<Row> rows() {
  return {
      // Basics and empty segments.
      ok("", "", "/", true),
      ok("/", "", "/", true),
      ok("//", "", "/", true),
      ok("/index.html", "index.html", "/index.html"),
      ok("/a/b", "a/b", "/a/b"),
      ok("/a/b/", "a/b", "/a/b/", true),
      ok("/a//b", "a/b", "/a/b"),
      ok("//a///b//", "a/b", "/a/b/", true),
      ok("a/b", "a/b", "/a/b"),
      // Dot segments.
      ok("/./a", "a", "/a"),
      ok("/a/./b", "a/b", "/a/b"),
      ok("/a/.", "a", "/a"),
      ok("/a/./", "a", "/a/", true),
      ok("/a/b/..", "a", "/a"),
      ok("/a/b/../", "a", "/a/", true),
      ok("/a/../", "", "/", true),
      ok("/a/..", "", "/"),
      ok("/a/b/../../c", "c", "/c"),
      ok("/a/./../b", "b", "/b"),
      ok("/././.", "", "/"),
      ok("/a/b/c/../../../", "", "/", true),
      ok("/...", "...", "/..."),
      ok("/.hidden", ".hidden", "/.hidden"),
      // The reference's own e2e rows.
      ok("/echo/./subdir", "echo/subdir", "/echo/subdir"),
      ok("/echo/a/b/../c", "echo/a/c", "/echo/a/c"),
      ok("/echo/hello%20world", "echo/hello world", "/echo/hello%20world"),
      ok("/a/../echo-uri", "echo-uri", "/echo-uri"),
      ok("/my%20docs/file.txt", "my docs/file.txt", "/my%20docs/file.txt"),
      // Encoded dots are dots.
      ok("/%2e/a", "a", "/a"),
      ok("/%2e", "", "/"),
      ok("/a/%2e%2e", "", "/"),
      ok("/a/%2e%2e/b", "b", "/b"),
      ok("/a/.%2e/b", "b", "/b"),
      ok("/a/%2E./b", "b", "/b"),
      ok("/%2e%2e%2e", "...", "/%2e%2e%2e"),
      // G1: escapes above the root.
      bad("/.."),
      bad("/../etc/passwd"),
      bad("/%2e%2e"),
      bad("/%2e%2e/"),
      bad("/%2E%2E%2F"),
      bad("/.%2e/"),
      bad("/.%2e"),
      bad("/%2e./x"),
      bad("/a/..%2f..%2f"),
      bad("/a/b/../../.."),
      bad("/a/b/c/../../../.."),
      bad("/%2E%2e/"),
      // G2: encoded '/' inside a segment.
      bad("/echo/foo%2fbar"),
      bad("/secret%2fkey"),
      bad("/a%2Fb"),
      bad("/%2F"),
      bad("/a/%2f/b"),
      // G3: double encoding decodes once.
      ok("/%252e%252e", "%2e%2e", "/%252e%252e"),
      ok("/%252f", "%2f", "/%252f"),
      ok("/%25", "%", "/%25"),
      // G4: ACL bypass spellings of /secret/key all normalize to the same lookup path, or to a
      // different name.
      ok("//secret/key", "secret/key", "/secret/key"),
      ok("/./secret/key", "secret/key", "/secret/key"),
      ok("/secret/./key", "secret/key", "/secret/key"),
      ok("/a/../secret/key", "secret/key", "/secret/key"),
      ok("/%73ecret/key", "secret/key", "/%73ecret/key"),
      ok("/secret/key/", "secret/key", "/secret/key/", true),
      ok("/secret/key%20", "secret/key ", "/secret/key%20"),
      ok("/secret/key;x", "secret/key;x", "/secret/key;x"),
      ok("/SECRET/key", "SECRET/key", "/SECRET/key"),
      ok("/secret/key#x", "secret/key#x", "/secret/key#x"),
      ok("/secret/key?x", "secret/key?x", "/secret/key?x"),
      // G5: NUL and control characters.
      bad("/%00"),
      bad("/a/b%00.html"),
      bad("/\x01"),
      bad("/%0d%0a"),
      bad("/%0a"),
      bad("/a%7f"),
      bad("/a\x7f"),
      bad("/%09tab"),
      bad("/%1f"),
      bad(std::string("/a\0b", 4)),
      // G6: invalid UTF-8.
      bad("/%c0%ae%c0%ae/"),
      bad("/%e0%80%ae"),
      bad("/%c0%af"),
      bad("/%ff"),
      bad("/%ed%a0%80"),
      bad("/%f4%90%80%80"),
      bad("/%80"),
      bad("/a%c3"),
      bad("/\xff"),
      bad("/%f8%88%80%80%80"),
      ok("/%c3%a9", "\xc3\xa9", "/%c3%a9"),
      ok("/%e2%82%ac", "\xe2\x82\xac", "/%e2%82%ac"),
      ok("/%f0%9f%98%80", "\xf0\x9f\x98\x80", "/%f0%9f%98%80"),
      ok("/caf\xc3\xa9", "caf\xc3\xa9", "/caf\xc3\xa9"),
      ok("/%C3%A9t%C3%A9/", "\xc3\xa9t\xc3\xa9", "/%C3%A9t%C3%A9/", true),
      ok("/%ef%bf%bf", "\xef\xbf\xbf", "/%ef%bf%bf"),
      ok("/%f4%8f%bf%bf", "\xf4\x8f\xbf\xbf", "/%f4%8f%bf%bf"),
      // G7: backslashes and Windows forms are plain bytes.
      ok("/a\\..\\secret\\key", "a\\..\\secret\\key", "/a\\..\\secret\\key"),
      ok("/..%5c..%5c", "..\\..\\", "/..%5c..%5c"),
      ok("/%5c", "\\", "/%5c"),
      ok("/C:", "C:", "/C:"),
      ok("/file::$DATA", "file::$DATA", "/file::$DATA"),
      ok("/PROGRA~1", "PROGRA~1", "/PROGRA~1"),
      // G8: the hidden folder normalizes like any name (lookup hides it).
      ok("/.zeroserve/scripts/acl.o", ".zeroserve/scripts/acl.o", "/.zeroserve/scripts/acl.o"),
      ok("/%2ezeroserve/x", ".zeroserve/x", "/%2ezeroserve/x"),
      ok("/./.zeroserve/x", ".zeroserve/x", "/.zeroserve/x"),
      // '%' edge cases: fewer than two characters after it -> literal.
      ok("/a%", "a%", "/a%"),
      ok("/a%4", "a%4", "/a%4"),
      ok("/a%2", "a%2", "/a%2"),
      ok("/%", "%", "/%"),
      ok("/%%", "%%", "/%%"),
      ok("/x/%/y", "x/%/y", "/x/%/y"),
      bad("/%%%"),
      bad("/%zz"),
      bad("/%4z"),
      bad("/%z4"),
      bad("/%g0"),
      bad("/a%2x/b"),
      // Ordinary bytes.
      ok("/%41", "A", "/%41"),
      ok("/a+b", "a+b", "/a+b"),
      ok("/%3F", "?", "/%3F"),
      ok("/%20", " ", "/%20"),
      ok("/ space", " space", "/ space"),
      ok("/%7e", "~", "/%7e"),
  };
}

class PathTable : public ::testing::TestWithParam<Row> {};

TEST_P(PathTable, Normalizes) {
  const Row& row = GetParam();
  auto r = normalize_path(row.raw);
  ASSERT_EQ(r.ok(), row.ok) << "raw=" << ::testing::PrintToString(row.raw)
                            << (r.ok() ? " decoded=" + r->decoded : " error=" + r.error().message());
  if (!row.ok) return;
  EXPECT_EQ(r->decoded, row.decoded);
  EXPECT_EQ(r->encoded, row.encoded);
  EXPECT_EQ(r->dir_hint, row.dir_hint);
  // The encoded form is a fixed point.
  auto again = normalize_path(r->encoded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->decoded, r->decoded);
  EXPECT_EQ(again->encoded, r->encoded);
}

INSTANTIATE_TEST_SUITE_P(Site, PathTable, ::testing::ValuesIn(rows()));

TEST(PathTableSize, AtLeastHundredRows) { EXPECT_GE(rows().size(), 100u); }

TEST(Path, ErrorsSayWhy) {
  EXPECT_NE(normalize_path("/..").error().message().find("above the root"), std::string::npos);
  EXPECT_NE(normalize_path("/a%2fb").error().message().find("encoded '/'"), std::string::npos);
  EXPECT_NE(normalize_path("/%zz").error().message().find("hex"), std::string::npos);
  EXPECT_NE(normalize_path("/%ff").error().message().find("UTF-8"), std::string::npos);
  EXPECT_NE(normalize_path("/%00").error().message().find("control"), std::string::npos);
}

TEST(Path, DeepPathsStayLinear) {
  std::string raw;
  for (int i = 0; i < 20000; ++i) raw += "/seg";
  for (int i = 0; i < 19999; ++i) raw += "/..";
  auto r = normalize_path(raw);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->decoded, "seg");
  EXPECT_EQ(r->encoded, "/seg");
}

}  // namespace
}  // namespace zs::site
