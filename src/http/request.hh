// Request: the protocol-independent view of one request that handlers see. It wraps the parsed
// head (whatever protocol produced it) with facts about the connection. Views only; valid for
// the duration of the handler call.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/request_head.hh"

namespace zs::http {

struct Request {
  const RequestHead& head;
  std::string_view peer_ip;  // textual client address, e.g. "127.0.0.1" or "::1"
  uint16_t peer_port = 0;
  bool secure = false;       // arrived over TLS
};

// What serves requests: implemented above http/ (the server's dispatch). Called on the loop
// thread; must not block. It fills `res`; anything `res` points at must stay valid until the
// adapter has written it, which the handler guarantees by storing a pin in Response::pin.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void handle(const Request& req, class Response& res) = 0;
};

}  // namespace zs::http
