// Byte ranges for packed static files (behaviour reference §2g; RFC 9110 §14): Range and
// If-Range evaluation, and the multipart/byteranges framing (RFC 9110 §14.6) the server streams
// around the parts it reads from the tar. Pure; no I/O. The caller applies ranges to GET and
// HEAD only, after the conditional check (304 wins over 206).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "site/tar_index.hh"

namespace zs::site {

inline constexpr size_t kMaxRanges = 16;

struct ByteRange {
  uint64_t first = 0;  // inclusive
  uint64_t last = 0;   // inclusive, < size
  uint64_t length() const { return last - first + 1; }
  bool operator==(const ByteRange&) const = default;
};

enum class RangeOutcome {
  kIgnore,         // serve the whole representation: 200
  kSatisfiable,    // 206: one range -> Content-Range; several -> multipart/byteranges
  kUnsatisfiable,  // 416 with "Content-Range: bytes */<size>", empty body
};

struct RangeDecision {
  RangeOutcome outcome = RangeOutcome::kIgnore;
  std::array<ByteRange, kMaxRanges> ranges{};  // [0, count) valid when kSatisfiable
  size_t count = 0;

  std::span<const ByteRange> satisfiable() const { return {ranges.data(), count}; }
};

// Decides what to do with a Range header for a representation of `size` bytes.
//   - Range absent -> ignore. If-Range present (RFC 9110 §13.1.5): a value starting "W/" ->
//     ignore; a quoted tag equal to `etag`, or the bare hex -> ranges apply; otherwise it must
//     be an HTTP-date EXACTLY equal to `mtime` (and mtime != 0: with no Last-Modified sent, no
//     date can validate) or the Range is ignored.
//   - Syntax (RFC 9110 §14.1.2): "bytes" (case-insensitive) "=" range-set; elements separated
//     by ',' with optional whitespace; empty elements skipped. Unknown unit, bad digits, numbers
//     over 2^64-1, or no element at all -> ignore.
//   - ONE element (the reference's behaviour): "a-b" clamps b to size-1; "a-" to the end;
//     "-n" is the last n bytes (n >= size: all; n = 0: unsatisfiable). a >= size, b < a, or an
//     empty file -> unsatisfiable.
//   - SEVERAL elements (beyond the reference): more than kMaxRanges -> ignore. Each element is
//     resolved as above; unsatisfiable ones are dropped (RFC 9110 §14.1.1). None left ->
//     unsatisfiable; one left -> a single-part 206. The rest must be in ascending order and must
//     not overlap, or the whole header is ignored (RFC 9110 §14.2 lets a server ignore ranges
//     that are unsorted or overlapping: they are how "many small ranges" attacks amplify work).
RangeDecision evaluate_range(std::optional<std::string_view> range,
                             std::optional<std::string_view> if_range, uint64_t size,
                             std::string_view etag, int64_t mtime);

inline RangeDecision evaluate_range(std::optional<std::string_view> range,
                                    std::optional<std::string_view> if_range, const Entry& entry) {
  return evaluate_range(range, if_range, entry.size, entry.etag(), entry.mtime);
}

// "bytes <first>-<last>/<size>" (satisfiable) for a Content-Range header.
std::string content_range(const ByteRange& r, uint64_t size);
// "bytes */<size>" for a 416.
std::string unsatisfied_content_range(uint64_t size);

// The bytes a server sends around the parts of a multipart/byteranges body:
//   parts[0].header, data(ranges[0]), parts[1].header, data(ranges[1]), ..., closing
// where each header is  [CRLF] "--" boundary CRLF "Content-Type: " type CRLF
//                        "Content-Range: bytes a-b/size" CRLF CRLF
// (the CRLF before the delimiter belongs to the delimiter, RFC 2046 §5.1.1; the first part has
// none) and closing is  CRLF "--" boundary "--" CRLF.
struct MultipartFraming {
  struct Part {
    std::string header;
    ByteRange range;
  };
  std::string boundary;
  std::string content_type;  // "multipart/byteranges; boundary=<boundary>"
  std::vector<Part> parts;
  std::string closing;
  uint64_t content_length = 0;  // exact: headers + data + closing
};

// Builds the framing for `ranges` (2..kMaxRanges, as evaluate_range returns them) of a
// representation of `size` bytes with type `part_content_type`. `boundary` must be 1..70
// characters of RFC 2046 bchars without a trailing space; use multipart_boundary() unless a
// test needs a fixed one.
MultipartFraming build_multipart(std::span<const ByteRange> ranges,
                                 std::string_view part_content_type, uint64_t size,
                                 std::string_view boundary);

// A boundary derived from the representation's ETag: "zs-" + the 32 hex digits. Deterministic
// (same file, same framing), and a file cannot practically contain the delimiter built from
// the hash of its own contents.
std::string multipart_boundary(std::string_view etag);

}  // namespace zs::site
