// HTTP/1.1 connections of one worker: each accepted socket becomes one coroutine that reads a
// request head, settles the body, asks the Handler for a response, writes it, and loops while
// keep-alive holds (RFC 9112 §9). Timeouts guard every wait. The worker owns one Connections
// object per event loop; everything here runs on that loop's thread.
// TLS connections run the same loop over a tls::Session (memory BIOs) instead of the raw socket.
// A connection that negotiates h2 (ALPN) or opens with the HTTP/2 preface is handed to an
// h2::Session instead (serve_h2). Not here: what a response contains.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/access_log.hh"
#include "http/h1/parser.hh"
#include "http/h2/session.hh"
#include "http/request.hh"
#include "io/block_pool.hh"
#include "io/event_loop.hh"
#include "tls/context.hh"

namespace zs::http::h1 {

struct Timeouts {
  int64_t header_ms = 15'000;     // from the first byte of a request head to its end (total)
  int64_t keepalive_ms = 60'000;  // idle between requests
  int64_t body_ms = 30'000;       // without progress while reading a request body
  int64_t write_ms = 30'000;      // without progress while writing a response
};

struct ConnectionOptions {
  Limits limits;
  Timeouts timeouts;
  // Request bodies are read and discarded by the static server (no handler consumes them yet);
  // a body larger than this gets 413 and the connection is closed.
  uint64_t max_request_body = 1 << 20;
  // File bodies are read from disk and sent in pieces of at most this size.
  size_t chunk_size = 64 * 1024;
  // At most this many requests per connection; the last response carries Connection: close.
  uint32_t max_requests_per_connection = 10'000;
  // HTTP/2 (ALPN h2 over TLS, or prior knowledge on plain connections): windows and limits.
  h2::Settings h2;
  // --validate-hostnames: when not empty, a request whose host (Host, or the URI / :authority
  // authority; port stripped, case-insensitive) is not listed gets 421. Stored port-stripped.
  std::vector<std::string> valid_hostnames;
};

class Connection;

// All live connections of one worker, and what they share.
class Connections {
 public:
  // `log` may be null (request logging disabled). All references must outlive this object.
  Connections(io::EventLoop& loop, Handler& handler, const ConnectionOptions& opts, AccessLog* log);
  Connections(const Connections&) = delete;
  Connections& operator=(const Connections&) = delete;

  // Takes ownership of the accepted socket `fd` and starts serving it; `secure` connections
  // begin with a TLS handshake using the context set by set_tls().
  void serve(int fd, const sockaddr_storage& peer, socklen_t peer_len, bool secure = false);

  // The TLS context new handshakes use (a reload swaps it; established sessions keep theirs).
  void set_tls(std::shared_ptr<const tls::Context> ctx) { tls_ = std::move(ctx); }

  // Graceful stop: connections waiting for a request are closed now; the others finish the
  // request in progress, answer it with Connection: close, and close.
  void drain();
  // Hard stop after the shutdown deadline: every connection's pending operation is cancelled
  // and no new one starts, so all coroutines finish within one loop iteration or two.
  void abort_all();
  bool draining() const { return draining_; }
  size_t live() const { return live_; }

 private:
  friend class Connection;
  void link(Connection* c);
  void unlink(Connection* c);

  io::EventLoop& loop_;
  io::BlockPool blocks_;  // connection buffers, recycled across requests and connections
  Handler& handler_;
  ConnectionOptions opts_;
  AccessLog* log_;
  std::shared_ptr<const tls::Context> tls_;
  Connection* head_ = nullptr;  // intrusive list of live connections
  size_t live_ = 0;
  bool draining_ = false;
};

}  // namespace zs::http::h1
