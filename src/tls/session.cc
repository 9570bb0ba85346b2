// Session: an SSL object over one custom BIO whose read side drains `in` and whose write side
// appends to `out` (both plain byte strings with a consumed-prefix offset). Compared with two
// BIO_s_mem this lets pending output be handed out without a copy (swap_output) and keeps the
// raw ClientHello bytes for JA4 without a second buffer.
#include "tls/session.hh"

#include <openssl/err.h>

#include <algorithm>
#include <cstring>

#include "base/assert.hh"
#include "tls/client_hello.hh"
#include "tls/ja4.hh"

namespace zs::tls {
namespace {

// Buffers drained completely keep their heap block only up to this size, so an idle
// keep-alive connection holds little memory while a busy one does not reallocate per record.
constexpr size_t kRetainCapacity = 2048;
// Bytes retained for the ClientHello at most: the largest hello parse_client_hello accepts,
// in records of at least 1 KiB each.
constexpr size_t kMaxHelloWire = kMaxClientHelloBytes + 4 + 5 * (kMaxClientHelloBytes / 1024 + 1);

struct ByteQueue {
  std::string data;
  size_t head = 0;  // bytes before head are consumed

  size_t size() const { return data.size() - head; }
  void drained() {
    if (data.capacity() > kRetainCapacity) {
      std::string().swap(data);
    } else {
      data.clear();
    }
    head = 0;
  }
};

std::string describe_ssl_error(SSL* ssl, int rc, std::string_view during) {
  const int err = SSL_get_error(ssl, rc);
  std::string out(during);
  out += ": ";
  const unsigned long e = ERR_peek_error();
  if (e != 0) {
    const char* reason = ERR_reason_error_string(e);
    out += reason != nullptr ? reason : "unknown OpenSSL error";
  } else if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN) {
    out += "connection closed by peer";
  } else {
    out += "SSL error " + std::to_string(err);
  }
  ERR_clear_error();
  return out;
}

BIO_METHOD* session_bio_method();

}  // namespace

namespace detail {

struct SessionState {
  std::shared_ptr<const Context> ctx;
  SSL* ssl = nullptr;
  ByteQueue in;
  ByteQueue out;
  bool eof = false;
  bool keep_hello = true;  // retain consumed input until the ClientHello is fingerprinted
  bool done = false;
  bool failed = false;
  bool closed = false;
  Ja4 ja4;
  bool has_ja4 = false;
  std::string error;

  ~SessionState() {
    if (ssl != nullptr) SSL_free(ssl);  // frees the BIO too; it points at this state
  }

  void stop_keeping_hello() {
    keep_hello = false;
    if (in.head == in.data.size()) {
      in.drained();
    }
  }

  void on_client_hello() {
    if (!keep_hello) return;  // a second ClientHello after HelloRetryRequest: keep the first
    const auto* p = reinterpret_cast<const uint8_t*>(in.data.data());
    auto hello = parse_client_hello({p, in.data.size()});
    if (hello) {
      ja4 = compute_ja4(*hello);
      has_ja4 = true;
    }
    keep_hello = false;
  }

  // BIO read side: hand out buffered input, or ask OpenSSL to retry after more is fed.
  int bio_read(BIO* bio, char* buf, int len) {
    BIO_clear_retry_flags(bio);
    if (in.size() == 0) {
      if (eof) return 0;
      BIO_set_retry_read(bio);
      return -1;
    }
    const size_t n = std::min(in.size(), static_cast<size_t>(len));
    std::memcpy(buf, in.data.data() + in.head, n);
    in.head += n;
    if (in.head == in.data.size() && !keep_hello) in.drained();
    return static_cast<int>(n);
  }

  int bio_write(BIO* bio, const char* buf, int len) {
    BIO_clear_retry_flags(bio);
    out.data.append(buf, static_cast<size_t>(len));
    return len;
  }
};

void notify_client_hello(SSL* ssl) {
  auto* impl = static_cast<SessionState*>(SSL_get_app_data(ssl));
  if (impl != nullptr) impl->on_client_hello();
}

}  // namespace detail

namespace {

using detail::SessionState;

SessionState* impl_of(BIO* bio) { return static_cast<SessionState*>(BIO_get_data(bio)); }

long bio_ctrl(BIO* bio, int cmd, long /*num*/, void* /*ptr*/) {
  SessionState* impl = impl_of(bio);
  switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_PENDING: return static_cast<long>(impl->in.size());
    case BIO_CTRL_WPENDING: return static_cast<long>(impl->out.size());
    case BIO_CTRL_EOF: return impl->eof && impl->in.size() == 0 ? 1 : 0;
    default: return 0;
  }
}

BIO_METHOD* session_bio_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "zeroserve session");
    ZS_ASSERT(m != nullptr);
    BIO_meth_set_write(m, [](BIO* b, const char* buf, int len) {
      return impl_of(b)->bio_write(b, buf, len);
    });
    BIO_meth_set_read(m, [](BIO* b, char* buf, int len) {
      return impl_of(b)->bio_read(b, buf, len);
    });
    BIO_meth_set_ctrl(m, &bio_ctrl);
    BIO_meth_set_create(m, [](BIO* b) {
      BIO_set_init(b, 1);
      return 1;
    });
    BIO_meth_set_destroy(m, [](BIO* b) {
      BIO_set_data(b, nullptr);
      return 1;
    });
    return m;
  }();
  return method;
}

}  // namespace

Result<Session> Session::create(std::shared_ptr<const Context> ctx) {
  ZS_ASSERT(ctx != nullptr);
  auto impl = std::make_unique<detail::SessionState>();
  ERR_clear_error();
  impl->ssl = SSL_new(ctx->initial_ssl_ctx());
  if (impl->ssl == nullptr) {
    ERR_clear_error();
    return Error("TLS: SSL_new failed (out of memory)");
  }
  BIO* bio = BIO_new(session_bio_method());
  if (bio == nullptr) {
    ERR_clear_error();
    return Error("TLS: BIO_new failed (out of memory)");
  }
  BIO_set_data(bio, impl.get());
  SSL_set_bio(impl->ssl, bio, bio);  // one BIO for both directions: one reference consumed
  SSL_set_app_data(impl->ssl, impl.get());
  SSL_set_accept_state(impl->ssl);
  impl->ctx = std::move(ctx);
  return Session(std::move(impl));
}

Session::Session(std::unique_ptr<detail::SessionState> impl) : impl_(std::move(impl)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

void Session::feed(std::span<const char> ciphertext) {
  ByteQueue& in = impl_->in;
  if (!impl_->keep_hello && in.head > 0) {
    in.data.erase(0, in.head);  // what is left unread is at most one partial record
    in.head = 0;
  }
  in.data.append(ciphertext.data(), ciphertext.size());
  if (impl_->keep_hello && in.data.size() > kMaxHelloWire) impl_->stop_keeping_hello();
}

void Session::feed_eof() { impl_->eof = true; }

HandshakeStatus Session::handshake() {
  detail::SessionState& s = *impl_;
  if (s.done) return HandshakeStatus::kDone;
  if (s.failed) return HandshakeStatus::kError;
  ERR_clear_error();
  const int rc = SSL_do_handshake(s.ssl);
  if (rc == 1) {
    s.done = true;
    s.stop_keeping_hello();
    return HandshakeStatus::kDone;
  }
  const int err = SSL_get_error(s.ssl, rc);
  if (err == SSL_ERROR_WANT_READ && !s.eof) return HandshakeStatus::kWantIo;
  s.error = describe_ssl_error(s.ssl, rc, "TLS handshake");
  s.failed = true;
  s.stop_keeping_hello();
  return HandshakeStatus::kError;
}

ReadResult Session::read(std::span<char> out) {
  ZS_ASSERT(!out.empty());
  detail::SessionState& s = *impl_;
  if (s.failed) return {ReadStatus::kError, 0};
  if (!s.done) {
    // Finish the handshake through the same path as handshake(), so its bookkeeping holds.
    switch (handshake()) {
      case HandshakeStatus::kDone: break;
      case HandshakeStatus::kWantIo: return {ReadStatus::kWantIo, 0};
      case HandshakeStatus::kError: return {ReadStatus::kError, 0};
    }
  }
  ERR_clear_error();
  size_t n = 0;
  const int rc = SSL_read_ex(s.ssl, out.data(), out.size(), &n);
  if (rc == 1) return {ReadStatus::kData, n};
  const int err = SSL_get_error(s.ssl, rc);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      if (!s.eof) return {ReadStatus::kWantIo, 0};
      ERR_clear_error();
      return {ReadStatus::kClosed, 0};
    case SSL_ERROR_ZERO_RETURN:
      ERR_clear_error();
      return {ReadStatus::kClosed, 0};
    default:
      s.error = describe_ssl_error(s.ssl, rc, "TLS read");
      s.failed = true;
      return {ReadStatus::kError, 0};
  }
}

bool Session::write(std::string_view plaintext) {
  detail::SessionState& s = *impl_;
  if (plaintext.empty()) return true;
  if (!s.done || s.failed || s.closed) {
    s.error = "TLS write: session not established";
    return false;
  }
  ERR_clear_error();
  size_t n = 0;
  const int rc = SSL_write_ex(s.ssl, plaintext.data(), plaintext.size(), &n);
  if (rc == 1 && n == plaintext.size()) return true;
  s.error = describe_ssl_error(s.ssl, rc, "TLS write");
  s.failed = true;
  return false;
}

std::string_view Session::pending_output() const {
  const ByteQueue& out = impl_->out;
  return std::string_view(out.data).substr(out.head);
}

void Session::consume_output(size_t n) {
  ByteQueue& out = impl_->out;
  ZS_ASSERT(n <= out.size());
  out.head += n;
  if (out.head == out.data.size()) out.drained();
}

void Session::swap_output(std::string& buf) {
  ByteQueue& out = impl_->out;
  if (out.head > 0) out.data.erase(0, out.head);
  out.head = 0;
  buf.clear();
  buf.swap(out.data);
}

void Session::close_notify() {
  detail::SessionState& s = *impl_;
  if (!s.done || s.failed || s.closed) return;
  s.closed = true;
  ERR_clear_error();
  SSL_shutdown(s.ssl);  // 0: our alert is queued, the peer's not yet seen; fine either way
  ERR_clear_error();
}

bool Session::handshake_done() const { return impl_->done; }

std::string_view Session::alpn() const {
  const unsigned char* p = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(impl_->ssl, &p, &len);
  if (p == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(p), len);
}

std::string_view Session::server_name() const {
  const char* name = SSL_get_servername(impl_->ssl, TLSEXT_NAMETYPE_host_name);
  return name == nullptr ? std::string_view() : std::string_view(name);
}

std::string_view Session::protocol_version() const { return SSL_get_version(impl_->ssl); }

bool Session::session_reused() const { return SSL_session_reused(impl_->ssl) == 1; }

size_t Session::certificate_index() const {
  return impl_->ctx->certificate_index_of(SSL_get_SSL_CTX(impl_->ssl));
}

std::string_view Session::ja4() const {
  return impl_->has_ja4 ? impl_->ja4.view() : std::string_view();
}

const std::string& Session::last_error() const { return impl_->error; }

}  // namespace zs::tls
