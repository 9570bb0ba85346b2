// HTTP/1.1 request-head parser: line assembly with limits (parse), request-line and field-line
// syntax, then the per-field framing decisions. The policy for every case the RFC leaves open
// is listed in parser.hh. No allocation; positions are kept as offsets, never as pointers,
// because the caller may move its buffer between calls.
#include "http/h1/parser.hh"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/assert.hh"
#include "http/token.hh"

namespace zs::http::h1 {

namespace {

// RFC 9110 §8.6 allows any 1*DIGIT; we stop at what a signed 64-bit offset can hold so no later
// arithmetic (file offsets, proxies) can overflow.
constexpr uint64_t kMaxContentLength = (uint64_t{1} << 63) - 1;

constexpr bool is_ows(char c) { return c == ' ' || c == '\t'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Calls fn(element) for each member of a comma-separated list (RFC 9110 §5.6.1) with OWS
// trimmed; empty members are passed too, the caller decides. Stops early when fn returns false.
template <typename Fn>
bool for_each_list_member(std::string_view list, Fn&& fn) {
  while (true) {
    const size_t comma = list.find(',');
    if (!fn(trim_ows(list.substr(0, comma)))) return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

// True when every byte is a field-value byte: VCHAR, obs-text, SP or HTAB (RFC 9110 §5.5).
// Values are most of a head's bytes, so this check goes 16 bytes at a time where SSE2 exists;
// the scalar table loop is the reference and handles the tail.
bool all_field_value_chars(const char* p, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i k1f = _mm_set1_epi8(0x1f);
  const __m128i ktab = _mm_set1_epi8('\t');
  const __m128i kdel = _mm_set1_epi8(0x7f);
  for (; i + 16 <= n; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // CTL: unsigned x <= 0x1f, i.e. max(x, 0x1f) == 0x1f; HTAB is allowed; DEL is not.
    const __m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(x, k1f), k1f);
    const __m128i bad = _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(x, ktab), ctl),
                                     _mm_cmpeq_epi8(x, kdel));
    if (_mm_movemask_epi8(bad) != 0) return false;
  }
#endif
  for (; i < n; ++i) {
    if (!is_field_value_char(p[i])) return false;
  }
  return true;
}

bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// Content-Length = 1*DIGIT (RFC 9110 §8.6), canonical form only: no sign, no leading zeros,
// no whitespace inside, no list. Anything a lenient peer might read differently is refused.
bool parse_content_length(std::string_view v, uint64_t& out) {
  if (v.empty() || v.size() > 19) return false;  // 19 digits cannot overflow uint64_t
  if (v[0] == '0' && v.size() > 1) return false;
  uint64_t n = 0;
  for (char c : v) {
    if (!is_digit(c)) return false;
    n = n * 10 + uint64_t(c - '0');
  }
  if (n > kMaxContentLength) return false;
  out = n;
  return true;
}

bool is_valid_reg_name(std::string_view host) {
  for (size_t i = 0; i < host.size(); ++i) {
    if (!has_class(host[i], kRegName)) return false;
    if (host[i] == '%') {  // pct-encoded = "%" HEXDIG HEXDIG
      if (i + 2 >= host.size() || !has_class(host[i + 1], kHexDigit) ||
          !has_class(host[i + 2], kHexDigit)) {
        return false;
      }
      i += 2;
    }
  }
  return !host.empty();
}

}  // namespace

bool is_valid_authority(std::string_view authority, bool require_port) {
  if (authority.empty()) return false;
  std::string_view rest;
  if (authority[0] == '[') {
    // IP-literal: IPv6 text only (hex digits, ':' and '.' for an embedded IPv4). IPvFuture is
    // not accepted; no client sends it.
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : authority.substr(1, close - 1)) {
      if (!has_class(c, kHexDigit) && c != ':' && c != '.') return false;
    }
    rest = authority.substr(close + 1);
  } else {
    const size_t colon = authority.find(':');
    if (!is_valid_reg_name(authority.substr(0, colon))) return false;
    if (colon != std::string_view::npos) rest = authority.substr(colon);
  }
  if (rest.empty()) return !require_port;
  if (rest[0] != ':') return false;
  const std::string_view port = rest.substr(1);
  if (port.size() > 5 || !all_of_class(port, kDigit)) return false;
  return !(require_port && port.empty());
}

Parser::Parser(const Limits& limits) : limits_(limits) {
  limits_.max_headers = std::min<uint32_t>(limits_.max_headers, kMaxHeaders);
}

void Parser::reset() {
  state_ = State::kRequestLine;
  line_start_ = scan_ = 0;
  error_ = ParseResult{};
  method_ = Method::kOther;
  version_ = Version::kHttp11;
  form_ = TargetForm::kOrigin;
  method_span_ = target_span_ = path_span_ = uri_authority_span_ = host_span_ = Span{};
  field_count_ = 0;
  has_content_length_ = has_transfer_encoding_ = has_host_ = false;
  conn_close_ = conn_keep_alive_ = expect_continue_ = false;
  content_length_ = 0;
}

ParseResult Parser::fail(uint16_t status, std::string_view reason) {
  state_ = State::kError;
  error_ = ParseResult{ParseStatus::kError, 0, status, reason};
  return error_;
}

bool Parser::fail_bool(uint16_t status, std::string_view reason) {
  fail(status, reason);
  return false;
}

ParseResult Parser::line_too_long() {
  if (state_ == State::kRequestLine) return fail(414, "request line too long");
  return fail(431, "header field line too long");
}

// Assembles lines. Invariants between calls: [0, line_start_) holds complete, validated lines;
// [line_start_, scan_) holds no LF. Each byte is searched once and validated once.
ParseResult Parser::parse(std::string_view buf, RequestHead& out) {
  if (state_ == State::kError) return error_;
  ZS_ASSERT(state_ != State::kDone);  // reset() must come first
  ZS_ASSERT(buf.size() >= scan_);     // the caller may only append
  const size_t head_cap = std::min<size_t>(buf.size(), limits_.max_head);
  while (true) {
    const size_t max_line =
        state_ == State::kRequestLine ? limits_.max_request_line : limits_.max_field_line;
    const size_t line_cap = size_t{line_start_} + max_line + 2;  // content + CR + LF
    const size_t search_end = std::min(head_cap, line_cap);
    const void* lf = scan_ < search_end ? std::memchr(buf.data() + scan_, '\n', search_end - scan_)
                                        : nullptr;
    if (lf == nullptr) {
      scan_ = uint32_t(search_end);
      if (search_end == line_cap) return line_too_long();
      if (search_end == limits_.max_head) return fail(431, "request head too large");
      // The line already holds max_line + 1 bytes: it can only stay within the limit if that
      // last byte is the CR of its CRLF. Decide now instead of waiting for more bytes.
      if (buf.size() - line_start_ > max_line && buf[line_start_ + max_line] != '\r') {
        return line_too_long();
      }
      return ParseResult{};
    }
    const size_t lf_pos = size_t(static_cast<const char*>(lf) - buf.data());
    // An LF right after max_line + 1 content bytes: the same verdict as if it had not arrived yet
    // (the check above), so trickled and whole input agree.
    if (lf_pos - line_start_ > max_line && buf[line_start_ + max_line] != '\r') {
      return line_too_long();
    }
    // RFC 9112 §2.2: a recipient MAY accept a bare LF; we do not (request smuggling vector A9).
    if (lf_pos == line_start_ || buf[lf_pos - 1] != '\r') return fail(400, "bare LF in head");
    const size_t line_end = lf_pos - 1;
    const bool empty_line = line_end == line_start_;
    if (state_ == State::kRequestLine) {
      // Empty lines before the request-line are ignored (RFC 9112 §2.2 SHOULD).
      if (!empty_line) {
        if (!on_request_line(buf, line_start_, line_end)) return error_;
        state_ = State::kFields;
      }
    } else if (empty_line) {
      return finish(buf, lf_pos + 1, out);
    } else if (!on_field_line(buf, line_start_, line_end)) {
      return error_;
    }
    line_start_ = scan_ = uint32_t(lf_pos + 1);
  }
}

// request-line = method SP request-target SP HTTP-version (RFC 9112 §3), single SPs only.
bool Parser::on_request_line(std::string_view buf, size_t begin, size_t end) {
  const char* p = buf.data();
  size_t i = begin;
  while (i < end && is_tchar(p[i])) ++i;
  if (i == begin) return fail_bool(400, "invalid method");
  if (i == end) return fail_bool(400, "missing request-target");
  if (p[i] != ' ') return fail_bool(400, "invalid character in method");
  method_span_ = Span{uint32_t(begin), uint32_t(i - begin)};

  const size_t target = ++i;
  while (i < end && has_class(p[i], kTarget)) ++i;
  if (i == target) {
    return fail_bool(400, i < end && p[i] == ' ' ? "extra space in request line"
                                                 : "missing request-target");
  }
  target_span_ = Span{uint32_t(target), uint32_t(i - target)};
  if (i == end) return fail_bool(400, "missing HTTP version");
  if (p[i] != ' ') return fail_bool(400, "invalid character in request-target");

  // HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
  const std::string_view v = buf.substr(i + 1, end - i - 1);
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !is_digit(v[5]) || v[6] != '.' ||
      !is_digit(v[7])) {
    return fail_bool(400, "malformed HTTP version");
  }
  if (v[5] == '1' && v[7] == '1') {
    version_ = Version::kHttp11;
  } else if (v[5] == '1' && v[7] == '0') {
    version_ = Version::kHttp10;
  } else {
    return fail_bool(505, "HTTP version not supported");
  }
  method_ = method_from_token(buf.substr(method_span_.off, method_span_.len));
  return classify_target(buf);
}

// RFC 9112 §3.2: the four request-target forms and which methods may use them.
bool Parser::classify_target(std::string_view buf) {
  const std::string_view target = buf.substr(target_span_.off, target_span_.len);
  // A fragment is never part of a request-target (RFC 9112 §3.2, RFC 3986 §3.5).
  if (target.find('#') != std::string_view::npos) {
    return fail_bool(400, "fragment in request-target");
  }
  if (method_ == Method::kConnect) {
    if (!is_valid_authority(target, /*require_port=*/true)) {
      return fail_bool(400, "CONNECT needs an authority-form target");
    }
    form_ = TargetForm::kAuthority;
    uri_authority_span_ = target_span_;
    return true;
  }
  if (target[0] == '/') {
    form_ = TargetForm::kOrigin;
    path_span_ = target_span_;
    return true;
  }
  if (target == "*") {
    if (method_ != Method::kOptions) return fail_bool(400, "asterisk-form is only for OPTIONS");
    form_ = TargetForm::kAsterisk;
    return true;
  }
  size_t scheme_len = 0;
  if (target.size() >= 7 && iequals(target.substr(0, 7), "http://")) {
    scheme_len = 7;
  } else if (target.size() >= 8 && iequals(target.substr(0, 8), "https://")) {
    scheme_len = 8;
  } else {
    return fail_bool(400, "invalid request-target");
  }
  const std::string_view rest = target.substr(scheme_len);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  // RFC 9110 §4.2.1: an http(s) URI with an empty host MUST be rejected; userinfo is refused
  // by is_valid_authority (§4.2.4).
  if (!is_valid_authority(authority, /*require_port=*/false)) {
    return fail_bool(400, "invalid authority in request-target");
  }
  form_ = TargetForm::kAbsolute;
  uri_authority_span_ = Span{uint32_t(target_span_.off + scheme_len), uint32_t(authority.size())};
  path_span_ = Span{uint32_t(uri_authority_span_.off + authority.size()),
                    uint32_t(rest.size() - authority.size())};
  return true;
}

// field-line = field-name ":" OWS field-value OWS (RFC 9112 §5).
bool Parser::on_field_line(std::string_view buf, size_t begin, size_t end) {
  const char* p = buf.data();
  // A line starting with whitespace is obs-fold (or whitespace after the start-line); both are
  // rejected (RFC 9112 §5.2, §2.2).
  if (is_ows(p[begin])) return fail_bool(400, "obs-fold (line folding) not accepted");
  size_t i = begin;
  while (i < end && is_tchar(p[i])) ++i;
  if (i == end) return fail_bool(400, "field line without colon");
  if (p[i] != ':') {
    // RFC 9112 §5.1: whitespace between name and colon MUST be rejected with 400.
    if (is_ows(p[i])) return fail_bool(400, "whitespace before colon");
    return fail_bool(400, "invalid character in field name");
  }
  if (i == begin) return fail_bool(400, "empty field name");
  const size_t name_end = i++;
  while (i < end && is_ows(p[i])) ++i;
  const size_t value_begin = i;
  if (!all_field_value_chars(p + i, end - i)) {
    return fail_bool(400, "invalid character in field value");
  }
  size_t value_end = end;
  while (value_end > value_begin && is_ows(p[value_end - 1])) --value_end;

  if (field_count_ >= limits_.max_headers) return fail_bool(431, "too many header fields");
  const Span value_span{uint32_t(value_begin), uint32_t(value_end - value_begin)};
  fields_[field_count_++] = FieldSpan{Span{uint32_t(begin), uint32_t(name_end - begin)}, value_span};
  return on_field(buf.substr(begin, name_end - begin),
                  buf.substr(value_begin, value_end - value_begin), value_span);
}

// The fields that decide framing, routing and connection handling; others pass through.
bool Parser::on_field(std::string_view name, std::string_view value, Span value_span) {
  switch (name.size()) {
    case 4:
      if (!iequals(name, "host")) return true;
      // RFC 9112 §3.2: more than one Host, or an invalid one, MUST get 400.
      if (has_host_) return fail_bool(400, "duplicate Host");
      if (!value.empty() && !is_valid_authority(value, /*require_port=*/false)) {
        return fail_bool(400, "invalid Host");
      }
      has_host_ = true;
      host_span_ = value_span;
      return true;
    case 6:
      return !iequals(name, "expect") || on_expect(value);
    case 10:
      return !iequals(name, "connection") || on_connection(value);
    case 14:
      return !iequals(name, "content-length") || on_content_length(value);
    case 17:
      return !iequals(name, "transfer-encoding") || on_transfer_encoding(value);
    default:
      return true;
  }
}

bool Parser::on_content_length(std::string_view value) {
  // RFC 9112 §6.1/§6.3: CL with TE is a smuggling attempt; we refuse rather than drop CL.
  if (has_transfer_encoding_) return fail_bool(400, "Content-Length with Transfer-Encoding");
  // RFC 9110 §8.6 would allow identical repeats; we do not (A4).
  if (has_content_length_) return fail_bool(400, "duplicate Content-Length");
  if (!parse_content_length(value, content_length_)) {
    return fail_bool(400, "invalid Content-Length");
  }
  has_content_length_ = true;
  if (content_length_ > limits_.max_content_length) {
    return fail_bool(413, "Content-Length over the body limit");
  }
  return true;
}

// RFC 9112 §6.1: chunked must be the final coding and applied once; we implement no other
// coding, so any other member makes the request unserviceable (501, RFC 9112 §6.1 "SHOULD").
bool Parser::on_transfer_encoding(std::string_view value) {
  if (version_ == Version::kHttp10) return fail_bool(400, "Transfer-Encoding in HTTP/1.0");
  if (has_content_length_) return fail_bool(400, "Content-Length with Transfer-Encoding");
  if (has_transfer_encoding_) return fail_bool(400, "repeated Transfer-Encoding");
  has_transfer_encoding_ = true;
  bool chunked = false;
  bool unknown = false;
  std::string_view reason;
  const bool ok = for_each_list_member(value, [&](std::string_view coding) {
    if (coding.empty()) {
      reason = "empty transfer-coding";
    } else if (coding.find(';') != std::string_view::npos) {
      reason = "transfer-coding with parameters";
    } else if (!is_token(coding)) {
      reason = "invalid transfer-coding";
    } else if (chunked) {
      reason = iequals(coding, "chunked") ? "chunked applied more than once"
                                          : "chunked is not the final transfer-coding";
    } else if (iequals(coding, "chunked")) {
      chunked = true;
    } else if (icontains(coding, "chunked")) {
      reason = "obfuscated chunked transfer-coding";
    } else {
      unknown = true;
    }
    return reason.empty();
  });
  if (!ok) return fail_bool(400, reason);
  if (unknown) return fail_bool(501, "unsupported transfer-coding");
  return true;  // exactly one member, "chunked"
}

// RFC 9112 §9.3 / RFC 9110 §7.6.1: connection options are tokens, case-insensitive.
bool Parser::on_connection(std::string_view value) {
  return for_each_list_member(value, [&](std::string_view option) {
    if (option.empty()) return true;  // empty list members are legal (RFC 9110 §5.6.1)
    if (!is_token(option)) return fail_bool(400, "invalid Connection option");
    if (iequals(option, "close")) conn_close_ = true;
    if (iequals(option, "keep-alive")) conn_keep_alive_ = true;
    return true;
  });
}

// RFC 9110 §10.1.1: 100-continue is the only expectation; others MAY get 417.
bool Parser::on_expect(std::string_view value) {
  bool any = false;
  const bool ok = for_each_list_member(value, [&](std::string_view e) {
    if (e.empty()) return true;
    any = true;
    return iequals(e, "100-continue");
  });
  if (!ok || !any) return fail_bool(417, "unsupported expectation");
  expect_continue_ = true;
  return true;
}

ParseResult Parser::finish(std::string_view buf, size_t head_end, RequestHead& out) {
  // RFC 9112 §3.2: an HTTP/1.1 request without Host MUST get 400.
  if (version_ == Version::kHttp11 && !has_host_) return fail(400, "missing Host");
  const auto view = [&](Span s) { return buf.substr(s.off, s.len); };
  out.method = method_;
  out.method_token = view(method_span_);
  out.target = view(target_span_);
  out.target_form = form_;
  out.path = view(path_span_);
  out.host = view(host_span_);
  out.has_host = has_host_;
  const bool uri_authority = form_ == TargetForm::kAbsolute || form_ == TargetForm::kAuthority;
  out.authority = uri_authority ? view(uri_authority_span_) : out.host;
  out.version = version_;
  // RFC 9112 §6.3: chunked wins (CL alongside was already refused); otherwise CL; otherwise a
  // request has no body.
  out.body = has_transfer_encoding_ ? BodyFraming::kChunked
             : has_content_length_  ? BodyFraming::kContentLength
                                    : BodyFraming::kNone;
  out.content_length = has_content_length_ ? content_length_ : 0;
  out.keep_alive = !conn_close_ && (version_ == Version::kHttp11 || conn_keep_alive_);
  out.expect_continue = expect_continue_ && version_ == Version::kHttp11;
  for (uint32_t i = 0; i < field_count_; ++i) {
    out.headers[i] = Header{view(fields_[i].name), view(fields_[i].value)};
  }
  out.header_count = field_count_;
  state_ = State::kDone;
  return ParseResult{ParseStatus::kDone, head_end, 0, {}};
}

}  // namespace zs::http::h1
