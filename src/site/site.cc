// Implementation of site.hh. The maps hold string_views into the index's own strings, which
// never move after construction (the vectors are not touched again).
#include "site/site.hh"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace zs::site {

bool is_hidden_path(std::string_view rel_path) {
  return rel_path.starts_with(kHiddenDir) &&
         (rel_path.size() == kHiddenDir.size() || rel_path[kHiddenDir.size()] == '/');
}

Result<std::shared_ptr<const Site>> Site::open(const std::string& path, const IndexLimits& limits) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(path + ": cannot open: " + std::strerror(errno));
  return from_fd(fd, path, limits);
}

Result<std::shared_ptr<const Site>> Site::from_fd(int fd, std::string display_name,
                                                   const IndexLimits& limits) {
  auto index = index_tar(fd, limits);
  if (!index) {
    ::close(fd);
    return index.error().wrap(display_name);
  }
  return std::shared_ptr<const Site>(new Site(fd, std::move(display_name), std::move(*index)));
}

Site::Site(int fd, std::string name, TarIndex index)
    : fd_(fd), name_(std::move(name)), index_(std::move(index)) {
  by_path_.reserve(index_.files.size());
  for (const Entry& e : index_.files) by_path_.emplace(e.path, &e);
  dirs_.reserve(index_.directories.size());
  for (const std::string& d : index_.directories) dirs_.insert(d);
}

Site::~Site() { ::close(fd_); }

const Entry* Site::find(std::string_view rel_path) const {
  auto it = by_path_.find(rel_path);
  return it == by_path_.end() ? nullptr : it->second;
}

bool Site::is_directory(std::string_view rel_path) const { return dirs_.contains(rel_path); }

const Entry* Site::find_visible(std::string_view rel_path) const {
  return is_hidden_path(rel_path) ? nullptr : find(rel_path);
}

namespace {

// Joins up to three pieces into a stack buffer, or a heap string when they do not fit.
class Candidate {
 public:
  Candidate(std::string_view a, std::string_view b, std::string_view c) {
    const size_t n = a.size() + b.size() + c.size();
    char* p = buf_.data();
    if (n > buf_.size()) {
      heap_.resize(n);
      p = heap_.data();
    }
    std::memcpy(p, a.data(), a.size());
    std::memcpy(p + a.size(), b.data(), b.size());
    std::memcpy(p + a.size() + b.size(), c.data(), c.size());
    view_ = std::string_view(p, n);
  }
  std::string_view view() const { return view_; }

 private:
  std::array<char, 1024> buf_;
  std::string heap_;
  std::string_view view_;
};

}  // namespace

const Entry* Site::lookup(const NormalizedPath& path, const LookupOptions& options) const {
  const std::string_view rel = path.decoded;
  const std::string_view index = options.index.empty() ? "index.html" : options.index;

  // 1. The exact path. The root ("") is never a file.
  if (!rel.empty())
    if (const Entry* e = find_visible(rel)) return e;

  // 2. and 3.: the reference tries "<path>/<index>" when the request looks like a directory
  // (trailing '/', root, known directory) and then again unconditionally for non-root paths,
  // so one probe gives the same answer. No redirect is issued for a missing trailing slash.
  {
    const Candidate c(rel, rel.empty() ? "" : "/", index);
    if (const Entry* e = find_visible(c.view())) return e;
  }

  // 4. --try-html: the reference checks only the ".html" suffix, not "has no extension".
  if (options.try_html && !rel.empty() && !rel.ends_with(".html")) {
    const Candidate c(rel, ".html", "");
    if (const Entry* e = find_visible(c.view())) return e;
  }
  return nullptr;
}

}  // namespace zs::site
