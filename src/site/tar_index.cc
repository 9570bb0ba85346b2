// Implementation of tar_index.hh: the archive walk. Header decoding is tar_format's job; this
// file owns the policy (which entries count, names, duplicates, end of archive) and the I/O.
// Reads go through a window buffer so a million small entries cost a few thousand syscalls.
#include "site/tar_index.hh"

#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "site/mime.hh"
#include "site/tar_format.hh"
#include "site/utf8.hh"

namespace zs::site {
namespace {

using tar::kBlockSize;

constexpr size_t kWindowSize = 256 * 1024;  // > max meta payload + one block

uint64_t pad_to_block(uint64_t n) { return (n + kBlockSize - 1) / kBlockSize * kBlockSize; }

// A read-only view of the file through one reusable buffer. view() never reads past the size
// recorded at construction; a short read (file truncated under us) is an error, not a crash.
class FileWindow {
 public:
  FileWindow(int fd, uint64_t size) : fd_(fd), size_(size), buf_(new uint8_t[kWindowSize]) {}

  uint64_t size() const { return size_; }

  // `len` <= kWindowSize and [off, off+len) inside the file: the caller checks both.
  Result<const uint8_t*> view(uint64_t off, size_t len) {
    if (off >= start_ && off + len <= start_ + len_) return buf_.get() + (off - start_);
    start_ = off;
    len_ = 0;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kWindowSize, size_ - off));
    while (len_ < want) {
      const ssize_t n = pread(fd_, buf_.get() + len_, want - len_, static_cast<off_t>(off + len_));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error(std::string("read failed: ") + std::strerror(errno));
      if (n == 0) break;
      len_ += static_cast<size_t>(n);
    }
    if (len_ < len) return Error("file shrank while being indexed");
    return buf_.get();
  }

 private:
  int fd_;
  uint64_t size_;
  std::unique_ptr<uint8_t[]> buf_;
  uint64_t start_ = 0;
  size_t len_ = 0;
};

// Entry names go into log lines: escape controls, quotes, backslashes and non-ASCII bytes, and
// cut very long names so one hostile header cannot flood the log.
std::string printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  const size_t limit = 256;
  for (size_t i = 0; i < s.size() && i < limit; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7F && b != '\'' && b != '\\') {
      out.push_back(static_cast<char>(b));
    } else {
      out += "\\x";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    }
  }
  if (s.size() > limit) out += "...";
  return out;
}

// Normalizes a tar entry name (see index_tar's contract). `raw` has already been checked for
// NUL by its source (C-string fields stop at NUL; pax rejects it).
Result<std::string> normalize_entry_name(std::string_view raw) {
  if (!is_valid_utf8(raw)) return Error("name is not valid UTF-8");
  while (raw.starts_with("./")) raw.remove_prefix(2);
  std::string out;
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t next = raw.find('/', pos);
    if (next == std::string_view::npos) next = raw.size();
    const std::string_view seg = raw.substr(pos, next - pos);
    pos = next + 1;
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") return Error("name has a '..' segment");
    if (!out.empty()) out.push_back('/');
    out.append(seg);
  }
  return out;
}

void format_etag(const XXH128_hash_t& h, std::array<char, kEtagLen>& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  XXH128_canonical_t canon;
  XXH128_canonicalFromHash(&canon, h);
  out[0] = '"';
  for (size_t i = 0; i < 16; ++i) {
    out[1 + 2 * i] = kHex[canon.digest[i] >> 4];
    out[2 + 2 * i] = kHex[canon.digest[i] & 15];
  }
  out[kEtagLen - 1] = '"';
}

const char* compression_name(const uint8_t* p, uint64_t n) {
  if (n >= 2 && p[0] == 0x1F && p[1] == 0x8B) return "gzip";
  if (n >= 3 && std::memcmp(p, "BZh", 3) == 0) return "bzip2";
  if (n >= 6 && std::memcmp(p, "\xFD" "7zXZ\0", 6) == 0) return "xz";
  if (n >= 4 && std::memcmp(p, "\x28\xB5\x2F\xFD", 4) == 0) return "zstd";
  return nullptr;
}

struct XxhStateDeleter {
  void operator()(XXH3_state_t* s) const { XXH3_freeState(s); }
};

class Walker {
 public:
  Walker(int fd, uint64_t size, const IndexLimits& limits)
      : window_(fd, size), limits_(limits), xxh_(XXH3_createState()) {}

  Result<TarIndex> run();

 private:
  Result<bool> step();  // false = end of archive reached
  Result<void> read_meta(const tar::Header& h, uint64_t data_offset);
  Result<void> index_entry(const tar::Header& h, uint64_t data_offset, uint64_t data_size);
  Result<void> hash_data(uint64_t offset, uint64_t size, std::array<char, kEtagLen>& out);
  Result<bool> end_marker();
  TarIndex finish();

  Error fail(std::string_view name, const std::string& why) const {
    std::string msg;
    if (!name.empty()) msg = "entry '" + printable(name) + "' ";
    msg += "(header at offset " + std::to_string(header_offset_) + "): " + why;
    return Error(std::move(msg));
  }

  FileWindow window_;
  IndexLimits limits_;
  std::unique_ptr<XXH3_state_t, XxhStateDeleter> xxh_;
  uint64_t offset_ = 0;         // next block to read
  uint64_t header_offset_ = 0;  // offset of the header being processed (for messages)
  uint64_t indexed_ = 0;

  // Metadata waiting for the entry it describes.
  bool meta_pending_ = false;
  uint64_t meta_offset_ = 0;
  tar::PaxOverrides pax_;
  std::optional<std::string> long_name_;

  // Every indexed file header; dead ones (replaced by a directory) have an empty path. A deque:
  // growing it never moves the entries (a vector's doublings dominated 1M-entry loads).
  std::deque<Entry> slots_;
  std::unordered_map<std::string, size_t> slot_of_;
  std::unordered_set<std::string> explicit_dirs_;
};

Result<TarIndex> Walker::run() {
  if (!xxh_) return Error("out of memory (XXH3 state)");
  for (;;) {
    auto more = step();
    if (!more) {
      // A first block that is not a tar header may be a compressed archive: say so instead.
      // Checked only after a failure, so a valid tar whose first name starts "BZh" still loads.
      if (header_offset_ == 0 && window_.size() > 0) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(window_.size(), kBlockSize));
        auto head = window_.view(0, n);
        if (head)
          if (const char* kind = compression_name(*head, n))
            return Error(std::string("looks ") + kind +
                         "-compressed; zeroserve serves uncompressed tar (decompress it first)");
      }
      return more.error();
    }
    if (!*more) break;
  }
  TarIndex index = finish();
  if (index.files.empty()) return Error("tarball does not contain any regular files");
  return index;
}

Result<bool> Walker::step() {
  const uint64_t size = window_.size();
  header_offset_ = offset_;
  if (offset_ == size) {
    if (meta_pending_) {
      header_offset_ = meta_offset_;
      return fail("", "metadata header is not followed by an entry (archive ends)");
    }
    return false;  // EOF right after an entry: accepted without end-of-archive blocks
  }
  if (size - offset_ < kBlockSize)
    return fail("", "truncated header: only " + std::to_string(size - offset_) +
                        " bytes remain (archive length is not a multiple of 512)");
  auto p = window_.view(offset_, kBlockSize);
  if (!p) return fail("", p.error().message());
  const tar::Block block(*p, kBlockSize);
  if (tar::is_zero_block(block)) return end_marker();

  auto h = tar::decode_header(block);
  if (!h) return fail(tar::raw_header_name(block), h.error().message());
  const uint64_t data_offset = offset_ + kBlockSize;
  const uint64_t remaining = size - data_offset;

  switch (h->typeflag) {
    case tar::kTypePaxLocal:
    case tar::kTypePaxGlobal:
    case tar::kTypeGnuLongName:
    case tar::kTypeGnuLongLink: {
      if (auto r = read_meta(*h, data_offset); !r) return r.error();
      offset_ = data_offset + pad_to_block(h->size);
      return true;
    }
    default:
      break;
  }

  const bool header_only = h->typeflag >= '1' && h->typeflag <= '6';
  uint64_t data_size = pax_.size.value_or(h->size);
  if (header_only) data_size = 0;
  const std::string_view name = pax_.path ? *pax_.path : long_name_ ? *long_name_ : h->name;
  if (data_size > remaining || pad_to_block(data_size) > remaining)
    return fail(name, "data (" + std::to_string(data_size) + " bytes, padded to 512) extends past "
                      "the end of the archive (" + std::to_string(remaining) + " bytes remain)");
  if (auto r = index_entry(*h, data_offset, data_size); !r) return r.error();
  meta_pending_ = false;
  pax_ = tar::PaxOverrides{};
  long_name_.reset();
  offset_ = data_offset + pad_to_block(data_size);
  return true;
}

Result<bool> Walker::end_marker() {
  if (meta_pending_) {
    header_offset_ = meta_offset_;
    return fail("", "metadata header is not followed by an entry (end-of-archive block follows)");
  }
  const uint64_t size = window_.size();
  const uint64_t next = offset_ + kBlockSize;
  if (next == size) return false;  // a single zero block, then EOF
  if (size - next < kBlockSize) {
    header_offset_ = next;
    return fail("", "truncated block after an end-of-archive zero block");
  }
  auto p = window_.view(next, kBlockSize);
  if (!p) return fail("", p.error().message());
  if (tar::is_zero_block(tar::Block(*p, kBlockSize))) return false;  // ignore the rest
  header_offset_ = next;
  return fail("", "non-zero block after a single end-of-archive zero block at offset " +
                      std::to_string(offset_));
}

Result<void> Walker::read_meta(const tar::Header& h, uint64_t data_offset) {
  const char* what = h.typeflag == tar::kTypePaxLocal    ? "pax extended header"
                     : h.typeflag == tar::kTypePaxGlobal ? "pax global header"
                     : h.typeflag == tar::kTypeGnuLongName ? "GNU long name"
                                                           : "GNU long link";
  const uint64_t remaining = window_.size() - data_offset;
  if (h.size > limits_.max_meta_payload)
    return fail("", std::string(what) + " payload of " + std::to_string(h.size) +
                        " bytes exceeds the limit of " + std::to_string(limits_.max_meta_payload));
  if (pad_to_block(h.size) > remaining)
    return fail("", std::string(what) + " payload (" + std::to_string(h.size) +
                        " bytes) extends past the end of the archive");
  auto p = window_.view(data_offset, static_cast<size_t>(h.size));
  if (!p) return fail("", p.error().message());
  const std::string_view payload(reinterpret_cast<const char*>(*p), h.size);

  if (!meta_pending_) meta_offset_ = header_offset_;
  switch (h.typeflag) {
    case tar::kTypePaxLocal: {
      meta_pending_ = true;
      if (auto r = tar::parse_pax_records(payload, pax_); !r)
        return fail(pax_.path.value_or(""), std::string(what) + ": " + r.error().message());
      break;
    }
    case tar::kTypePaxGlobal: {
      // Parsed so a malformed one is caught; global defaults are not applied (we only use
      // path/size/mtime, which make no sense archive-wide).
      tar::PaxOverrides ignored;
      if (auto r = tar::parse_pax_records(payload, ignored); !r)
        return fail("", std::string(what) + ": " + r.error().message());
      break;
    }
    case tar::kTypeGnuLongName:
      meta_pending_ = true;
      long_name_ = std::string(payload.substr(0, payload.find('\0')));
      break;
    default:  // 'K': the link target of a link entry we do not index
      meta_pending_ = true;
      break;
  }
  return {};
}

Result<void> Walker::index_entry(const tar::Header& h, uint64_t data_offset, uint64_t data_size) {
  const bool regular = h.typeflag == tar::kTypeRegular || h.typeflag == tar::kTypeRegularOld ||
                       h.typeflag == tar::kTypeContiguous;
  const bool directory = h.typeflag == tar::kTypeDirectory;
  if ((!regular && !directory) || pax_.sparse) return {};

  const std::string& raw = pax_.path ? *pax_.path : long_name_ ? *long_name_ : h.name;
  auto name = normalize_entry_name(raw);
  if (!name) return fail(raw, name.error().message());
  if (++indexed_ > limits_.max_entries)
    return fail(raw, "archive has more than " + std::to_string(limits_.max_entries) +
                         " entries (limit)");
  const int64_t mtime = pax_.mtime.value_or(h.mtime);

  // v7 archives mark directories with a trailing '/' on a regular-file header.
  if (directory || (!raw.empty() && raw.back() == '/')) {
    if (name->empty()) return {};  // the archive root itself
    if (auto it = slot_of_.find(*name); it != slot_of_.end()) {
      slots_[it->second].path.clear();
      slot_of_.erase(it);
    }
    explicit_dirs_.insert(std::move(*name));
    return {};
  }
  if (name->empty()) return fail(raw, "regular file with an empty name");

  Entry e;
  e.offset = data_offset;
  e.size = data_size;
  e.mtime = mtime;
  if (auto r = hash_data(data_offset, data_size, e.etag_chars); !r) return fail(raw, r.error().message());
  e.content_type = mime_type_for(*name);
  explicit_dirs_.erase(*name);
  e.path = *name;
  auto [it, inserted] = slot_of_.try_emplace(std::move(*name), slots_.size());
  if (inserted) {
    slots_.push_back(std::move(e));
  } else {
    slots_[it->second] = std::move(e);  // last wins
  }
  return {};
}

Result<void> Walker::hash_data(uint64_t offset, uint64_t size, std::array<char, kEtagLen>& out) {
  XXH3_128bits_reset(xxh_.get());
  while (size > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(size, kWindowSize));
    auto p = window_.view(offset, n);
    if (!p) return p.error();
    XXH3_128bits_update(xxh_.get(), *p, n);
    offset += n;
    size -= n;
  }
  format_etag(XXH3_128bits_digest(xxh_.get()), out);
  return {};
}

TarIndex Walker::finish() {
  TarIndex index;
  index.file_size = window_.size();
  slot_of_ = {};  // release before building the result: it duplicates every path
  index.files.reserve(static_cast<size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](const Entry& e) { return !e.path.empty(); })));
  std::unordered_set<std::string> dirs = std::move(explicit_dirs_);
  for (Entry& e : slots_) {
    if (e.path.empty()) continue;
    for (size_t slash = e.path.rfind('/'); slash != std::string::npos && slash > 0;
         slash = e.path.rfind('/', slash - 1)) {
      if (!dirs.insert(e.path.substr(0, slash)).second) break;  // its parents are in already
    }
    index.files.push_back(std::move(e));
  }
  slots_ = {};
  // Parents of explicit directories are directories too.
  std::vector<std::string> explicit_list(dirs.begin(), dirs.end());
  for (const std::string& d : explicit_list)
    for (size_t slash = d.rfind('/'); slash != std::string::npos && slash > 0;
         slash = d.rfind('/', slash - 1))
      dirs.insert(d.substr(0, slash));
  index.directories.assign(dirs.begin(), dirs.end());
  std::sort(index.directories.begin(), index.directories.end());
  std::sort(index.files.begin(), index.files.end(),
            [](const Entry& a, const Entry& b) { return a.path < b.path; });
  return index;
}

}  // namespace

Result<TarIndex> index_tar(int fd, const IndexLimits& limits) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Error(std::string("fstat failed: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Error("not a regular file");
  Walker walker(fd, static_cast<uint64_t>(st.st_size), limits);
  return walker.run();
}

}  // namespace zs::site
