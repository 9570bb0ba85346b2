// RequestFields: checks the decoded field list of one HTTP/2 request (RFC 9113 §8.2, §8.3) and
// assembles the protocol-independent RequestHead from it. Pure: no nghttp2, no I/O, no
// allocation except the one string that joins cookie crumbs. It does not decode HPACK (nghttp2
// does) and does not look at the body; the session owns the bytes the views point into.
// nghttp2 already enforces most of these rules; they are checked again here so the head we hand
// upwards is valid by construction whatever options the library runs with (and fuzzable alone).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/request_head.hh"

namespace zs::http::h2 {

// What a field list amounts to. kMalformed is a stream error (RST_STREAM PROTOCOL_ERROR,
// RFC 9113 §8.1.1); kRespond means "answer with `status`" (431 for an oversized list, 417 for
// an unsupported expectation, as HTTP/1.1 does).
enum class FieldVerdict : uint8_t { kOk, kMalformed, kRespond };

struct FieldResult {
  FieldVerdict verdict = FieldVerdict::kOk;
  uint16_t status = 0;          // kRespond only
  std::string_view reason;      // static storage; empty for kOk
};

struct FieldLimits {
  // SETTINGS_MAX_HEADER_LIST_SIZE: name + value + 32 per field (RFC 9113 §6.5.2), pseudo-header
  // fields included. Past it -> 431.
  uint32_t max_header_list = 64 * 1024;
  // Regular fields stored in the head (cookie crumbs count once). Past it -> 431. Clamped to
  // http::kMaxHeaders.
  uint32_t max_headers = kMaxHeaders;
};

// For response fields: a token of any case (the session lowercases it) and a value HTTP/1.1
// would also accept (no CTL but HTAB, no leading/trailing whitespace; RFC 9113 §8.2.1).
bool is_sendable_name(std::string_view name);
bool is_sendable_value(std::string_view value);
// RFC 9113 §8.2.2 connection-specific fields, compared case-insensitively.
bool is_connection_specific(std::string_view name);

// One per request header block; reset() makes it reusable. Not thread-safe.
//
// Protocol: add() every field in received order, then finish() once. Views passed to add()
// are stored, not copied: they must stay valid (and unchanged) as long as the RequestHead that
// finish() fills. After the first non-kOk verdict further add() calls only count bytes, so an
// HPACK bomb costs no storage, and finish() returns that first verdict.
class RequestFields {
 public:
  explicit RequestFields(const FieldLimits& limits = FieldLimits{});

  FieldResult add(std::string_view name, std::string_view value);

  // Checks what only the whole list can tell (required pseudo-headers, Host against
  // :authority) and fills `out` (everything except the body fields, which the session sets:
  // body = kNone, content_length = the content-length field or 0). Joined cookie crumbs are
  // written to `cookie` (cleared first), which must then outlive `out` unmoved.
  // `scheme` receives the :scheme value ("" for CONNECT). `declared_length` is the
  // content-length field value, or -1 when absent.
  FieldResult finish(RequestHead& out, std::string& cookie, std::string_view& scheme,
                     int64_t& declared_length);

  void reset();

  // Bytes counted towards max_header_list so far.
  uint64_t list_size() const { return list_size_; }

 private:
  FieldResult add_pseudo(std::string_view name, std::string_view value);
  FieldResult add_regular(std::string_view name, std::string_view value);
  FieldResult fail(FieldVerdict verdict, uint16_t status, std::string_view reason);

  FieldLimits limits_;
  FieldResult first_error_;
  uint64_t list_size_ = 0;
  bool seen_regular_ = false;
  bool has_method_ = false, has_scheme_ = false, has_authority_ = false, has_path_ = false;
  bool has_host_ = false;
  std::string_view method_, scheme_, authority_, path_, host_;
  int64_t content_length_ = -1;
  uint32_t cookie_crumbs_ = 0;
  size_t cookie_bytes_ = 0;
  size_t cookie_index_ = 0;  // where the joined cookie goes among the regular fields
  size_t field_count_ = 0;
  std::array<Header, kMaxHeaders> fields_{};
  std::array<std::string_view, kMaxHeaders> crumbs_{};
};

}  // namespace zs::http::h2
