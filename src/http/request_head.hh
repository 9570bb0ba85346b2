// RequestHead: the parsed, validated head of one HTTP request, shared by every protocol adapter
// (today HTTP/1.1 in h1/parser.hh). It holds views only: it owns no bytes and allocates nothing;
// every string_view points into the receive buffer the head was parsed from.
// It does not decode the target (percent-decoding and dot segments belong to the path layer).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace zs::http {

// The methods the server treats specially; anything else is kOther with its name kept verbatim.
// Method names are case-sensitive (RFC 9110 §9.1): "get" is kOther, not kGet.
enum class Method : uint8_t { kOther, kGet, kHead, kPost, kPut, kDelete, kConnect, kOptions,
                              kTrace, kPatch };

// Maps a method token to its enum (exact, case-sensitive match); unknown tokens give kOther.
Method method_from_token(std::string_view token);
// The canonical upper-case name, or "" for kOther.
std::string_view method_name(Method m);

enum class Version : uint8_t { kHttp10, kHttp11 };

// The four request-target forms of RFC 9112 §3.2.
enum class TargetForm : uint8_t {
  kOrigin,     // "/path?query"
  kAbsolute,   // "http://authority/path?query" (scheme http or https)
  kAuthority,  // "host:port", CONNECT only
  kAsterisk,   // "*", OPTIONS only
};

// How the request body is delimited (RFC 9112 §6.3). kNone means no body at all.
enum class BodyFraming : uint8_t { kNone, kContentLength, kChunked };

struct Header {
  std::string_view name;   // a token, case as received
  std::string_view value;  // leading/trailing OWS removed; may be empty
};

// Hard upper bound on stored header fields; h1::Limits::max_headers may only lower it.
inline constexpr size_t kMaxHeaders = 100;

struct RequestHead {
  Method method = Method::kOther;
  std::string_view method_token;  // the method exactly as received
  std::string_view target;        // raw request-target, never decoded
  TargetForm target_form = TargetForm::kOrigin;
  // Path and query: origin-form -> the whole target; absolute-form -> the part after the
  // authority, which may be empty (meaning "/", RFC 9112 §3.3) or start with "?";
  // authority- and asterisk-form -> empty.
  std::string_view path;
  // The authority requests are routed by. For absolute- and authority-form it is the URI's
  // authority, which overrides Host (RFC 9112 §3.2.2); otherwise it is the Host value.
  std::string_view authority;
  std::string_view host;  // the single Host field value ("" when absent or empty)
  bool has_host = false;
  Version version = Version::kHttp11;
  BodyFraming body = BodyFraming::kNone;
  uint64_t content_length = 0;   // meaningful only when body == kContentLength
  bool keep_alive = true;        // from version and Connection options (RFC 9112 §9.3)
  bool expect_continue = false;  // "Expect: 100-continue" on an HTTP/1.1 request
  std::array<Header, kMaxHeaders> headers{};
  size_t header_count = 0;

  // The received fields in order, duplicates kept (framing and Host were already validated).
  std::span<const Header> fields() const { return {headers.data(), header_count}; }
  // First / last field whose name equals `name` case-insensitively; nullptr when absent.
  // The pointer is valid as long as this RequestHead is unchanged.
  const Header* find(std::string_view name) const;
  const Header* find_last(std::string_view name) const;
};

}  // namespace zs::http
