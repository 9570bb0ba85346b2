// Implementation of conditional.hh. Entity-tags are scanned by their quotes, not split on ',':
// etagc (RFC 9110 §8.8.3) allows ',' inside the quotes.
#include "site/conditional.hh"

#include "base/http_date.hh"

namespace zs::site {
namespace {

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view strip_quotes(std::string_view tag) {
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') return tag.substr(1, tag.size() - 2);
  return tag;
}

}  // namespace

bool if_none_match_matches(std::string_view header, std::string_view etag) {
  const std::string_view ours = strip_quotes(etag);
  size_t i = 0;
  while (i < header.size()) {
    while (i < header.size() && (is_ows(header[i]) || header[i] == ',')) ++i;
    if (i == header.size()) break;
    if (header[i] == '*') return true;
    if (header.substr(i, 2) == "W/") i += 2;
    std::string_view tag;
    if (i < header.size() && header[i] == '"') {
      const size_t close = header.find('"', i + 1);
      if (close == std::string_view::npos) return false;  // unterminated: malformed, no match
      tag = header.substr(i + 1, close - i - 1);
      i = close + 1;
    } else {
      size_t end = i;
      while (end < header.size() && header[end] != ',' && !is_ows(header[end])) ++end;
      tag = header.substr(i, end - i);
      i = end;
    }
    if (!tag.empty() && tag == ours) return true;
  }
  return false;
}

ConditionalOutcome evaluate_conditional(std::optional<std::string_view> if_none_match,
                                        std::optional<std::string_view> if_modified_since,
                                        std::string_view etag, int64_t mtime) {
  if (if_none_match) {
    return if_none_match_matches(*if_none_match, etag) ? ConditionalOutcome::kNotModified
                                                       : ConditionalOutcome::kServe;
  }
  if (if_modified_since && mtime != 0) {
    if (auto date = parse_http_date(trim(*if_modified_since)); date && mtime <= *date)
      return ConditionalOutcome::kNotModified;
  }
  return ConditionalOutcome::kServe;
}

}  // namespace zs::site
