// Writes deterministic tar members: POSIX ustar headers (mode 0644/0755, uid/gid 0, empty
// owner names), preceded by a pax 'x' header only when a field does not fit ustar (long path,
// size >= 8 GiB, mtime outside 0..8^11-1). Used by --pack and for in-memory sites (a standalone
// script wrapped as .zeroserve/scripts/<name>.o). Produces bytes only; callers do the I/O.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace zs::site {

struct TarMember {
  std::string_view path;  // relative, '/'-separated, no trailing '/' (added for directories)
  bool directory = false;
  uint64_t size = 0;      // data bytes that follow (0 for directories)
  int64_t mtime = 0;      // seconds; negative is written as 0
};

// Header block(s) for `m`: a multiple of 512 bytes (pax header + its records, then ustar).
std::string tar_member_header(const TarMember& m);

// Zero bytes that pad `size` bytes of data to the next 512-byte boundary (0..511 bytes).
std::string_view tar_padding(uint64_t size);

// The two zero blocks that end an archive.
std::string_view tar_end_of_archive();

struct InMemoryFile {
  std::string_view path;
  std::string_view contents;
  int64_t mtime = 0;
};

// A complete archive of `files` in the given order (no directory entries), ending with two zero
// blocks. For small in-memory sites; --pack streams instead.
std::string build_tar(std::span<const InMemoryFile> files);

}  // namespace zs::site
