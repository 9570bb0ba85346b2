// One server-side TLS connection, driven entirely through memory: the caller (the connection
// coroutine doing io_uring recv/send) feeds received ciphertext in and sends the ciphertext
// this produces. No sockets, no OpenSSL socket BIOs, no blocking, no timers (the handshake
// deadline is the caller's). Relies on OpenSSL 3 behind Context; see context.hh for why this
// pair is the only TLS interface the rest of the server uses.
//
// Driving it (every call may append ciphertext: send pending output after EVERY call):
//   feed(recv bytes) -> handshake() until kDone (kWantIo: send output, recv, feed, retry)
//   feed(...) -> read(buf) for plaintext; write(response) -> send output; close_notify().
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/result.hh"
#include "tls/context.hh"

namespace zs::tls {

enum class HandshakeStatus {
  kDone,    // established; alpn(), server_name(), ja4() ... are final
  kWantIo,  // send pending_output() (if any), then feed more input and call again
  kError,   // failed: last_error() says why; send pending_output() (an alert), then close
};

enum class ReadStatus {
  kData,    // `bytes` plaintext bytes were written to the buffer (> 0)
  kWantIo,  // no complete record buffered: feed more input (send pending output first)
  kClosed,  // the peer closed (close_notify, or end of input after feed_eof())
  kError,   // fatal protocol error: last_error(); send pending_output() (an alert), close
};

namespace detail {
struct SessionState;  // session.cc
}  // namespace detail

struct ReadResult {
  ReadStatus status = ReadStatus::kWantIo;
  size_t bytes = 0;
};

// Movable handle; not thread-safe (one connection belongs to one worker). Destroying it at any
// point (mid-handshake, with unsent output) frees everything. It keeps its Context alive.
class Session {
 public:
  // A fresh server session on `ctx`. Fails only if OpenSSL cannot allocate.
  static Result<Session> create(std::shared_ptr<const Context> ctx);

  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  // Appends received ciphertext (copied). Until the ClientHello has been fingerprinted, bytes
  // already consumed by OpenSSL are retained (at most ~64 KiB) so JA4 can be computed from
  // the exact wire bytes.
  void feed(std::span<const char> ciphertext);
  // The peer shut down its sending side (recv returned 0).
  void feed_eof();

  // Advances the handshake as far as the fed input allows.
  HandshakeStatus handshake();

  // Decrypts into `out` (non-empty). Before the handshake is done it first advances the
  // handshake (as handshake() would) and reports kWantIo / kError from it.
  ReadResult read(std::span<char> out);

  // Encrypts `plaintext` into the output in one call: up to 16 KiB becomes exactly ONE TLS
  // record (larger writes: one record per full 16 KiB), so a small response is one send. An
  // empty write produces nothing. False (see last_error()) if the handshake is not done or the
  // session has failed.
  bool write(std::string_view plaintext);

  // Ciphertext waiting to be sent. The view is invalidated by every non-const call; a caller
  // that keeps sending while calling read()/write() should use swap_output() instead.
  std::string_view pending_output() const;
  // Marks the first `n` bytes of pending_output() as sent (n <= its size).
  void consume_output(size_t n);
  // Moves ALL pending ciphertext into `buf` (its previous contents are discarded and its
  // capacity reused for later output), leaving nothing pending. O(1) apart from a move of any
  // already-consumed prefix: the caller owns those bytes for as long as its send needs them.
  void swap_output(std::string& buf);

  // Queues a close_notify alert (once; no-op before the handshake is done). Send the output,
  // then close the socket; waiting for the peer's close_notify is not required (RFC 8446 §6.1).
  void close_notify();

  bool handshake_done() const;
  // Negotiated ALPN protocol ("h2", "http/1.1"), empty if none.
  std::string_view alpn() const;
  // The client's SNI host name as sent, empty if none.
  std::string_view server_name() const;
  // "TLSv1.3" or "TLSv1.2".
  std::string_view protocol_version() const;
  // True when the handshake resumed a session from a ticket.
  bool session_reused() const;
  // Index (in the Context's certificate set) of the certificate this session served.
  size_t certificate_index() const;
  // The client's JA4 fingerprint (36 characters) once the ClientHello has been seen; empty
  // if it has not been seen yet or did not parse (OpenSSL may still have accepted it).
  std::string_view ja4() const;
  // Why the last call failed.
  const std::string& last_error() const;

 private:
  explicit Session(std::unique_ptr<detail::SessionState> impl);
  std::unique_ptr<detail::SessionState> impl_;
};

}  // namespace zs::tls
