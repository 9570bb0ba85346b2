// Conditional GET for packed static files (behaviour reference §2g; RFC 9110 §13.1.2,
// §13.1.3, §13.2.2): decides 200 vs 304 from If-None-Match / If-Modified-Since. Pure; header
// values are passed raw (as received, possibly combined with ", "). If-Match and
// If-Unmodified-Since (412) are not evaluated for static files, as in the reference. The caller
// applies this to GET and HEAD only.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "site/tar_index.hh"

namespace zs::site {

enum class ConditionalOutcome { kServe, kNotModified };

// `etag` is our quoted strong tag ("\"<hex>\""); `mtime` 0 means unknown.
//   - If-None-Match present (even empty): it alone decides. "*" matches; otherwise a comma list
//     of entity-tags compared weakly (RFC 9110 §8.8.3.2: "W/" ignored on both sides). A bare
//     unquoted token equal to our tag's hex is accepted too (lenient, as the reference's
//     string compare is). Match -> 304.
//   - Otherwise If-Modified-Since, only when mtime != 0 and the value parses as an HTTP-date
//     (zs::parse_http_date): 304 when mtime <= date.
ConditionalOutcome evaluate_conditional(std::optional<std::string_view> if_none_match,
                                        std::optional<std::string_view> if_modified_since,
                                        std::string_view etag, int64_t mtime);

inline ConditionalOutcome evaluate_conditional(std::optional<std::string_view> if_none_match,
                                               std::optional<std::string_view> if_modified_since,
                                               const Entry& entry) {
  return evaluate_conditional(if_none_match, if_modified_since, entry.etag(), entry.mtime);
}

// True when any tag of the If-None-Match list `header` matches `etag` weakly (see above).
// Exposed for tests and for the If-Range check's sibling logic.
bool if_none_match_matches(std::string_view header, std::string_view etag);

}  // namespace zs::site
