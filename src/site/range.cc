// Implementation of range.hh. Parsing is two steps: the syntax of the whole range-set first
// (any error ignores the header), then resolution of each element against the size.
#include "site/range.hh"

#include "base/http_date.hh"

namespace zs::site {
namespace {

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

bool parse_u64(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

// One syntactically valid range-spec: "a-b", "a-" or "-n".
struct Spec {
  bool suffix = false;
  uint64_t first = 0;
  bool has_last = false;
  uint64_t last = 0;  // for suffix: the length n
};

bool parse_spec(std::string_view s, Spec& out) {
  const size_t dash = s.find('-');
  if (dash == std::string_view::npos) return false;
  const std::string_view a = s.substr(0, dash);
  const std::string_view b = s.substr(dash + 1);
  if (a.empty()) {
    out.suffix = true;
    return parse_u64(b, out.last);
  }
  if (!parse_u64(a, out.first)) return false;
  if (b.empty()) return true;
  out.has_last = true;
  return parse_u64(b, out.last);
}

// Resolves a spec against `size`; false when unsatisfiable.
bool resolve(const Spec& s, uint64_t size, ByteRange& out) {
  if (size == 0) return false;
  if (s.suffix) {
    if (s.last == 0) return false;
    out.first = s.last >= size ? 0 : size - s.last;
    out.last = size - 1;
    return true;
  }
  if (s.first >= size) return false;
  if (s.has_last && s.last < s.first) return false;
  out.first = s.first;
  out.last = s.has_last && s.last < size - 1 ? s.last : size - 1;
  return true;
}

bool equals_ignore_case(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// RFC 9110 §13.1.5: does If-Range let the Range apply?
bool if_range_allows(std::string_view value, std::string_view etag, int64_t mtime) {
  value = trim(value);
  if (value.starts_with("W/")) return false;  // weak tags never validate a range
  if (!value.empty() && value.front() == '"') return value == etag;
  if (etag.size() >= 2 && value == etag.substr(1, etag.size() - 2)) return true;  // bare tag
  if (mtime == 0) return false;
  const auto date = parse_http_date(value);
  return date && *date == mtime;
}

}  // namespace

RangeDecision evaluate_range(std::optional<std::string_view> range,
                             std::optional<std::string_view> if_range, uint64_t size,
                             std::string_view etag, int64_t mtime) {
  RangeDecision d;
  if (!range) return d;
  if (if_range && !if_range_allows(*if_range, etag, mtime)) return d;

  const std::string_view value = trim(*range);
  const size_t eq = value.find('=');
  if (eq == std::string_view::npos || !equals_ignore_case(value.substr(0, eq), "bytes")) return d;

  std::array<Spec, kMaxRanges> specs;
  size_t nspecs = 0;
  std::string_view rest = value.substr(eq + 1);
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view elem = trim(rest.substr(0, comma));
    if (!elem.empty()) {
      if (nspecs == kMaxRanges) return d;  // too many: ignore the header
      if (!parse_spec(elem, specs[nspecs])) return d;
      ++nspecs;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (nspecs == 0) return d;

  for (size_t i = 0; i < nspecs; ++i) {
    ByteRange r;
    if (!resolve(specs[i], size, r)) continue;
    if (d.count > 0 && r.first <= d.ranges[d.count - 1].last) return RangeDecision{};  // abuse
    d.ranges[d.count++] = r;
  }
  d.outcome = d.count == 0 ? RangeOutcome::kUnsatisfiable : RangeOutcome::kSatisfiable;
  return d;
}

std::string content_range(const ByteRange& r, uint64_t size) {
  return "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" +
         std::to_string(size);
}

std::string unsatisfied_content_range(uint64_t size) { return "bytes */" + std::to_string(size); }

MultipartFraming build_multipart(std::span<const ByteRange> ranges,
                                 std::string_view part_content_type, uint64_t size,
                                 std::string_view boundary) {
  MultipartFraming f;
  f.boundary = std::string(boundary);
  f.content_type = "multipart/byteranges; boundary=" + f.boundary;
  f.parts.reserve(ranges.size());
  for (size_t i = 0; i < ranges.size(); ++i) {
    std::string h;
    if (i > 0) h += "\r\n";
    h += "--";
    h += boundary;
    h += "\r\nContent-Type: ";
    h += part_content_type;
    h += "\r\nContent-Range: ";
    h += content_range(ranges[i], size);
    h += "\r\n\r\n";
    f.content_length += h.size() + ranges[i].length();
    f.parts.push_back(MultipartFraming::Part{std::move(h), ranges[i]});
  }
  f.closing = "\r\n--" + f.boundary + "--\r\n";
  f.content_length += f.closing.size();
  return f;
}

std::string multipart_boundary(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  return "zs-" + std::string(etag);
}

}  // namespace zs::site
