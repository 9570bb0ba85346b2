// Implementation of request_fields.hh. Each rule cites the RFC 9113 section it comes from; the
// rules shared with HTTP/1.1 (field-value bytes, authority syntax, content-length form) use the
// same definitions as h1/parser.cc so both protocols accept the same heads.
#include "http/h2/request_fields.hh"

#include <algorithm>

#include "http/h1/parser.hh"
#include "http/token.hh"

namespace zs::http::h2 {
namespace {

// RFC 9113 §8.2.2: these fields are connection-specific and make a request malformed.
constexpr std::array<std::string_view, 5> kConnectionSpecific = {
    "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"};

// RFC 7541 §4.1 / RFC 9113 §6.5.2: each field costs its octets plus 32.
constexpr uint64_t kFieldOverhead = 32;

// RFC 9113 §8.2.1: names are lowercase tokens (uppercase makes the message malformed).
bool is_lowercase_token(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_tchar(c) || (c >= 'A' && c <= 'Z')) return false;
  }
  return true;
}

// RFC 9113 §8.2.1: no NUL/CR/LF anywhere, no leading or trailing SP/HTAB. We are as strict as
// HTTP/1.1 (RFC 9110 §5.5): every byte must be a field-value byte, so other CTLs and DEL fail.
bool is_valid_value(std::string_view v) {
  if (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t'))
    return false;
  return all_of_class(v, kFieldValue);
}

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )  (RFC 3986 §3.1)
bool is_valid_scheme(std::string_view s) {
  if (s.empty() || !detail::is_alpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (!detail::is_alpha(u) && !detail::is_digit(u) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

// Content-Length in canonical form only (same rule as h1/parser.cc).
bool parse_length(std::string_view v, int64_t& out) {
  if (v.empty() || v.size() > 18) return false;  // 18 digits fit in int64_t
  if (v[0] == '0' && v.size() > 1) return false;
  int64_t n = 0;
  for (char c : v) {
    if (!detail::is_digit(static_cast<unsigned char>(c))) return false;
    n = n * 10 + (c - '0');
  }
  out = n;
  return true;
}

}  // namespace

bool is_sendable_name(std::string_view name) { return is_token(name); }
bool is_sendable_value(std::string_view value) { return is_valid_value(value); }
bool is_connection_specific(std::string_view name) {
  for (std::string_view c : kConnectionSpecific) {
    if (iequals(name, c)) return true;
  }
  return false;
}

RequestFields::RequestFields(const FieldLimits& limits) : limits_(limits) {
  limits_.max_headers = std::min<uint32_t>(limits_.max_headers, kMaxHeaders);
}

void RequestFields::reset() {
  first_error_ = FieldResult{};
  list_size_ = 0;
  seen_regular_ = false;
  has_method_ = has_scheme_ = has_authority_ = has_path_ = has_host_ = false;
  method_ = scheme_ = authority_ = path_ = host_ = {};
  content_length_ = -1;
  cookie_crumbs_ = 0;
  cookie_bytes_ = 0;
  cookie_index_ = 0;
  field_count_ = 0;
}

FieldResult RequestFields::fail(FieldVerdict verdict, uint16_t status, std::string_view reason) {
  first_error_ = FieldResult{verdict, status, reason};
  return first_error_;
}

FieldResult RequestFields::add(std::string_view name, std::string_view value) {
  list_size_ += name.size() + value.size() + kFieldOverhead;
  if (first_error_.verdict != FieldVerdict::kOk) return first_error_;
  if (list_size_ > limits_.max_header_list)
    return fail(FieldVerdict::kRespond, 431, "header list too large");
  if (!name.empty() && name[0] == ':') return add_pseudo(name, value);
  return add_regular(name, value);
}

// RFC 9113 §8.3: pseudo-header fields come first, once each, and only the defined ones.
FieldResult RequestFields::add_pseudo(std::string_view name, std::string_view value) {
  if (seen_regular_) return fail(FieldVerdict::kMalformed, 0, "pseudo-header after a regular field");
  bool* seen = nullptr;
  std::string_view* slot = nullptr;
  if (name == ":method") {
    seen = &has_method_, slot = &method_;
    if (!is_token(value)) return fail(FieldVerdict::kMalformed, 0, "invalid :method");
  } else if (name == ":scheme") {
    seen = &has_scheme_, slot = &scheme_;
    if (!is_valid_scheme(value)) return fail(FieldVerdict::kMalformed, 0, "invalid :scheme");
  } else if (name == ":authority") {
    seen = &has_authority_, slot = &authority_;
    // §8.3.1: no userinfo; the same syntax HTTP/1.1 accepts for Host.
    if (!h1::is_valid_authority(value, false)) return fail(FieldVerdict::kMalformed, 0, "invalid :authority");
  } else if (name == ":path") {
    seen = &has_path_, slot = &path_;
    // §8.3.1: never empty; request-target bytes only (RFC 3986 is ASCII VCHAR, as in h1).
    if (value.empty() || !all_of_class(value, kTarget))
      return fail(FieldVerdict::kMalformed, 0, "invalid :path");
  } else {
    // :protocol is only valid after SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441), which we never
    // send; :status is a response field.
    return fail(FieldVerdict::kMalformed, 0, "unknown pseudo-header");
  }
  if (*seen) return fail(FieldVerdict::kMalformed, 0, "duplicate pseudo-header");
  *seen = true;
  *slot = value;
  return {};
}

FieldResult RequestFields::add_regular(std::string_view name, std::string_view value) {
  seen_regular_ = true;
  if (!is_lowercase_token(name)) return fail(FieldVerdict::kMalformed, 0, "invalid field name");
  if (!is_valid_value(value)) return fail(FieldVerdict::kMalformed, 0, "invalid field value");
  if (is_connection_specific(name)) return fail(FieldVerdict::kMalformed, 0, "connection-specific field");
  // §8.2.2: TE may only carry "trailers".
  if (name == "te" && !iequals(value, "trailers"))
    return fail(FieldVerdict::kMalformed, 0, "te other than trailers");
  if (name == "host") {
    if (has_host_) return fail(FieldVerdict::kMalformed, 0, "duplicate host");
    if (!h1::is_valid_authority(value, false)) return fail(FieldVerdict::kMalformed, 0, "invalid host");
    has_host_ = true;
    host_ = value;
  } else if (name == "content-length") {
    // RFC 9110 §8.6: one canonical value; a second field, even equal, is refused as in h1.
    if (content_length_ >= 0 || !parse_length(value, content_length_))
      return fail(FieldVerdict::kMalformed, 0, "invalid content-length");
  } else if (name == "expect") {
    // RFC 9110 §10.1.1: 100-continue is the only expectation; others get 417 as in h1.
    if (!iequals(value, "100-continue")) return fail(FieldVerdict::kRespond, 417, "unsupported expectation");
  } else if (name == "cookie") {
    // §8.2.3: crumbs are joined with "; " into one field, placed where the first one was.
    if (cookie_crumbs_ == crumbs_.size()) return fail(FieldVerdict::kRespond, 431, "too many cookie fields");
    if (cookie_crumbs_ == 0) {
      if (field_count_ == limits_.max_headers) return fail(FieldVerdict::kRespond, 431, "too many header fields");
      cookie_index_ = field_count_;
      fields_[field_count_++] = {name, {}};
    }
    crumbs_[cookie_crumbs_++] = value;
    cookie_bytes_ += value.size() + 2;
    return {};
  }
  if (field_count_ == limits_.max_headers) return fail(FieldVerdict::kRespond, 431, "too many header fields");
  fields_[field_count_++] = {name, value};
  return {};
}

FieldResult RequestFields::finish(RequestHead& out, std::string& cookie, std::string_view& scheme,
                                  int64_t& declared_length) {
  if (first_error_.verdict != FieldVerdict::kOk) return first_error_;
  if (!has_method_) return fail(FieldVerdict::kMalformed, 0, "missing :method");
  const Method method = method_from_token(method_);
  out = RequestHead{};
  out.method = method;
  out.method_token = method_;
  if (method == Method::kConnect) {
    // §8.5: CONNECT carries only :method and :authority.
    if (has_scheme_ || has_path_ || !has_authority_)
      return fail(FieldVerdict::kMalformed, 0, "CONNECT needs :authority and no :scheme or :path");
    out.target_form = TargetForm::kAuthority;
    out.target = authority_;
  } else {
    // §8.3.1: :method, :scheme and :path are required for every other request.
    if (!has_scheme_ || !has_path_) return fail(FieldVerdict::kMalformed, 0, "missing :scheme or :path");
    if (path_ == "*") {
      if (method != Method::kOptions) return fail(FieldVerdict::kMalformed, 0, "asterisk :path without OPTIONS");
      out.target_form = TargetForm::kAsterisk;
    } else if (path_[0] != '/') {
      return fail(FieldVerdict::kMalformed, 0, ":path does not start with /");
    } else {
      out.target_form = TargetForm::kOrigin;
      out.path = path_;
    }
    out.target = path_;
  }
  // §8.3.1: clients MUST send :authority or Host for http/https (HTTP/1.1 requires Host too).
  if (method != Method::kConnect && !has_authority_ && !has_host_)
    return fail(FieldVerdict::kMalformed, 0, "missing :authority and host");
  // §8.3.1: a Host that names another authority than :authority makes the request malformed.
  if (has_authority_ && has_host_ && !iequals(authority_, host_))
    return fail(FieldVerdict::kMalformed, 0, "host differs from :authority");
  out.authority = has_authority_ ? authority_ : host_;
  out.host = has_host_ ? host_ : authority_;
  out.has_host = has_host_ || has_authority_;
  out.version = Version::kHttp11;  // RequestHead has no HTTP/2 value; semantics are the same
  out.keep_alive = true;
  scheme = scheme_;
  declared_length = content_length_;

  cookie.clear();
  if (cookie_crumbs_ != 0) {
    cookie.reserve(cookie_bytes_);
    for (uint32_t i = 0; i < cookie_crumbs_; ++i) {
      if (i != 0) cookie.append("; ");
      cookie.append(crumbs_[i]);
    }
    fields_[cookie_index_].value = cookie;
  }
  std::copy_n(fields_.begin(), field_count_, out.headers.begin());
  out.header_count = field_count_;
  return {};
}

}  // namespace zs::http::h2
