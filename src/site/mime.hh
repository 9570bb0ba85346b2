// Content type by file extension for statically served entries (behaviour reference §2e).
// One constexpr table, matched case-insensitively on the last extension of the last path
// segment; no content sniffing and no configuration. Unknown -> application/octet-stream.
#pragma once

#include <span>
#include <string_view>

namespace zs::site {

struct MimeMapping {
  std::string_view extension;  // lowercase, without the dot
  std::string_view type;       // ready to send as Content-Type
};

inline constexpr std::string_view kDefaultMimeType = "application/octet-stream";

// The whole table, for tests and documentation. Entries have static storage duration.
std::span<const MimeMapping> mime_table();

// Content type for `path` (a normalized relative path or a bare file name). The extension is
// what follows the last '.' of the last segment, unless that '.' starts the segment (".htaccess"
// has no extension) or ends it ("a." has none). The returned view has static storage duration.
std::string_view mime_type_for(std::string_view path);

}  // namespace zs::site
