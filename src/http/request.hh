// Request: the protocol-independent view of one request that handlers see. It wraps the parsed
// head (whatever protocol produced it) with facts about the connection. Views only; valid for
// the duration of the handler call.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/request_head.hh"
#include "io/task.hh"

namespace zs::http {

// The host part of an authority (RFC 3986 §3.2.2): "[v6]:port" -> "v6", "host:port" -> "host";
// a bare string with two or more colons (an unbracketed IPv6 address) is kept whole.
inline std::string_view host_of(std::string_view authority) {
  if (authority.starts_with("[")) {
    size_t end = authority.find(']');
    return end == std::string_view::npos ? authority : authority.substr(1, end - 1);
  }
  size_t colon = authority.find(':');
  if (colon != std::string_view::npos && authority.find(':', colon + 1) == std::string_view::npos)
    return authority.substr(0, colon);
  return authority;
}

// How an asynchronous handler learns that the client hung up. Watching costs an io_uring poll,
// so a handler starts it only once it really has to wait (e.g. a script that yields).
class HangupSignal {
 public:
  virtual ~HangupSignal() = default;
  // Starts watching (once; later calls return the same flag) and returns the flag that becomes
  // true when the client hangs up. Valid until the handler's handle_async() returns.
  virtual const bool* watch() = 0;
};

struct Request {
  const RequestHead& head;
  std::string_view peer_ip{};  // textual client address, e.g. "127.0.0.1" or "::1"
  uint16_t peer_port = 0;
  bool secure = false;       // arrived over TLS
  uint8_t http_major = 1;    // 2 for HTTP/2 (RequestHead::version says 1.0 or 1.1 otherwise)
  // TLS facts of the connection ("" on plain connections).
  std::string_view tls_server_name{};
  std::string_view tls_alpn{};
  std::string_view tls_ja4{};
  // The request body, when it is at most Handler::body_limit() bytes (else body_complete is
  // false and body is empty: the body was drained unread).
  std::string_view body{};
  bool body_complete = false;
  // Tells an asynchronous handler that the client went away. May be null.
  class HangupSignal* hangup = nullptr;
};

// What serves requests: implemented above http/ (the server's dispatch). Called on the loop
// thread; must not block. It fills `res`; anything `res` points at must stay valid until the
// adapter has written it, which the handler guarantees by storing a pin in Response::pin.
// Two steps so the common case costs no coroutine: try_handle() answers synchronously when it
// can (returns true); otherwise the adapter awaits handle_async(), which may yield to the loop
// (scripts run there).
class Handler {
 public:
  virtual ~Handler() = default;
  virtual bool try_handle(const Request& req, class Response& res) = 0;
  virtual io::Task<void> handle_async(const Request& req, class Response& res) = 0;
  // Request bodies up to this many bytes are buffered and passed in Request::body; 0: bodies
  // are drained unread.
  virtual uint64_t body_limit() const { return 0; }
};

}  // namespace zs::http
