// Implementation of pack.hh: collect (lstat, no symlink following), run the hook, sort, write.
// Collecting everything first is what makes the output order independent of readdir order.
#include "site/pack.hh"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "site/tar_writer.hh"
#include "site/utf8.hh"

namespace zs::site {
namespace {

struct Item {
  std::string rel;  // tar path
  std::string abs;  // file to read ("" when contents is set)
  bool directory = false;
  uint64_t size = 0;
  int64_t mtime = 0;
  std::optional<std::string> contents;  // replacement from the hook
};

Error sys_error(const std::string& what, const std::string& path) {
  return Error(what + " '" + path + "': " + std::strerror(errno));
}

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};

Result<void> collect(const std::string& abs_dir, const std::string& rel_dir,
                     std::vector<Item>& out) {
  std::unique_ptr<DIR, DirCloser> d(opendir(abs_dir.c_str()));
  if (!d) return sys_error("cannot open directory", abs_dir);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* ent = readdir(d.get())) {
    const std::string_view n = ent->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
    errno = 0;
  }
  if (errno != 0) return sys_error("cannot read directory", abs_dir);
  d.reset();

  for (const std::string& n : names) {
    const std::string abs = abs_dir + "/" + n;
    const std::string rel = rel_dir.empty() ? n : rel_dir + "/" + n;
    if (!is_valid_utf8(rel))
      return Error("cannot pack '" + abs + "': name is not valid UTF-8 (sites need UTF-8 names)");
    struct stat st;
    if (lstat(abs.c_str(), &st) != 0) return sys_error("cannot stat", abs);
    if (S_ISDIR(st.st_mode)) {
      out.push_back(Item{rel, abs, true, 0, st.st_mtim.tv_sec, std::nullopt});
      if (auto r = collect(abs, rel, out); !r) return r;
    } else if (S_ISREG(st.st_mode)) {
      out.push_back(Item{rel, abs, false, static_cast<uint64_t>(st.st_size), st.st_mtim.tv_sec,
                         std::nullopt});
    }
    // Symlinks, sockets, FIFOs and devices are skipped on purpose (reference §2b).
  }
  return {};
}

Result<void> write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(std::string("write failed: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

// Copies exactly item.size bytes of the file (its size when collected).
Result<void> copy_file(const Item& item, int out_fd) {
  const int fd = ::open(item.abs.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return sys_error("cannot open", item.abs);
  std::vector<char> buf(256 * 1024);
  uint64_t left = item.size;
  Result<void> result;
  while (left > 0 && result) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
    const ssize_t n = ::read(fd, buf.data(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = sys_error("cannot read", item.abs);
    } else if (n == 0) {
      result = Error("file '" + item.abs + "' shrank while being packed");
    } else {
      result = write_all(out_fd, std::string_view(buf.data(), static_cast<size_t>(n)));
      left -= static_cast<uint64_t>(n);
    }
  }
  ::close(fd);
  return result;
}

Result<void> apply_hook(std::vector<Item>& items, const PackFileHook& hook) {
  std::vector<Item> kept;
  kept.reserve(items.size());
  for (Item& item : items) {
    if (item.directory) {
      kept.push_back(std::move(item));
      continue;
    }
    auto decision = hook(item.rel, item.abs);
    if (!decision) return decision.error().wrap(item.rel);
    switch (decision->action) {
      case PackDecision::Action::kKeep:
        kept.push_back(std::move(item));
        break;
      case PackDecision::Action::kSkip:
        break;
      case PackDecision::Action::kReplace:
        item.rel = std::move(decision->path);
        item.size = decision->contents.size();
        item.contents = std::move(decision->contents);
        kept.push_back(std::move(item));
        break;
    }
  }
  items = std::move(kept);
  return {};
}

}  // namespace

Result<void> pack_directory(const std::string& dir, int out_fd, const PackOptions& options) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Error("--pack expects a directory: '" + dir + "'");

  std::vector<Item> items;
  if (auto r = collect(dir, "", items); !r) return r;
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.rel < b.rel; });
  if (options.on_file) {
    if (auto r = apply_hook(items, options.on_file); !r) return r;
    std::sort(items.begin(), items.end(),
              [](const Item& a, const Item& b) { return a.rel < b.rel; });
  }
  for (size_t i = 1; i < items.size(); ++i)
    if (items[i].rel == items[i - 1].rel)
      return Error("two members would have the same path '" + items[i].rel + "'");

  for (const Item& item : items) {
    const std::string header =
        tar_member_header(TarMember{item.rel, item.directory, item.size, item.mtime});
    if (auto r = write_all(out_fd, header); !r) return r;
    if (item.directory) continue;
    if (item.contents) {
      if (auto r = write_all(out_fd, *item.contents); !r) return r;
    } else if (auto r = copy_file(item, out_fd); !r) {
      return r;
    }
    if (auto r = write_all(out_fd, tar_padding(item.size)); !r) return r;
  }
  return write_all(out_fd, tar_end_of_archive());
}

}  // namespace zs::site
