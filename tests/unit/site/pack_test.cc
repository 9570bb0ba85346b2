// --pack: deterministic output, sorted members, skipped symlinks/special files, pax for long
// names and huge sizes, the per-file hook; cross-checked by indexing the output ourselves and
// by listing it with GNU tar and bsdtar.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "site/pack.hh"
#include "site/tar_format.hh"
#include "site/tar_index.hh"
#include "site/tar_writer.hh"
#include "unit/site/tar_builder.hh"

namespace zs::site {
namespace {

constexpr int64_t kMtime = 1600000000;

struct PackTree {
  std::string root;
  std::map<std::string, std::string> files;
  std::vector<std::string> dirs;

  // `reverse` creates the same tree in the opposite order (different readdir order).
  explicit PackTree(bool reverse = false) {
    root = testing::make_temp_dir();
    files = {{"index.html", "<p>hi</p>"},
             {"b/z.txt", "zz"},
             {"b/a.txt", ""},
             {"a.b", "dot sorts before slash"},
             {"a/x", "x"},
             {"sp ace/f i le.css", "body{}"},
             {std::string(120, 'n') + "/" + std::string(130, 'm') + ".js", "long"},
             {".zeroserve/scripts/10-auth.c", "int x;"},
             {".zeroserve/scripts/old.o", "stale"}};
    dirs = {".zeroserve", ".zeroserve/scripts", "a", "b", "sp ace", std::string(120, 'n')};
    std::vector<std::pair<std::string, std::string>> order(files.begin(), files.end());
    if (reverse) std::reverse(order.begin(), order.end());
    for (const auto& [rel, data] : order) testing::write_file(root + "/" + rel, data);
    symlink("/etc/passwd", (root + "/link").c_str());
    symlink("index.html", (root + "/b/rel-link").c_str());
    mkfifo((root + "/fifo").c_str(), 0600);
    const timespec times[2] = {{kMtime, 0}, {kMtime, 0}};
    for (const auto& [rel, data] : files) utimensat(AT_FDCWD, (root + "/" + rel).c_str(), times, 0);
    for (const auto& d : dirs) utimensat(AT_FDCWD, (root + "/" + d).c_str(), times, 0);
  }
  ~PackTree() { testing::remove_tree(root); }
};

std::string pack_to_string(const std::string& dir, const PackOptions& options = {}) {
  const std::string out = testing::make_temp_dir();
  const std::string path = out + "/out.tar";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  auto r = pack_directory(dir, fd, options);
  close(fd);
  EXPECT_TRUE(r.ok()) << r.error().message();
  std::string bytes = testing::read_file(path);
  testing::remove_tree(out);
  return bytes;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

TEST(Pack, SameTreeSameBytes) {
  PackTree t1(false), t2(true);
  const std::string a = pack_to_string(t1.root);
  const std::string b = pack_to_string(t1.root);
  const std::string c = pack_to_string(t2.root);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a.size() % 512, 0u);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);  // creation (readdir) order does not matter
}

TEST(Pack, IndexMatchesTreeAndSkipsLinks) {
  PackTree t;
  const std::string bytes = pack_to_string(t.root);
  auto index = testing::index_bytes(bytes);
  ASSERT_TRUE(index.ok()) << index.error().message();
  ASSERT_EQ(index->files.size(), t.files.size());
  for (const Entry& e : index->files) {
    auto it = t.files.find(e.path);
    ASSERT_NE(it, t.files.end()) << e.path;
    EXPECT_EQ(bytes.substr(e.offset, e.size), it->second) << e.path;
    EXPECT_EQ(e.mtime, kMtime) << e.path;
  }
  std::vector<std::string> dirs = t.dirs;
  std::sort(dirs.begin(), dirs.end());
  EXPECT_EQ(index->directories, dirs);
}

TEST(Pack, ListingByGnuTarAndBsdtar) {
  PackTree t;
  const std::string dir = testing::make_temp_dir();
  const std::string path = dir + "/site.tar";
  testing::write_file(path, pack_to_string(t.root));

  // Expected member names, in our byte-wise order, directories with a trailing '/'.
  std::vector<std::pair<std::string, std::string>> members;  // (sort key, listed name)
  for (const auto& [rel, data] : t.files) members.emplace_back(rel, rel);
  for (const auto& d : t.dirs) members.emplace_back(d, d + "/");
  std::sort(members.begin(), members.end());
  std::vector<std::string> expected;
  for (const auto& m : members) expected.push_back(m.second);

  auto gnu = testing::run_command("tar -tf " + path);
  ASSERT_TRUE(gnu);
  EXPECT_EQ(lines(*gnu), expected);
  auto bsd = testing::run_command("bsdtar -tf " + path);
  ASSERT_TRUE(bsd);
  EXPECT_EQ(lines(*bsd), expected);

  // Normalized metadata as GNU tar shows it: modes, 0/0 ownership.
  auto verbose = testing::run_command("tar --numeric-owner -tvf " + path);
  ASSERT_TRUE(verbose);
  for (const std::string& l : lines(*verbose)) {
    if (l.back() == '/') {
      EXPECT_TRUE(l.starts_with("drwxr-xr-x 0/0")) << l;
    } else {
      EXPECT_TRUE(l.starts_with("-rw-r--r-- 0/0")) << l;
    }
    EXPECT_NE(l.find("2020-09-13"), std::string::npos) << l;  // mtime 1600000000 kept
  }
  // And GNU tar extracts the same bytes.
  ASSERT_TRUE(testing::run_command("mkdir " + dir + "/x && tar -xf " + path + " -C " + dir + "/x"));
  for (const auto& [rel, data] : t.files) EXPECT_EQ(testing::read_file(dir + "/x/" + rel), data);
  testing::remove_tree(dir);
}

TEST(Pack, HookReplacesSkipsAndFails) {
  PackTree t;
  PackOptions opts;
  std::vector<std::string> seen;
  opts.on_file = [&](std::string_view rel, const std::string& abs) -> Result<PackDecision> {
    seen.emplace_back(rel);
    EXPECT_EQ(abs, t.root + "/" + std::string(rel));
    PackDecision d;
    if (rel.starts_with(".zeroserve/scripts/") && rel.ends_with(".c")) {
      d.action = PackDecision::Action::kReplace;
      d.path = std::string(rel.substr(0, rel.size() - 2)) + ".o";
      d.contents = "OBJECT:" + testing::read_file(abs);
    } else if (rel == ".zeroserve/scripts/old.o") {
      d.action = PackDecision::Action::kSkip;
    }
    return d;
  };
  const std::string bytes = pack_to_string(t.root, opts);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen.size(), t.files.size());
  auto index = testing::index_bytes(bytes);
  ASSERT_TRUE(index.ok()) << index.error().message();
  std::map<std::string, std::string> got;
  for (const Entry& e : index->files) got[e.path] = bytes.substr(e.offset, e.size);
  EXPECT_FALSE(got.count(".zeroserve/scripts/10-auth.c"));
  EXPECT_FALSE(got.count(".zeroserve/scripts/old.o"));
  EXPECT_EQ(got[".zeroserve/scripts/10-auth.o"], "OBJECT:int x;");
  EXPECT_EQ(got.size(), t.files.size() - 1);

  PackOptions failing;
  failing.on_file = [](std::string_view rel, const std::string&) -> Result<PackDecision> {
    if (rel == "index.html") return Error("compiler exploded");
    return PackDecision{};
  };
  const int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  auto r = pack_directory(t.root, fd, failing);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "index.html: compiler exploded");

  PackOptions colliding;
  colliding.on_file = [](std::string_view rel, const std::string&) -> Result<PackDecision> {
    PackDecision d;
    if (rel == "a/x") {
      d.action = PackDecision::Action::kReplace;
      d.path = "index.html";
    }
    return d;
  };
  auto r2 = pack_directory(t.root, fd, colliding);
  close(fd);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message().find("same path 'index.html'"), std::string::npos);
}

TEST(Pack, Errors) {
  const int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  auto r = pack_directory("/nonexistent-dir", fd);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("--pack expects a directory"), std::string::npos);
  const std::string dir = testing::make_temp_dir();
  testing::write_file(dir + "/bad\xff.txt", "x");
  auto r2 = pack_directory(dir, fd);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message().find("not valid UTF-8"), std::string::npos);
  close(fd);
  testing::remove_tree(dir);
}

TEST(TarWriter, PaxOnlyWhenNeeded) {
  const std::string small = tar_member_header(TarMember{"a/b.txt", false, 10, kMtime});
  EXPECT_EQ(small.size(), 512u);
  EXPECT_EQ(small[156], '0');

  const uint64_t huge = uint64_t{8} << 30;  // 8 GiB: one past the 11-digit octal limit
  const std::string big = tar_member_header(TarMember{"big.bin", false, huge, int64_t{1} << 40});
  ASSERT_EQ(big.size(), 3 * 512u);  // pax header, one payload block, ustar header
  EXPECT_EQ(big[156], 'x');
  auto pax_header = tar::decode_header(tar::Block(reinterpret_cast<const uint8_t*>(big.data()), 512));
  ASSERT_TRUE(pax_header.ok()) << pax_header.error().message();
  tar::PaxOverrides o;
  ASSERT_TRUE(tar::parse_pax_records(big.substr(512, pax_header->size), o).ok());
  EXPECT_EQ(o.size, huge);
  EXPECT_EQ(o.mtime, int64_t{1} << 40);
  EXPECT_FALSE(o.path.has_value());
  auto ustar = tar::decode_header(tar::Block(reinterpret_cast<const uint8_t*>(big.data()) + 1024, 512));
  ASSERT_TRUE(ustar.ok()) << ustar.error().message();
  EXPECT_EQ(ustar->name, "big.bin");

  const std::string name(300, 'q');
  const std::string long_name = tar_member_header(TarMember{name, true, 0, kMtime});
  tar::PaxOverrides o2;
  auto h = tar::decode_header(tar::Block(reinterpret_cast<const uint8_t*>(long_name.data()), 512));
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(tar::parse_pax_records(long_name.substr(512, h->size), o2).ok());
  EXPECT_EQ(o2.path, name + "/");
}

TEST(TarWriter, BuildTarInMemory) {
  const InMemoryFile files[] = {{".zeroserve/scripts/s.o", "ELF...", 0}, {"x.txt", "x", 5}};
  const std::string bytes = build_tar(files);
  auto index = testing::index_bytes(bytes);
  ASSERT_TRUE(index.ok()) << index.error().message();
  ASSERT_EQ(index->files.size(), 2u);
  EXPECT_EQ(index->files[0].path, ".zeroserve/scripts/s.o");
  EXPECT_EQ(index->files[0].mtime, 0);
  EXPECT_EQ(bytes.substr(index->files[0].offset, index->files[0].size), "ELF...");
  EXPECT_EQ(index->files[1].mtime, 5);
}

}  // namespace
}  // namespace zs::site
