// HTTP/1.1 request-head parser (RFC 9112 §2-§3, §5-§6, §9.3; RFC 9110 fields): strict,
// resumable, zero-copy. It turns the bytes of one request head into a validated RequestHead and
// decides the body framing. It does no I/O, never allocates and never reads the body
// (see chunked.hh for chunked bodies). Relies on the caller keeping unconsumed bytes contiguous.
//
// Decisions where RFC 9112 lets the recipient choose (each has a named test row):
//   - Leading empty lines (CRLF) before the request-line are skipped (§2.2); they count as head
//     bytes. Bare LF anywhere in the head, as terminator or not, is 400 (§2.2 "MAY" declined).
//   - Request-line: exactly one SP between parts; tab, double SP, trailing SP -> 400 (§3).
//     Version must be "HTTP/" DIGIT "." DIGIT (case-sensitive, §2.3) else 400; only 1.0 and 1.1
//     are served: HTTP/0.9, 1.2-1.9, 2.0-9.9 -> 505. No version at all (HTTP/0.9 style) -> 400.
//   - Request-target bytes must be ASCII VCHAR (RFC 3986); bytes >= 0x80, CTL and '#' -> 400.
//     Forms (§3.2): origin-form "/..."; absolute-form with scheme http/https (any case) and a
//     non-empty authority without userinfo; authority-form "host:port" iff CONNECT;
//     asterisk-form "*" iff OPTIONS. Anything else -> 400.
//   - Fields (§5): token name, no whitespace before ':' (MUST, §5.1), obs-fold -> 400 (§5.2),
//     values of VCHAR / obs-text / SP / HTAB only (CR, LF, NUL, other CTL, DEL -> 400).
//   - Content-Length: 1*DIGIT, no leading zeros (except "0"), at most 2^63-1; any other form,
//     a list ("5, 5") or a second Content-Length field, even equal -> 400 (§6.3, A3-A5).
//   - Transfer-Encoding: only exactly "chunked" is served. Unknown codings -> 501; "chunked" not
//     last, chunked twice, a second TE field, parameters, empty list members, obfuscations
//     containing "chunked" (e.g. "xchunked") -> 400. TE in HTTP/1.0 -> 400. TE + CL -> 400.
//   - Host: HTTP/1.1 needs exactly one; two Host fields or an invalid value -> 400; an empty
//     value is valid (§3.2). Absolute-form authority overrides Host (§3.2.2), no 400 on mismatch.
//   - Connection: comma list of tokens; "close" wins over "keep-alive"; a non-token -> 400.
//   - Expect: only "100-continue" (any case); anything else -> 417 (RFC 9110 §10.1.1). On
//     HTTP/1.0 a 100-continue is accepted but ignored (MUST, same section).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "http/request_head.hh"

namespace zs::http::h1 {

// Size limits applied while bytes arrive; the defaults match the reference server (8 KiB line,
// 64 KiB head) and common practice (100 fields). Line sizes exclude the CRLF; the head size
// includes every byte up to and including the blank line's LF.
struct Limits {
  uint32_t max_request_line = 8 * 1024;  // over -> 414
  uint32_t max_field_line = 8 * 1024;    // one field line; over -> 431
  uint32_t max_head = 64 * 1024;         // over -> 431
  uint32_t max_headers = kMaxHeaders;    // field lines; over -> 431; values > kMaxHeaders clamp
  uint64_t max_content_length = std::numeric_limits<uint64_t>::max();  // over -> 413
};

enum class ParseStatus : uint8_t { kDone, kNeedMore, kError };

struct ParseResult {
  ParseStatus status = ParseStatus::kNeedMore;
  // kDone: bytes the head occupied (through the blank line's LF); the body, if any, follows.
  size_t consumed = 0;
  // kError: the status to answer with (400, 413, 414, 417, 431, 501, 505) and a short reason
  // with static storage (safe to log, never freed).
  uint16_t http_status = 0;
  std::string_view reason;
};

// One parser per connection, reused request after request via reset(). Not thread-safe; cheap
// to construct (about 2 KiB, no heap).
//
// Protocol: call parse() with ALL bytes received since the start of this request head (the
// buffer may have moved between calls, its content must not have changed). The parser resumes
// where it stopped, so the total work is O(head size). Results:
//   kNeedMore: nothing in `out` is meaningful yet; call again when more bytes arrive.
//   kDone:     `out` is complete; its views point into `buffered` and live as long as those
//              bytes do. Call reset() before parsing the next head (buffer starting after the
//              head and its body).
//   kError:    answer http_status and close the connection (the framing cannot be trusted).
//              Further calls return the same error until reset().
// Over-limit heads are detected as soon as the limit is crossed, even one byte at a time.
class Parser {
 public:
  explicit Parser(const Limits& limits = Limits{});

  ParseResult parse(std::string_view buffered, RequestHead& out);
  void reset();

 private:
  enum class State : uint8_t { kRequestLine, kFields, kDone, kError };
  struct Span {
    uint32_t off = 0;
    uint32_t len = 0;
  };
  struct FieldSpan {
    Span name;
    Span value;
  };

  // Each returns true on success; on failure it has recorded error_ (via fail_bool).
  bool on_request_line(std::string_view buf, size_t begin, size_t end);
  bool classify_target(std::string_view buf);
  bool on_field_line(std::string_view buf, size_t begin, size_t end);
  bool on_field(std::string_view name, std::string_view value, Span value_span);
  bool on_content_length(std::string_view value);
  bool on_transfer_encoding(std::string_view value);
  bool on_connection(std::string_view value);
  bool on_expect(std::string_view value);
  ParseResult finish(std::string_view buf, size_t head_end, RequestHead& out);
  ParseResult line_too_long();
  ParseResult fail(uint16_t status, std::string_view reason);
  bool fail_bool(uint16_t status, std::string_view reason);

  Limits limits_;
  State state_ = State::kRequestLine;
  uint32_t line_start_ = 0;  // offset of the line being assembled
  uint32_t scan_ = 0;        // bytes before this offset hold no LF of the current line
  ParseResult error_;

  // Request line, as offsets so the caller may move its buffer between calls.
  Method method_ = Method::kOther;
  Version version_ = Version::kHttp11;
  TargetForm form_ = TargetForm::kOrigin;
  Span method_span_;
  Span target_span_;
  Span path_span_;
  Span uri_authority_span_;

  // Framing and connection decisions accumulated field by field.
  uint32_t field_count_ = 0;
  bool has_content_length_ = false;
  bool has_transfer_encoding_ = false;
  bool has_host_ = false;
  bool conn_close_ = false;
  bool conn_keep_alive_ = false;
  bool expect_continue_ = false;
  uint64_t content_length_ = 0;
  Span host_span_;
  std::array<FieldSpan, kMaxHeaders> fields_;
};

// Validates `host [ ":" port ]` as used by Host and authority-form (RFC 9110 §7.2, RFC 3986
// §3.2.2): reg-name (unreserved / sub-delims / pct-encoded, non-empty) or an IP-literal in
// brackets, then an optional port of at most 5 digits (required when `require_port`).
// Userinfo ("@") is never valid here (RFC 9110 §4.2.4).
bool is_valid_authority(std::string_view authority, bool require_port);

}  // namespace zs::http::h1
