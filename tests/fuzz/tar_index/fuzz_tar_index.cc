// Fuzzes the tar indexer: the input is written to a memfd (reused across runs) and indexed
// with small limits. Invariants on success: at least one file; every entry's data lies inside
// the input and starts on a block boundary; paths are normalized, unique and sorted; the ETag
// has its quoted 32-hex form; every parent of a file is a directory. On failure: a message.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

#include "site/tar_index.hh"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant failed: %s\n", what);
    std::abort();
  }
}

bool normalized(std::string_view p) {
  if (p.empty() || p.front() == '/' || p.back() == '/') return false;
  size_t pos = 0;
  while (pos <= p.size()) {
    size_t next = p.find('/', pos);
    if (next == std::string_view::npos) next = p.size();
    const std::string_view seg = p.substr(pos, next - pos);
    if (seg.empty() || seg == "." || seg == "..") return false;
    pos = next + 1;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int fd = memfd_create("fuzz-tar", MFD_CLOEXEC);
  check(fd >= 0, "memfd_create");
  check(ftruncate(fd, 0) == 0, "ftruncate");
  size_t done = 0;
  while (done < size) {
    const ssize_t n = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    check(n > 0, "pwrite");
    done += static_cast<size_t>(n);
  }

  zs::site::IndexLimits limits;
  limits.max_entries = 2000;
  limits.max_meta_payload = 16 * 1024;
  auto r = zs::site::index_tar(fd, limits);
  if (!r) {
    check(!r.error().message().empty(), "error has a message");
    return 0;
  }
  const zs::site::TarIndex& index = *r;
  check(!index.files.empty(), "a loaded index has a file");
  check(index.file_size == size, "file size recorded");
  const std::set<std::string> dirs(index.directories.begin(), index.directories.end());
  for (size_t i = 0; i < index.files.size(); ++i) {
    const zs::site::Entry& e = index.files[i];
    check(e.offset % 512 == 0, "data starts on a block boundary");
    check(e.offset <= size && e.size <= size - e.offset, "data inside the input");
    check(normalized(e.path), "path normalized");
    if (i > 0) check(index.files[i - 1].path < e.path, "paths sorted and unique");
    const std::string_view etag = e.etag();
    check(etag.size() == 34 && etag.front() == '"' && etag.back() == '"', "etag quoted");
    check(std::all_of(etag.begin() + 1, etag.end() - 1,
                      [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }),
          "etag lowercase hex");
    for (size_t s = e.path.find('/'); s != std::string::npos; s = e.path.find('/', s + 1))
      check(dirs.count(e.path.substr(0, s)) == 1, "parent is a directory");
    check(!e.content_type.empty(), "content type set");
  }
  for (const std::string& d : index.directories) check(normalized(d), "directory normalized");
  return 0;
}
