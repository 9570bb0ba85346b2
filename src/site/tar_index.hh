// Builds the index of a site tarball: one sequential pass over the archive that validates every
// header, resolves pax / GNU long names, hashes each regular file's bytes (XXH3-128 -> ETag) and
// rejects anything malformed with a message naming the entry and the header's byte offset.
// Nothing is extracted and nothing is kept in memory but the index itself. Runs at load/reload
// time, off the request path; plain pread(2) is fine here. Relies on xxHash (XXH3).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hh"

namespace zs::site {

// Quoted strong entity-tag: '"' + 32 lowercase hex digits of XXH3-128 + '"' (RFC 9110 §8.8.3).
inline constexpr size_t kEtagLen = 34;

// One servable regular file of the archive.
struct Entry {
  std::string path;              // normalized: no leading/trailing '/', no '.'/'..'/empty segments
  uint64_t offset = 0;           // byte offset of the file's data inside the tar file
  uint64_t size = 0;             // bytes of data
  int64_t mtime = 0;             // seconds since the epoch; 0 = unknown (no Last-Modified)
  std::array<char, kEtagLen> etag_chars{};  // see etag()
  std::string_view content_type;           // static storage (mime.hh)

  std::string_view etag() const { return {etag_chars.data(), etag_chars.size()}; }
};

struct IndexLimits {
  uint64_t max_entries = 1'000'000;     // file + directory headers indexed, duplicates included
  uint64_t max_meta_payload = 64 * 1024;  // bytes of one pax ('x'/'g') or GNU 'L'/'K' payload
};

struct TarIndex {
  std::vector<Entry> files;               // duplicates resolved (last wins), sorted by path
  std::vector<std::string> directories;   // explicit dirs + every parent of a file, sorted
  uint64_t file_size = 0;                 // bytes in the tar file at index time
};

// Indexes the archive open on `fd` (read with pread; the file offset is not used or changed).
// The fd is borrowed. Policy, decided here once:
//   - Indexed: regular files ('0', '\0', '7') and directories ('5'; also a regular-file type
//     whose name ends in '/'). Everything else (links, devices, FIFOs, GNU sparse 'S', pax
//     entries carrying GNU.sparse.* keys, unknown types) is skipped by its size. Types '1'-'6'
//     carry no data blocks whatever their size field says (as Go's archive/tar reads them).
//   - Names: pax path > GNU 'L' long name > ustar prefix/name. Must be UTF-8 without NUL; a
//     leading "./" is stripped, '/' trimmed at both ends, empty and "." segments dropped; any
//     ".." segment is rejected. A directory whose name normalizes to "" (the root) is skipped;
//     a regular file with an empty name is rejected.
//   - Duplicates: the last header for a path wins, as extraction would leave it (a later
//     directory removes an earlier file of the same path and vice versa).
//   - End of archive: two zero blocks end it (anything after them is ignored, as tar does);
//     EOF right after an entry's padded data, or after one zero block, is accepted; a zero block
//     followed by a non-zero block is rejected (tools disagree on what follows); a partial block
//     anywhere before the end is rejected (so is data whose 512-byte padding is cut off).
//   - Rejected too: bad checksums, malformed or overflowing size/mtime fields, negative sizes,
//     data past EOF, malformed pax records, pax/GNU payloads over max_meta_payload (never read),
//     a metadata header not followed by an entry, more than max_entries entries, gzip/bzip2/xz/
//     zstd magic, and an archive with no regular file.
// Error messages look like: "entry 'a/b.txt' (header at offset 1536): bad header checksum ...".
Result<TarIndex> index_tar(int fd, const IndexLimits& limits = {});

}  // namespace zs::site
