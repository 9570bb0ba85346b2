// Fuzzes zs::script::resolve_uri. Input: the current path, a NUL byte, the new URI (no NUL: the
// URI is used whole against "/"). Invariants on success: the path starts with '/' and is a
// fixed point of site::normalize_path (so the static lookup sees exactly what scripts read
// back), the decoded path is "/" + its decoding, and neither path nor query holds a space or
// a control character; resolving the result again changes nothing.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "script/uri.hh"
#include "site/path.hh"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant failed: %s\n", what);
    std::abort();
  }
}

bool clean(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  std::string_view uri = nul == std::string_view::npos ? in : in.substr(nul + 1);
  std::string current = "/";
  if (nul != std::string_view::npos) {
    // A request's path never holds a literal '?' or '#' (the query is split off first), nor a
    // space or control character (both parsers refuse them).
    if (in.substr(0, nul).find_first_of("?#") != std::string_view::npos || !clean(in.substr(0, nul))) return 0;
    auto cur = zs::site::normalize_path(in.substr(0, nul));
    if (!cur) return 0;  // the current path is always a normalized one
    current = cur->encoded;
  }
  auto r = zs::script::resolve_uri(current, uri);
  if (!r) return 0;
  check(!r->path.empty() && r->path.front() == '/', "path starts with '/'");
  auto again = zs::site::normalize_path(r->path);
  check(again.ok(), "path normalizes");
  check(again->encoded == r->path, "path is a fixed point");
  check(r->decoded_path == "/" + again->decoded, "decoded path matches");
  check(clean(r->path) && clean(r->query), "no spaces or controls");
  const std::string same = r->query_given ? r->path + "?" + r->query : r->path;
  auto twice = zs::script::resolve_uri(r->path, same);
  check(twice.has_value(), "the result resolves again");
  check(twice->path == r->path && twice->query == r->query, "resolving is idempotent");
  return 0;
}
