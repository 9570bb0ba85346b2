// Fuzzes zs::site::normalize_path. Invariants on success: `decoded` never starts or ends with
// '/', has no empty, "." or ".." segment, is valid UTF-8 without controls; `encoded` starts
// with '/'; normalizing `encoded` again gives the same decoded and encoded forms (a fixed
// point, so scripts that re-submit the path see no change); dir_hint matches the input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "site/path.hh"
#include "site/utf8.hh"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant failed: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto r = zs::site::normalize_path(raw);
  if (!r) {
    check(!r.error().message().empty(), "error has a message");
    return 0;
  }
  const std::string& d = r->decoded;
  check(d.empty() || (d.front() != '/' && d.back() != '/'), "decoded has no outer '/'");
  size_t pos = 0;
  while (!d.empty() && pos <= d.size()) {
    size_t next = d.find('/', pos);
    if (next == std::string::npos) next = d.size();
    const std::string_view seg = std::string_view(d).substr(pos, next - pos);
    check(!seg.empty() && seg != "." && seg != "..", "decoded segment is a name");
    pos = next + 1;
  }
  check(zs::site::is_valid_utf8(d), "decoded is UTF-8");
  for (char c : d) {
    const auto b = static_cast<unsigned char>(c);
    check(b >= 0x20 && b != 0x7F, "decoded has no control characters");
  }
  check(!r->encoded.empty() && r->encoded.front() == '/', "encoded starts with '/'");
  const bool hint = raw.empty() || raw == "/" || (raw.size() > 1 && raw.back() == '/');
  check(r->dir_hint == hint, "dir_hint from the raw input");

  auto again = zs::site::normalize_path(r->encoded);
  check(again.ok(), "encoded re-normalizes");
  check(again->decoded == d, "decoded is stable");
  check(again->encoded == r->encoded, "encoded is a fixed point");
  return 0;
}
