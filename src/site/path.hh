// Request-path normalization (behaviour reference §2c): percent-decoding and '.'/'..'
// resolution happen here once, before scripts run and before the static lookup.
// Input is the raw path part of the request target (no query, no fragment); this file does not
// parse request lines or absolute-form targets. Pure: no I/O, no global state.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hh"

namespace zs::site {

struct NormalizedPath {
  // Percent-decoded, '.'/'..' resolved, empty segments dropped, joined with '/'; no leading or
  // trailing '/'. "" is the root. Valid UTF-8 without NUL/control characters. Used for lookup.
  std::string decoded;
  // The same segments in their ORIGINAL (still percent-encoded) spelling, with a leading '/',
  // and a trailing '/' when dir_hint is set and the path is not the root. What scripts see as
  // the request path (zs_req_path).
  std::string encoded;
  // The raw path was "/" (or empty) or ended in '/'. Computed on the raw input, as the reference
  // does: "/a/b/.." has no hint, "/a/../" has one.
  bool dir_hint = false;
};

// Normalizes `raw`:
//   - "" is treated as "/";
//   - split on '/', empty segments skipped;
//   - each segment percent-decoded: "%XY" with two hex digits is a byte; a '%' with fewer than
//     two characters after it stays a literal '%'; a '%' followed by two characters that are not
//     both hex is an error;
//   - a decoded "." is dropped; a decoded ".." pops the previous segment (error at the root);
//   - a decoded segment containing '/' (%2f, %2F) is an error (it would split differently for
//     scripts than for the lookup: an ACL bypass);
//   - a decoded segment that is not valid UTF-8 (overlong forms and surrogates included) or that
//     contains NUL or a control character (0x00-0x1F, 0x7F) is an error.
// Errors mean "400 Bad Request"; the message says why (for logs, never sent to the client).
// Backslashes, ';', ':' and every other byte are ordinary name bytes.
Result<NormalizedPath> normalize_path(std::string_view raw);

}  // namespace zs::site
