// Well-formed archives: produced at test time by GNU tar and bsdtar in every format they write,
// by our own builder (pax, GNU long names, duplicates, end-of-archive variants) and by --pack.
// Each index must list exactly the expected files, and every entry's offset must point at
// exactly the file's bytes.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "site/tar_index.hh"
#include "unit/site/tar_builder.hh"

namespace zs::site {
namespace {

using testing::TarBuilder;

constexpr int64_t kMtime = 1700000000;

std::string pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    c = static_cast<char>(x);
  }
  return s;
}

// The tree every external tool archives. `long_component` adds a single path segment longer
// than 100 bytes, which ustar cannot store.
struct Tree {
  std::string root;
  std::map<std::string, std::string> files;  // rel path -> contents
  std::set<std::string> dirs;

  void build(bool long_component) {
    root = testing::make_temp_dir();
    ASSERT_FALSE(root.empty());
    files["index.html"] = "<h1>hello</h1>\n";
    files["empty.txt"] = "";
    files["name with spaces.txt"] = "spaces";
    files["dir/sub/deep.bin"] = pattern(10000, 1);
    files["dir/one.bin"] = pattern(1, 2);
    files["dir/b511"] = pattern(511, 3);
    files["dir/b512"] = pattern(512, 4);
    files["dir/b513"] = pattern(513, 5);
    files["\xc3\xbcnic\xc3\xb6" "de.txt"] = "utf8";
    files[std::string(60, 'p') + "/" + std::string(60, 'q') + "/" + std::string(50, 'r') +
          ".txt"] = "long path";
    if (long_component) files["long/" + std::string(150, 'x') + ".bin"] = pattern(700, 6);
    dirs = {"dir", "dir/sub", std::string(60, 'p'), std::string(60, 'p') + "/" +
            std::string(60, 'q')};
    if (long_component) dirs.insert("long");
    for (const auto& [rel, data] : files) testing::write_file(root + "/" + rel, data);
    // Fixed mtimes so Last-Modified is checkable; directories last (writing files bumps them).
    const timespec times[2] = {{kMtime, 0}, {kMtime, 0}};
    for (const auto& [rel, data] : files) utimensat(AT_FDCWD, (root + "/" + rel).c_str(), times, 0);
    for (const auto& d : dirs) utimensat(AT_FDCWD, (root + "/" + d).c_str(), times, 0);
  }
  ~Tree() {
    if (!root.empty()) testing::remove_tree(root);
  }
};

std::string pread_all(int fd, uint64_t off, uint64_t n) {
  std::string s(n, '\0');
  size_t done = 0;
  while (done < n) {
    const ssize_t r = pread(fd, s.data() + done, n - done, static_cast<off_t>(off + done));
    if (r <= 0) break;
    done += static_cast<size_t>(r);
  }
  s.resize(done);
  return s;
}

// Indexes `tar_path` and checks it against `tree`.
void expect_matches_tree(const std::string& tar_path, const Tree& tree, bool check_mtime = true) {
  const int fd = open(tar_path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0) << tar_path;
  auto index = index_tar(fd);
  ASSERT_TRUE(index.ok()) << index.error().message();
  std::map<std::string, const Entry*> got;
  for (const Entry& e : index->files) got[e.path] = &e;
  ASSERT_EQ(got.size(), tree.files.size());
  for (const auto& [rel, data] : tree.files) {
    auto it = got.find(rel);
    ASSERT_NE(it, got.end()) << "missing " << rel;
    const Entry& e = *it->second;
    EXPECT_EQ(e.size, data.size()) << rel;
    EXPECT_EQ(pread_all(fd, e.offset, e.size), data) << rel;
    EXPECT_EQ(std::string(e.etag()), testing::expected_etag(data)) << rel;
    if (check_mtime) {
      EXPECT_EQ(e.mtime, kMtime) << rel;
    }
  }
  const std::set<std::string> dirs(index->directories.begin(), index->directories.end());
  for (const auto& d : tree.dirs) EXPECT_TRUE(dirs.count(d)) << "missing dir " << d;
  EXPECT_EQ(dirs.size(), tree.dirs.size());
  close(fd);
}

struct ToolCase {
  const char* name;
  const char* tool;
  const char* format;  // --format=... value for the tool
  const char* extra;
  bool long_component;
};

class ToolFormats : public ::testing::TestWithParam<ToolCase> {};

TEST_P(ToolFormats, IndexEqualsTree) {
  const ToolCase& c = GetParam();
  Tree tree;
  tree.build(c.long_component);
  const std::string out = tree.root + ".tar";
  const std::string cmd = std::string(c.tool) + " --format=" + c.format + " " + c.extra + " -cf " +
                          out + " -C " + tree.root + " . 2>&1";
  ASSERT_TRUE(testing::run_command(cmd)) << cmd;
  expect_matches_tree(out, tree);
  unlink(out.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    Tar, ToolFormats,
    ::testing::Values(
        ToolCase{"gnu_ustar", "tar", "ustar", "", false},
        ToolCase{"gnu_gnu", "tar", "gnu", "", true},
        ToolCase{"gnu_pax", "tar", "pax", "", true},
        ToolCase{"gnu_oldgnu", "tar", "oldgnu", "", true},
        ToolCase{"gnu_pax_sorted", "tar", "pax", "--sort=name", true},
        ToolCase{"bsd_ustar", "bsdtar", "ustar", "", false},
        ToolCase{"bsd_pax", "bsdtar", "pax", "", true},
        ToolCase{"bsd_gnutar", "bsdtar", "gnutar", "", true}),
    [](const auto& p) { return std::string(p.param.name); });

// v7 has no prefix field and 100-byte names: archive only the short names.
TEST(ToolFormatsV7, ShortNamesOnly) {
  Tree tree;
  tree.build(false);
  const std::string long_dir = std::string(60, 'p');
  for (auto it = tree.files.begin(); it != tree.files.end();) {
    if (it->first.starts_with(long_dir)) it = tree.files.erase(it);
    else ++it;
  }
  testing::remove_tree(tree.root + "/" + long_dir);
  tree.dirs.erase(long_dir);
  tree.dirs.erase(long_dir + "/" + std::string(60, 'q'));
  const std::string out = tree.root + ".tar";
  ASSERT_TRUE(testing::run_command("tar --format=v7 -cf " + out + " -C " + tree.root + " . 2>&1"));
  expect_matches_tree(out, tree);
  unlink(out.c_str());
}

TEST(TarIndex, BuilderBasics) {
  TarBuilder b;
  b.dir("site/");
  b.file("site/a.txt", "alpha");
  b.file("./site/b.css", "body{}");
  b.file("/abs/c.js", "x");  // leading '/' trimmed: nothing is extracted, so no escape
  b.zero_blocks(2);
  auto index = testing::index_bytes(b.bytes());
  ASSERT_TRUE(index.ok()) << index.error().message();
  ASSERT_EQ(index->files.size(), 3u);
  EXPECT_EQ(index->files[0].path, "abs/c.js");
  EXPECT_EQ(index->files[0].content_type, "application/javascript; charset=utf-8");
  EXPECT_EQ(index->files[1].path, "site/a.txt");
  EXPECT_EQ(index->files[1].offset, 1024u);
  EXPECT_EQ(index->files[1].mtime, 1700000000);
  EXPECT_EQ(index->files[2].path, "site/b.css");
  EXPECT_EQ(index->directories, (std::vector<std::string>{"abs", "site"}));
}

TEST(TarIndex, DuplicatesLastWins) {
  TarBuilder b;
  b.file("a.txt", "first");
  b.file("b.txt", "keep");
  const size_t second = b.file("./a.txt", "second version");
  b.file("d", "file then dir");
  b.dir("d");
  b.dir("e");
  b.file("e", "dir then file");
  b.zero_blocks(2);
  auto index = testing::index_bytes(b.bytes());
  ASSERT_TRUE(index.ok()) << index.error().message();
  std::map<std::string, Entry> got;
  for (const Entry& e : index->files) got[e.path] = e;
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got["a.txt"].size, 14u);
  EXPECT_EQ(got["a.txt"].offset, second + 512);
  EXPECT_EQ(std::string(got["a.txt"].etag()), testing::expected_etag("second version"));
  EXPECT_FALSE(got.count("d"));
  EXPECT_EQ(got["e"].size, 13u);
  EXPECT_EQ(index->directories, (std::vector<std::string>{"d"}));
}

TEST(TarIndex, PaxOverridesPathSizeMtime) {
  TarBuilder b;
  const std::string long_name = "very/" + std::string(300, 'n') + ".html";
  b.pax({{"path", long_name}, {"mtime", "1234567890.123456789"}, {"atime", "1"},
         {"comment", "ignored"}, {"SCHILY.xattr.user.x", "y"}});
  b.file("short-fallback", "pax body");
  b.pax({{"size", "3"}});
  testing::Member m;
  m.name = "sized.txt";
  m.data = "abc";
  m.declared_size = 999;  // the pax size record wins over the header field
  b.add(m);
  b.pax({{"path", "x"}}, 'g');  // global header: parsed, ignored
  b.file("after-global", "g");
  b.zero_blocks(2);
  auto index = testing::index_bytes(b.bytes());
  ASSERT_TRUE(index.ok()) << index.error().message();
  ASSERT_EQ(index->files.size(), 3u);
  EXPECT_EQ(index->files[0].path, "after-global");
  EXPECT_EQ(index->files[1].path, "sized.txt");
  EXPECT_EQ(index->files[1].size, 3u);
  EXPECT_EQ(index->files[2].path, long_name);
  EXPECT_EQ(index->files[2].mtime, 1234567890);
  EXPECT_EQ(index->files[2].content_type, "text/html; charset=utf-8");
}

TEST(TarIndex, GnuLongNameAndLink) {
  TarBuilder b;
  const std::string long_name = std::string(200, 'g') + "/file.txt";
  b.meta('L', long_name + std::string(1, '\0'));
  b.file("trunc", "long named");
  b.meta('K', std::string(300, 'k'));
  testing::Member link;
  link.name = "symlink";
  link.type = '2';
  b.add(link);
  b.meta('L', "first");
  b.meta('L', "second.txt");  // 'L' after 'L': the last one names the entry
  b.file("x", "2");
  b.zero_blocks(2);
  auto index = testing::index_bytes(b.bytes());
  ASSERT_TRUE(index.ok()) << index.error().message();
  ASSERT_EQ(index->files.size(), 2u);
  EXPECT_EQ(index->files[0].path, long_name);
  EXPECT_EQ(index->files[1].path, "second.txt");
}

TEST(TarIndex, IgnoredTypesAndSparse) {
  TarBuilder b;
  for (char t : {'1', '2', '3', '4', '6'}) {
    testing::Member m;
    m.name = std::string("t") + t;
    m.type = t;
    m.declared_size = 5000;  // header-only types carry no data whatever the size says
    b.add(m);
  }
  testing::Member sparse;
  sparse.name = "sparse";
  sparse.type = 'S';
  sparse.data = std::string(1000, 's');  // skipped by its size
  b.add(sparse);
  testing::Member unknown;
  unknown.name = "unknown";
  unknown.type = 'Z';
  unknown.data = "zz";
  b.add(unknown);
  b.pax({{"GNU.sparse.major", "1"}, {"GNU.sparse.minor", "0"}, {"GNU.sparse.name", "sp"}});
  b.file("pax-sparse", "map+data");
  b.file("real.txt", "real");
  b.zero_blocks(2);
  auto index = testing::index_bytes(b.bytes());
  ASSERT_TRUE(index.ok()) << index.error().message();
  ASSERT_EQ(index->files.size(), 1u);
  EXPECT_EQ(index->files[0].path, "real.txt");
}

TEST(TarIndex, V7TrailingSlashIsDirectory) {
  TarBuilder b;
  testing::Member d;
  d.name = "olddir/";
  d.type = '\0';
  d.magic = testing::Magic::kV7;
  b.add(d);
  testing::Member f;
  f.name = "olddir/f";
  f.type = '\0';
  f.magic = testing::Magic::kV7;
  f.data = "v7";
  b.add(f);
  auto index = testing::index_bytes(b.bytes());  // and no end blocks at all
  ASSERT_TRUE(index.ok()) << index.error().message();
  ASSERT_EQ(index->files.size(), 1u);
  EXPECT_EQ(index->files[0].path, "olddir/f");
  EXPECT_EQ(index->directories, (std::vector<std::string>{"olddir"}));
}

TEST(TarIndex, UstarPrefixJoined) {
  TarBuilder b;
  testing::Member m;
  m.prefix = std::string(150, 'P');
  m.name = std::string(99, 'N');
  m.data = "prefixed";
  b.add(m);
  testing::Member g = m;  // GNU magic: those bytes are not a prefix
  g.magic = testing::Magic::kGnu;
  g.name = "gnu-name";
  const size_t gh = b.add(g);
  b.set_field(gh, testing::kOffPrefix, 155, "must-not-be-used");
  b.zero_blocks(2);
  auto index = testing::index_bytes(b.bytes());
  ASSERT_TRUE(index.ok()) << index.error().message();
  ASSERT_EQ(index->files.size(), 2u);
  EXPECT_EQ(index->files[0].path, std::string(150, 'P') + "/" + std::string(99, 'N'));
  EXPECT_EQ(index->files[1].path, "gnu-name");
}

TEST(TarIndex, EndOfArchiveVariantsAccepted) {
  TarBuilder base;
  base.file("a", "A");
  {
    auto r = testing::index_bytes(base.bytes());  // no end blocks
    EXPECT_TRUE(r.ok()) << r.error().message();
  }
  {
    TarBuilder b = base;
    b.zero_blocks(1);  // one zero block then EOF
    auto r = testing::index_bytes(b.bytes());
    EXPECT_TRUE(r.ok()) << r.error().message();
  }
  {
    TarBuilder b = base;
    b.zero_blocks(2);
    b.raw("garbage after the end marker is ignored, as tar ignores it");
    auto r = testing::index_bytes(b.bytes());
    EXPECT_TRUE(r.ok()) << r.error().message();
  }
  {
    TarBuilder b = base;
    b.zero_blocks(20);  // record padding
    auto r = testing::index_bytes(b.bytes());
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r->files.size(), 1u);
  }
}

TEST(TarIndex, SignedChecksumAccepted) {
  TarBuilder b;
  const size_t h = b.file("\xc3\xa9t\xc3\xa9.txt", "high bytes make signed and unsigned sums differ");
  b.set_signed_checksum(h);
  b.zero_blocks(2);
  auto r = testing::index_bytes(b.bytes());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->files[0].path, "\xc3\xa9t\xc3\xa9.txt");
}

TEST(TarIndex, NumericFieldForms) {
  // Twelve digits with no terminator (libarchive's form for 8..64 GiB) and base-256.
  TarBuilder b;
  const size_t h1 = b.file("twelve", "12345");
  b.set_field(h1, testing::kOffSize, 12, "000000000005");
  const size_t h2 = b.file("b256", "abc");
  std::string b256(12, '\0');
  b256[0] = static_cast<char>(0x80);
  b256[11] = 3;
  b.set_field(h2, testing::kOffSize, 12, b256);
  const size_t h3 = b.file("spaces", "xy");
  b.set_field(h3, testing::kOffSize, 12, "    2 ");
  const size_t h4 = b.file("negtime", "t");
  b.set_field(h4, testing::kOffMtime, 12, std::string(12, '\xff'));
  b.zero_blocks(2);
  auto r = testing::index_bytes(b.bytes());
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->files.size(), 4u);
  EXPECT_EQ(r->files[0].size, 3u);
  EXPECT_EQ(r->files[1].mtime, 0);  // negative time clamps to "unknown"
  EXPECT_EQ(r->files[2].size, 2u);
  EXPECT_EQ(r->files[3].size, 5u);
}

TEST(TarIndex, CompressionMagicInAValidHeaderIsJustAName) {
  TarBuilder b;
  b.file("BZh91AY.txt", "not bzip2");
  b.file(std::string("\x28\xb5\x2f\xfd"), "invalid UTF-8 name, but a valid header");
  auto r = testing::index_bytes(b.bytes());
  ASSERT_FALSE(r.ok());  // the second name is rejected for its bytes, not as zstd
  EXPECT_NE(r.error().message().find("not valid UTF-8"), std::string::npos) << r.error().message();
  TarBuilder ok;
  ok.file("BZh91AY.txt", "not bzip2");
  auto r2 = testing::index_bytes(ok.bytes());
  ASSERT_TRUE(r2.ok()) << r2.error().message();
}

TEST(TarIndex, EntryCapAtLimitAccepted) {
  TarBuilder b;
  for (int i = 0; i < 10; ++i) b.file("f" + std::to_string(i), "x");
  IndexLimits limits;
  limits.max_entries = 10;
  auto r = testing::index_bytes(b.bytes(), limits);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->files.size(), 10u);
}

TEST(TarIndex, NotARegularFile) {
  const int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  auto r = index_tar(fd);
  close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace zs::site
