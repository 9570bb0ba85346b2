// Byte classification for HTTP syntax (RFC 9110 §5.6.2 token, §5.5 field values, RFC 3986
// URI characters) as 256-entry constexpr tables, plus ASCII case-insensitive comparison.
// Pure functions over bytes: no locale, no allocation, nothing here knows HTTP versions.
// Relies only on <array>/<string_view>; every table is built at compile time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace zs::http {

// One bit per character class; a byte may be in several classes.
enum CharClass : uint8_t {
  kTchar = 1 << 0,       // token: "!#$%&'*+-.^_`|~" DIGIT ALPHA (RFC 9110 §5.6.2)
  kFieldValue = 1 << 1,  // field-vchar / SP / HTAB: VCHAR, obs-text 0x80-0xFF, SP, HTAB (§5.5)
  kTarget = 1 << 2,      // request-target bytes: VCHAR only (RFC 3986 is ASCII; no SP, no CTL)
  kRegName = 1 << 3,     // reg-name: unreserved / sub-delims / "%" (RFC 3986 §3.2.2)
  kHexDigit = 1 << 4,    // 0-9 a-f A-F
  kDigit = 1 << 5,       // 0-9
};

namespace detail {

constexpr bool is_alpha(unsigned c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(unsigned c) { return c >= '0' && c <= '9'; }

constexpr std::array<uint8_t, 256> make_char_classes() {
  std::array<uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    uint8_t bits = 0;
    if (is_alpha(c) || is_digit(c) || std::string_view("!#$%&'*+-.^_`|~").find(char(c)) !=
                                           std::string_view::npos) {
      bits |= kTchar;
    }
    if ((c >= 0x21 && c <= 0x7e) || c >= 0x80 || c == ' ' || c == '\t') bits |= kFieldValue;
    if (c >= 0x21 && c <= 0x7e) bits |= kTarget;
    if (is_alpha(c) || is_digit(c) ||
        std::string_view("-._~!$&'()*+,;=%").find(char(c)) != std::string_view::npos) {
      bits |= kRegName;
    }
    if (is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) bits |= kHexDigit;
    if (is_digit(c)) bits |= kDigit;
    t[c] = bits;
  }
  return t;
}

}  // namespace detail

inline constexpr std::array<uint8_t, 256> kCharClasses = detail::make_char_classes();

constexpr bool has_class(char c, CharClass cls) {
  return (kCharClasses[static_cast<uint8_t>(c)] & cls) != 0;
}
constexpr bool is_tchar(char c) { return has_class(c, kTchar); }
constexpr bool is_field_value_char(char c) { return has_class(c, kFieldValue); }

// True when every byte of `s` is in `cls` (an empty string is vacuously true).
constexpr bool all_of_class(std::string_view s, CharClass cls) {
  for (char c : s) {
    if (!has_class(c, cls)) return false;
  }
  return true;
}

// A token is one or more tchar (RFC 9110 §5.6.2).
constexpr bool is_token(std::string_view s) { return !s.empty() && all_of_class(s, kTchar); }

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c; }

// ASCII case-insensitive equality; field names, codings and connection options compare this way
// (RFC 9110 §5.1, §7.6.1, §8.4.1). Bytes >= 0x80 compare exactly.
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// Strips leading and trailing OWS (SP / HTAB, RFC 9110 §5.6.3).
constexpr std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A field value we may send or forward (RFC 9110 §5.5): field-vchar, SP and HTAB only (no CR,
// LF or NUL), and no leading or trailing whitespace.
constexpr bool is_field_value(std::string_view v) {
  return all_of_class(v, kFieldValue) && trim_ows(v).size() == v.size();
}

}  // namespace zs::http
