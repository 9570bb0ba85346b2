// Implementation of uri.hh.
#include "script/uri.hh"

#include "site/path.hh"

namespace zs::script {
namespace {

bool has_space_or_control(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

std::optional<RewrittenUri> resolve_uri(std::string_view current_path, std::string_view uri) {
  if (size_t hash = uri.find('#'); hash != std::string_view::npos) uri = uri.substr(0, hash);
  if (uri.empty() || has_space_or_control(uri)) return std::nullopt;
  std::string_view path = uri;
  RewrittenUri out;
  if (size_t q = uri.find('?'); q != std::string_view::npos) {
    path = uri.substr(0, q);
    out.query = uri.substr(q + 1);
    out.query_given = true;
  }
  std::string target;
  if (size_t scheme = path.find("://"); scheme != std::string_view::npos && path.find('/') > scheme) {
    // Absolute URI: only its path counts here.
    std::string_view rest = path.substr(scheme + 3);
    size_t slash = rest.find('/');
    target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  } else if (path.empty()) {
    target = current_path;  // "?q": same path, new query
  } else if (path.front() == '/') {
    target = path;
  } else {
    // Relative reference (RFC 3986 §5.2.3): merge with the current path's directory.
    target = current_path.substr(0, current_path.rfind('/') + 1);
    target += path;
  }
  auto normalized = site::normalize_path(target);
  if (!normalized) return std::nullopt;
  out.path = std::move(normalized->encoded);
  out.decoded_path.reserve(normalized->decoded.size() + 1);
  out.decoded_path.append("/").append(normalized->decoded);
  // A new path without '?' clears the query (as a link to "/p" would).
  if (!out.query_given && !path.empty()) out.query_given = true;
  return out;
}

}  // namespace zs::script
