// Static lookup (behaviour reference §2d) over a Site built from builder bytes: a table of
// request paths x options, the .zeroserve hiding rules, and a differential test of the hash
// index against a linear-scan oracle on generated archives (last-wins included).
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "site/site.hh"
#include "unit/site/tar_builder.hh"

namespace zs::site {
namespace {

using testing::TarBuilder;

std::shared_ptr<const Site> site_from(const std::string& bytes) {
  const int fd = testing::memfd_with(bytes);
  if (fd < 0) return nullptr;
  auto site = Site::from_fd(fd, "memfd");
  if (!site) {
    ADD_FAILURE() << site.error().message();
    return nullptr;
  }
  return *site;
}

const std::string kLongDir = "long/" + std::string(1100, 'L');

std::shared_ptr<const Site> table_site() {
  TarBuilder b;
  for (const char* p :
       {"index.html", "a/b", "secret/key", ".zeroserve/scripts/acl.o", ".zeroserve/index.html",
        ".zeroserve/foo.html", "my docs/file.txt", "docs/index.html", "docs/guide.html",
        "blog.html", "page", "page.html", "x.html.html", "alt/home.htm", ".ZeroServe/x.txt",
        ".zeroservex/file", "nested/deeper/leaf.txt"}) {
    b.file(p, std::string("content of ") + p);
  }
  b.dir("emptydir");
  b.pax({{"path", kLongDir + "/index.html"}});
  b.file("fallback", "long index");
  b.zero_blocks(2);
  return site_from(b.bytes());
}

struct LookupRow {
  std::string raw;
  std::string index;  // "" -> default
  bool try_html;
  std::string expect;  // entry path, or "" for a miss
};

class LookupTable : public ::testing::TestWithParam<LookupRow> {};

TEST_P(LookupTable, FindsExpectedEntry) {
  static const std::shared_ptr<const Site> site = table_site();
  ASSERT_NE(site, nullptr);
  const LookupRow& row = GetParam();
  auto path = normalize_path(row.raw);
  ASSERT_TRUE(path.ok()) << row.raw;
  LookupOptions opts;
  opts.index = row.index;
  opts.try_html = row.try_html;
  const Entry* e = site->lookup(*path, opts);
  if (row.expect.empty()) {
    EXPECT_EQ(e, nullptr) << row.raw << " found " << (e ? e->path : "");
  } else {
    ASSERT_NE(e, nullptr) << row.raw;
    EXPECT_EQ(e->path, row.expect);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Site, LookupTable,
    ::testing::Values(
        LookupRow{"/", "", false, "index.html"},
        LookupRow{"", "", false, "index.html"},
        LookupRow{"/index.html", "", false, "index.html"},
        LookupRow{"/a/b", "", false, "a/b"},
        LookupRow{"/a", "", false, ""},            // directory without an index
        LookupRow{"/a/", "", false, ""},
        LookupRow{"/emptydir/", "", false, ""},
        LookupRow{"/docs", "", false, "docs/index.html"},  // no redirect, index served
        LookupRow{"/docs/", "", false, "docs/index.html"},
        LookupRow{"/docs/guide", "", false, ""},
        LookupRow{"/docs/guide", "", true, "docs/guide.html"},
        LookupRow{"/docs/guide.html", "", false, "docs/guide.html"},
        LookupRow{"/blog", "", false, ""},
        LookupRow{"/blog", "", true, "blog.html"},
        LookupRow{"/blog/", "", true, "blog.html"},
        LookupRow{"/page", "", true, "page"},      // exact wins over .html
        LookupRow{"/x.html", "", true, ""},        // no "x.html.html": suffix already .html
        LookupRow{"/nested", "", false, ""},
        LookupRow{"/nested/deeper/leaf.txt", "", false, "nested/deeper/leaf.txt"},
        LookupRow{"/my%20docs/file.txt", "", false, "my docs/file.txt"},
        LookupRow{"/my docs/file.txt", "", false, "my docs/file.txt"},
        LookupRow{"/secret/./key", "", false, "secret/key"},
        LookupRow{"/secret/key/", "", false, "secret/key"},  // exact first, even with a '/'
        LookupRow{"/SECRET/key", "", false, ""},
        LookupRow{"/alt/", "home.htm", false, "alt/home.htm"},
        LookupRow{"/alt", "home.htm", false, "alt/home.htm"},
        LookupRow{"/", "home.htm", false, ""},
        LookupRow{"/alt/", "", false, ""},
        LookupRow{"/docs/", "", false, "docs/index.html"},
        // .zeroserve is never served, whatever the spelling.
        LookupRow{"/.zeroserve/scripts/acl.o", "", false, ""},
        LookupRow{"/%2ezeroserve/scripts/acl.o", "", false, ""},
        LookupRow{"/./.zeroserve/scripts/acl.o", "", false, ""},
        LookupRow{"/x/../.zeroserve/scripts/acl.o", "", false, ""},
        LookupRow{"/.zeroserve/", "", false, ""},
        LookupRow{"/.zeroserve", "", false, ""},
        LookupRow{"/.zeroserve/foo", "", true, ""},
        LookupRow{"/", ".zeroserve/scripts/acl.o", false, ""},
        LookupRow{"/.ZeroServe/x.txt", "", false, ".ZeroServe/x.txt"},  // case-sensitive
        LookupRow{"/.zeroservex/file", "", false, ".zeroservex/file"},
        // Candidates longer than the stack buffer.
        LookupRow{"/" + kLongDir, "", false, kLongDir + "/index.html"},
        LookupRow{"/" + kLongDir + "/", "", false, kLongDir + "/index.html"}));

TEST(Site, DirectoriesAndFind) {
  auto site = table_site();
  ASSERT_NE(site, nullptr);
  EXPECT_TRUE(site->is_directory("a"));
  EXPECT_TRUE(site->is_directory("nested"));
  EXPECT_TRUE(site->is_directory("nested/deeper"));
  EXPECT_TRUE(site->is_directory("emptydir"));
  EXPECT_TRUE(site->is_directory(".zeroserve/scripts"));
  EXPECT_FALSE(site->is_directory("a/b"));
  EXPECT_FALSE(site->is_directory(""));
  ASSERT_NE(site->find(".zeroserve/scripts/acl.o"), nullptr);  // visible to the script loader
  EXPECT_EQ(site->find("nope"), nullptr);
  EXPECT_GT(site->fd(), 2);
  EXPECT_EQ(site->name(), "memfd");
}

TEST(Site, OpenReportsPath) {
  auto r = Site::open("/nonexistent/site.tar");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("/nonexistent/site.tar: cannot open"), std::string::npos);
  const std::string dir = testing::make_temp_dir();
  testing::write_file(dir + "/bad.tar", std::string(1024, '\0'));
  auto r2 = Site::open(dir + "/bad.tar");
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().message(), dir + "/bad.tar: tarball does not contain any regular files");
  TarBuilder b;
  b.file("f.txt", "file");
  testing::write_file(dir + "/good.tar", b.bytes());
  auto r3 = Site::open(dir + "/good.tar");
  ASSERT_TRUE(r3.ok()) << r3.error().message();
  EXPECT_EQ((*r3)->files().size(), 1u);
  EXPECT_EQ((*r3)->file_size(), 1024u);
  testing::remove_tree(dir);
}

// --- The slow oracle: linear scans over what the archive said, in archive order. ---

struct Op {
  bool dir;
  std::string path;
  std::string data;
};

const Entry* oracle_find(const Site& site, std::string_view p) {
  if (is_hidden_path(p)) return nullptr;
  for (const Entry& e : site.files())
    if (e.path == p) return &e;
  return nullptr;
}

const Entry* oracle_lookup(const Site& site, const NormalizedPath& path, const LookupOptions& o) {
  const std::string rel = path.decoded;
  const std::string index = o.index.empty() ? "index.html" : std::string(o.index);
  if (!rel.empty())
    if (const Entry* e = oracle_find(site, rel)) return e;
  if (const Entry* e = oracle_find(site, rel.empty() ? index : rel + "/" + index)) return e;
  if (o.try_html && !rel.empty() && !(rel.size() >= 5 && rel.substr(rel.size() - 5) == ".html"))
    if (const Entry* e = oracle_find(site, rel + ".html")) return e;
  return nullptr;
}

TEST(SiteOracle, HashIndexAgreesWithLinearScan) {
  std::mt19937 rng(12345);
  const std::vector<std::string> segs = {"a", "b", "index.html", "c.html", "c", ".zeroserve", "d"};
  auto random_path = [&](size_t max_depth) {
    std::string p;
    const size_t depth = 1 + rng() % max_depth;
    for (size_t i = 0; i < depth; ++i) {
      if (i) p += "/";
      p += segs[rng() % segs.size()];
    }
    return p;
  };
  for (int round = 0; round < 30; ++round) {
    std::vector<Op> ops;
    TarBuilder b;
    const int n = 5 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) {
      Op op{rng() % 6 == 0, random_path(4), "r" + std::to_string(round) + "i" + std::to_string(i)};
      ops.push_back(op);
      if (op.dir) b.dir(op.path + "/");
      else b.file(op.path, op.data);
    }
    b.file("anchor.txt", "guarantees one regular file");
    ops.push_back(Op{false, "anchor.txt", "guarantees one regular file"});
    auto site = site_from(b.bytes());
    ASSERT_NE(site, nullptr);

    // Last wins: replay the operations linearly.
    std::map<std::string, std::string> files;
    std::set<std::string> dirs;
    for (const Op& op : ops) {
      if (op.dir) {
        files.erase(op.path);
        dirs.insert(op.path);
      } else {
        dirs.erase(op.path);
        files[op.path] = op.data;
      }
    }
    ASSERT_EQ(site->files().size(), files.size());
    for (const auto& [p, data] : files) {
      const Entry* e = site->find(p);
      ASSERT_NE(e, nullptr) << p;
      EXPECT_EQ(std::string(e->etag()), testing::expected_etag(data)) << p;
    }
    for (const auto& [p, data] : files)
      for (size_t s = p.find('/'); s != std::string::npos; s = p.find('/', s + 1))
        dirs.insert(p.substr(0, s));
    for (const std::string& d : std::set<std::string>(dirs))
      for (size_t s = d.find('/'); s != std::string::npos; s = d.find('/', s + 1))
        dirs.insert(d.substr(0, s));
    EXPECT_EQ(std::set<std::string>(site->directories().begin(), site->directories().end()), dirs);

    for (int q = 0; q < 300; ++q) {
      std::string raw = "/" + random_path(5);
      if (rng() % 4 == 0) raw += "/";
      auto np = normalize_path(raw);
      ASSERT_TRUE(np.ok());
      LookupOptions o;
      o.try_html = rng() % 2;
      if (rng() % 3 == 0) o.index = "c.html";
      EXPECT_EQ(site->lookup(*np, o), oracle_lookup(*site, *np, o)) << raw;
    }
  }
}

}  // namespace
}  // namespace zs::site
