// Implementation of mime.hh. A dozen rows: a linear scan beats any hash here, and lookup runs
// once per entry at load time, not per request.
#include "site/mime.hh"

#include <array>

namespace zs::site {
namespace {

// The reference's guess_mime table (§2e), in its order.
constexpr std::array<MimeMapping, 14> kMimeTable = {{
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "application/javascript; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"svg", "image/svg+xml"},
    {"wasm", "application/wasm"},
    {"txt", "text/plain; charset=utf-8"},
    {"xml", "application/xml"},
    {"ico", "image/x-icon"},
}};

bool equals_ascii_lower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

std::span<const MimeMapping> mime_table() { return kMimeTable; }

std::string_view mime_type_for(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) return kDefaultMimeType;
  const std::string_view ext = name.substr(dot + 1);
  for (const MimeMapping& m : kMimeTable)
    if (equals_ascii_lower(ext, m.extension)) return m.type;
  return kDefaultMimeType;
}

}  // namespace zs::site
