// The server's TLS configuration for one certificate set: one OpenSSL SSL_CTX per certificate,
// all configured alike (protocol versions, cipher suites, ALPN, tickets), plus the SNI table
// that picks among them from the ClientHello callback. Built once at startup or reload, then
// immutable and shared read-only by every worker (std::shared_ptr<const Context>); sessions
// keep their Context alive. This and session.hh are the whole TLS interface the server sees, so
// a library with ECH (not in Debian's OpenSSL 3.0) can replace OpenSSL behind them later.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hh"
#include "tls/certificates.hh"
#include "tls/name_index.hh"
#include "tls/ticket_keys.hh"

namespace zs::tls {

struct ContextOptions {
  // TLS 1.3 only unless set; then TLS 1.2 with ECDHE + AEAD suites only.
  bool allow_tls12 = false;
  // ALPN protocols in server preference order (RFC 7301). The first one the client also offers
  // wins. Empty: no ALPN extension is ever sent. A client whose list shares nothing with this
  // one gets a fatal no_application_protocol alert (RFC 7301 §3.2); a client sending no ALPN
  // is served without it (the caller then speaks HTTP/1.1).
  std::vector<std::string> alpn{"h2", "http/1.1"};
  // Stateless session tickets for resumption (one ticket per full handshake in TLS 1.3).
  bool session_tickets = true;
  // Keys for those tickets; null = a fresh random ring owned by this Context. Pass the same
  // ring to every Context that should accept the others' tickets (e.g. across a reload).
  std::shared_ptr<const TicketKeyRing> ticket_keys;
};

namespace detail {
// Defined in session.cc: lets the Session owning `ssl` (if any) fingerprint the ClientHello it
// has buffered. Called from the ClientHello callback, synchronously inside SSL_do_handshake.
void notify_client_hello(SSL* ssl);
}  // namespace detail

class Context {
 public:
  // Builds the contexts for `certs` (certs.certs[0] is the default certificate; see
  // certificates.hh). Errors (naming the certificate file): OpenSSL refusing a certificate,
  // key or chain; an empty set; an invalid ALPN entry (empty or over 255 bytes).
  static Result<std::shared_ptr<const Context>> build(const CertificateSet& certs,
                                                      ContextOptions options);

  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context();

  // Index into the certificate set of the certificate served for SNI `server_name` (empty =
  // no SNI). Same rule the handshake uses.
  size_t select_certificate(std::string_view server_name) const;
  size_t certificate_count() const { return ctxs_.size(); }
  const std::vector<std::string>& certificate_names(size_t index) const {
    return names_[index];
  }
  const ContextOptions& options() const { return options_; }
  // Which certificate an SSL_CTX of this Context serves (0 if it is not one of ours).
  size_t certificate_index_of(const SSL_CTX* ssl_ctx) const;

  // For Session only: the SSL_CTX new connections start from (the default certificate's).
  SSL_CTX* initial_ssl_ctx() const { return ctxs_.front(); }

 private:
  Context() = default;
  Result<SSL_CTX*> make_ssl_ctx(const CertifiedKey& ck);

  static int on_client_hello(SSL* ssl, int* alert, void* arg);
  static int on_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                     const unsigned char* in, unsigned int inlen, void* arg);
  static int on_ticket_key(SSL* ssl, unsigned char key_name[16], unsigned char* iv,
                           EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int enc);

  ContextOptions options_;
  std::vector<SSL_CTX*> ctxs_;                  // owned; one per certificate, [0] = default
  std::vector<std::vector<std::string>> names_;  // DNS names per certificate
  NameIndex index_;
  EVP_CIPHER* ticket_cipher_ = nullptr;         // AES-256-CBC, fetched once (owned)
};

}  // namespace zs::tls
