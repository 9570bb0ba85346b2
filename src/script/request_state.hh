// RequestState: the part of one request every script of its chain shares (zeroserve-behavior.md
// §3c, §3e): the request as scripts see and mutate it, the metadata map, registered response
// hooks and the buffered body. Owned by the chain runner for the request's lifetime; helpers
// reach it through ExecContext::request(). Single-threaded (the worker's loop thread).
#pragma once

#include <cstdint>
#include <forward_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/request_head.hh"

namespace zs::script {

class SiteFiles;
class RateLimiter;

// The metadata map: string -> string, keys trimmed of ASCII whitespace, insertion order kept
// (so `zs.response.header.*` apply in the order scripts set them). Small: a vector beats a
// hash map for the handful of keys a request carries.
class Metadata {
 public:
  std::optional<std::string_view> get(std::string_view key) const;
  void set(std::string_view key, std::string_view value);
  bool erase(std::string_view key);
  bool empty() const { return entries_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  static std::string_view trim(std::string_view s);

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

struct HeaderField {
  std::string name;  // lowercase
  std::string value;
};

// A response hook registered with zs_res_hook (§3g).
struct ResponseHook {
  std::string script;    // "" = the script that registered it
  std::string function;  // runs zeroserve.call.<function>
  std::string registered_by;
  std::string input_json;  // the deep copy of the input, serialized
};

struct RequestState {
  // The request as scripts see it. Filled by the server before the chain runs; helpers that
  // mutate it (zs_req_set_uri, zs_req_set_header, ...) change these, and the server serves
  // the mutated request afterwards.
  std::string method;
  std::string path;             // normalized, still percent-encoded, leading '/' (zs_req_path)
  std::string decoded_path;     // decoded, leading '/' (zs_req_normalized_path)
  std::string query;            // raw, without '?'
  // The received header fields (views into the connection's buffer, valid for the request),
  // until a script changes a header: then `headers` holds the working copy (names lowercased)
  // and `received` is no longer used. Most requests never pay for the copy.
  std::span<const http::Header> received;
  std::vector<HeaderField> headers;
  bool headers_copied = false;
  std::vector<HeaderField>& mutable_headers();
  std::string authority;        // Host / :authority
  std::string_view peer_ip;     // "127.0.0.1", "::1" (valid for the request)
  uint16_t peer_port = 0;
  bool secure = false;
  uint8_t proto_major = 1;
  uint8_t proto_minor = 1;
  std::string_view ja4;         // TLS only
  std::string_view alpn;
  std::string_view sni;

  bool uri_changed = false;     // the server re-runs lookup on the new path
  bool method_changed = false;
  bool headers_changed = false;

  std::optional<uint64_t> content_length;  // as declared, when it was
  // The request body, buffered up to the limit when scripts may read it.
  std::string_view body;
  bool body_available = false;  // false: no body, or larger than the buffered-body limit
  uint64_t body_limit = 256 * 1024;

  Metadata meta;
  std::vector<ResponseHook> hooks;
  // Header values response hooks wrote (the response points at them until it is written).
  std::forward_list<std::string> response_strings;
  bool aborted = false;         // zs_abort: close without a response
  uint64_t request_id = 0;      // for log lines

  // Services helpers use (null when absent: standalone script, unit tests).
  const SiteFiles* site_files = nullptr;
  RateLimiter* rate_limiter = nullptr;

  // The last value of header `name` (lowercase), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
};

}  // namespace zs::script
