// The tar on-disk format, decoded block by block: ustar/GNU/v7 header fields, numeric fields
// (octal and GNU base-256), header checksums and pax extended-header records
// (POSIX.1-2017 pax "ustar Interchange Format" and "pax Extended Header").
// Pure functions over bytes: no I/O, no allocation sized by untrusted fields. The walk over a
// whole archive (and every policy about which entries count) lives in tar_index.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.hh"

namespace zs::site::tar {

inline constexpr size_t kBlockSize = 512;
using Block = std::span<const uint8_t, kBlockSize>;

// Type flags we act on (POSIX ustar + GNU extensions); anything else is skipped.
inline constexpr char kTypeRegular = '0';
inline constexpr char kTypeRegularOld = '\0';  // pre-POSIX regular file (v7)
inline constexpr char kTypeContiguous = '7';
inline constexpr char kTypeDirectory = '5';
inline constexpr char kTypePaxLocal = 'x';
inline constexpr char kTypePaxGlobal = 'g';
inline constexpr char kTypeGnuLongName = 'L';
inline constexpr char kTypeGnuLongLink = 'K';

// Largest value the 11 octal digits of a classic size field hold (8 GiB - 1); bigger sizes need
// a pax "size" record or base-256.
inline constexpr uint64_t kMaxOctalSize = (uint64_t{1} << 33) - 1;

// One decoded header block. The name is the ustar prefix and name joined (prefix only for the
// POSIX "ustar\0" magic: in GNU headers those bytes hold other fields); each part ends at its
// first NUL or at the field's end.
struct Header {
  std::string name;
  char typeflag = 0;
  uint64_t size = 0;  // <= INT64_MAX
  int64_t mtime = 0;  // seconds; negative values are clamped to 0 ("unknown")
};

// True when all 512 bytes are zero (an end-of-archive marker block).
bool is_zero_block(Block block);

// The name fields only, for error messages about a header that failed to decode.
std::string raw_header_name(Block block);

// Decodes and validates one header block: checksum (the unsigned sum, or the signed sum some
// historic writers used, POSIX and GNU both accept either), the size field, the mtime field.
// Errors say which field is wrong and why; the caller adds the offset and name.
Result<Header> decode_header(Block block);

// Parses a numeric header field: optional leading spaces, octal digits, then only spaces/NULs
// (a field filled with digits and no terminator is accepted: libarchive writes 12-digit sizes
// that way); or GNU base-256 (first byte 0x80 = positive, 0xFF = negative, big-endian).
// Errors: empty, non-octal byte, negative, value >= 2^63.
Result<int64_t> parse_numeric(std::span<const uint8_t> field, bool allow_negative);

// What a pax extended header ('x') says about the next entry. Keys other than path, size and
// mtime are ignored, except that any GNU.sparse.* key marks the entry as sparse (its data is a
// sparse map plus fragments, not the file's bytes). An empty value deletes the override
// (POSIX: "If the value field is zero length, it shall delete ...").
struct PaxOverrides {
  std::optional<std::string> path;
  std::optional<uint64_t> size;
  std::optional<int64_t> mtime;
  bool sparse = false;
};

// Parses "<len> <key>=<value>\n" records covering all of `payload` and applies them to `into`
// (later records win). Errors: length not decimal, zero, shorter than its own prefix or longer
// than the rest of the payload; missing ' ', '=' or the final '\n'; empty key; NUL in path;
// size not a decimal that fits 63 bits; mtime not [-]digits[.digits].
Result<void> parse_pax_records(std::string_view payload, PaxOverrides& into);

}  // namespace zs::site::tar
