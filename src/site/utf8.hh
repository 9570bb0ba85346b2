// Strict UTF-8 validation (RFC 3629 §3/§4): the one check shared by tar-name validation and
// request-path normalization. Rejects overlong forms, UTF-16 surrogates (U+D800..U+DFFF) and
// code points above U+10FFFF. Does not normalize (no NFC) and does not allocate.
#pragma once

#include <string_view>

namespace zs::site {

// True when `bytes` is well-formed UTF-8 per RFC 3629 (the empty string is valid).
bool is_valid_utf8(std::string_view bytes);

}  // namespace zs::site
