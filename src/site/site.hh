// A loaded site: the open tar file plus its index, shared read-only by every worker thread
// (std::shared_ptr<const Site>, swapped on reload; in-flight requests keep the old one alive).
// Answers static lookups (behaviour reference §2d) in O(1) average per probe. Does not read
// bodies: the server reads [entry.offset, entry.offset + entry.size) from fd() itself.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "base/result.hh"
#include "site/path.hh"
#include "site/tar_index.hh"

namespace zs::site {

struct LookupOptions {
  std::string_view index = "index.html";  // --index; "" means "index.html". Must be a plain
                                          // relative name (the CLI validates it)
  bool try_html = false;                  // --try-html
};

// The hidden script/config folder: never served, whatever the spelling in the request
// resolves to. Matching is exact and case-sensitive (Linux file names are): ".ZEROSERVE/x" is
// an ordinary path that only exists if the tar has such an entry.
inline constexpr std::string_view kHiddenDir = ".zeroserve";

class Site {
 public:
  // Opens `path` read-only (O_CLOEXEC) and indexes it. Error messages start with the path.
  static Result<std::shared_ptr<const Site>> open(const std::string& path,
                                                  const IndexLimits& limits = {});
  // Takes ownership of `fd` (closed on failure too), e.g. a memfd holding an in-memory tar.
  // `display_name` is used in messages.
  static Result<std::shared_ptr<const Site>> from_fd(int fd, std::string display_name,
                                                     const IndexLimits& limits = {});

  ~Site();
  Site(const Site&) = delete;
  Site& operator=(const Site&) = delete;

  // Open for the Site's lifetime; read with pread/io_uring at entry offsets, any thread.
  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  uint64_t file_size() const { return index_.file_size; }

  // All regular files, sorted by path (byte-wise); pointers stay valid for the Site's lifetime.
  std::span<const Entry> files() const { return index_.files; }
  std::span<const std::string> directories() const { return index_.directories; }

  // Exact entry for a normalized relative path, including hidden ones (for the script loader);
  // nullptr when absent.
  const Entry* find(std::string_view rel_path) const;
  // True for explicit directory entries and every parent of an entry.
  bool is_directory(std::string_view rel_path) const;

  // Static lookup, in the reference's order (§2d):
  //   1. the exact decoded path;
  //   2./3. "<path>/<index>" ("<index>" at the root);
  //   4. with try_html, "<path>.html" when the path is non-empty and does not end in ".html".
  // Any candidate equal to ".zeroserve" or under ".zeroserve/" misses. nullptr = 404.
  // Allocation-free for paths up to 1 KiB. Thread-safe (const, no mutable state).
  const Entry* lookup(const NormalizedPath& path, const LookupOptions& options) const;

 private:
  Site(int fd, std::string name, TarIndex index);

  const Entry* find_visible(std::string_view rel_path) const;

  int fd_;
  std::string name_;
  TarIndex index_;
  std::unordered_map<std::string_view, const Entry*> by_path_;  // views into index_.files
  std::unordered_set<std::string_view> dirs_;                   // views into index_.directories
};

// True when `rel_path` is ".zeroserve" or lies under ".zeroserve/".
bool is_hidden_path(std::string_view rel_path);

}  // namespace zs::site
