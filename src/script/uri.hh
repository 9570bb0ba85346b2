// The request-URI rewrite of zs_req_set_uri (zeroserve-behavior.md §4b row 47): a new URI,
// given as "/p?q", "?q", a relative "a/b?q" or an absolute "http://host/p?q", resolved against
// the current request path and normalized exactly as incoming request paths are (site/path.hh).
// Pure function; fuzzed (tests/fuzz/uri_rewrite).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace zs::script {

struct RewrittenUri {
  std::string path;          // normalized, still percent-encoded, leading '/'
  std::string decoded_path;  // decoded, leading '/'
  std::string query;         // without '?'
  bool query_given = false;  // false: "keep the current query" (a bare path like "/p" clears it)
};

// Resolves `uri` against `current_path` (a normalized path as RewrittenUri::path). A fragment
// is dropped. nullopt: empty, contains spaces or control characters, or its path does not
// normalize (escapes the root, hides a '/', bad escapes).
std::optional<RewrittenUri> resolve_uri(std::string_view current_path, std::string_view uri);

}  // namespace zs::script
