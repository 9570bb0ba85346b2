// HTTP-date (RFC 9110 §5.6.7): formatting IMF-fixdate and parsing the three accepted forms
// (IMF-fixdate, obsolete RFC 850, asctime). Pure functions over bytes; UTC only, no locale,
// no libc time zone state, so they are safe on any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace zs {

// Length of an IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
inline constexpr size_t kHttpDateLen = 29;

// Writes exactly kHttpDateLen bytes (no NUL) for `unix_seconds` (>= 0) into `out`.
void format_http_date(int64_t unix_seconds, char* out);

// Parses any of the three forms; the weekday name is checked for shape but not for agreement
// with the date (as RFC 9110 allows recipients to ignore it). Returns unix seconds, or nullopt
// when the text is not a valid HTTP-date.
std::optional<int64_t> parse_http_date(std::string_view text);

// Days since 1970-01-01 for a proleptic Gregorian date (month 1..12). Exposed for tests.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

}  // namespace zs
