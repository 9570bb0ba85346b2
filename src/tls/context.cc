// Context construction and the three OpenSSL callbacks every handshake goes through:
//   1. ClientHello: pick the certificate's SSL_CTX from SNI, let the Session fingerprint (JA4);
//   2. ALPN: server-preference selection;
//   3. ticket keys: encrypt with the current epoch's key, decrypt with current or previous.
// Every SSL_CTX carries the same settings, so whichever one OpenSSL consults (it reads some
// callbacks from the initial context, others from the switched one) behaves identically.
#include "tls/context.hh"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include <cstring>

#include "tls/client_hello.hh"

namespace zs::tls {
namespace {

// RFC 8446 §9.1 mandatory suite first; ChaCha20 for clients without AES hardware.
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
// TLS 1.2 (only with allow_tls12): forward-secret AEAD suites only (Mozilla "intermediate"
// without DHE).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kGroups = "X25519:P-256:P-384";
constexpr unsigned char kSessionIdContext[] = "zeroserve";

std::string openssl_error(std::string_view what) {
  std::string out(what);
  const unsigned long e = ERR_peek_last_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += ": ";
    out += buf;
  }
  ERR_clear_error();
  return out;
}

}  // namespace

Context::~Context() {
  for (SSL_CTX* c : ctxs_) SSL_CTX_free(c);
  EVP_CIPHER_free(ticket_cipher_);
}

Result<std::shared_ptr<const Context>> Context::build(const CertificateSet& certs,
                                                      ContextOptions options) {
  if (certs.certs.empty()) return Error("TLS: no certificate configured");
  for (const auto& p : options.alpn) {
    if (p.empty() || p.size() > 255) return Error("TLS: invalid ALPN protocol name '" + p + "'");
  }
  std::shared_ptr<Context> ctx(new Context());
  if (options.session_tickets && !options.ticket_keys) {
    auto ring = TicketKeyRing::create();
    if (!ring) return ring.error();
    options.ticket_keys = std::move(*ring);
  }
  ctx->options_ = std::move(options);
  ERR_clear_error();
  ctx->ticket_cipher_ = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
  if (ctx->ticket_cipher_ == nullptr) return Error(openssl_error("TLS: no AES-256-CBC"));

  for (size_t i = 0; i < certs.certs.size(); ++i) {
    const CertifiedKey& ck = certs.certs[i];
    auto ssl_ctx = ctx->make_ssl_ctx(ck);
    if (!ssl_ctx) return ssl_ctx.error().wrap(ck.cert_file);
    ctx->ctxs_.push_back(*ssl_ctx);
    ctx->names_.push_back(ck.names);
    for (const auto& name : ck.names) ctx->index_.add(name, i);
  }
  return std::shared_ptr<const Context>(std::move(ctx));
}

Result<SSL_CTX*> Context::make_ssl_ctx(const CertifiedKey& ck) {
  ERR_clear_error();
  SSL_CTX* c = SSL_CTX_new(TLS_server_method());
  if (c == nullptr) return Error(openssl_error("SSL_CTX_new"));
  auto fail = [c](std::string_view what) {
    SSL_CTX_free(c);
    return Error(openssl_error(what));
  };
  const int min_version = options_.allow_tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
  if (SSL_CTX_set_min_proto_version(c, min_version) != 1 ||
      SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION) != 1) {
    return fail("setting protocol versions");
  }
  if (SSL_CTX_set_ciphersuites(c, kTls13Suites) != 1) return fail("setting TLS 1.3 suites");
  if (SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1) return fail("setting TLS 1.2 ciphers");
  if (SSL_CTX_set1_groups_list(c, kGroups) != 1) return fail("setting key exchange groups");
  // No renegotiation (a DoS lever, and absent from TLS 1.3), no compression (CRIME), and a
  // peer closing without close_notify reads as a clean close: HTTP framing detects truncation.
  // The client's suite preference is kept: every suite offered is strong, and clients without
  // AES hardware put ChaCha20 first.
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                             SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Idle connections give their record buffers back; our BIO never refuses a write, so
  // SSL_write always completes in one call.
  SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
  // Resumption is by stateless tickets only: no server-side cache (it would need a lock shared
  // by all workers, and memory per client).
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_set_session_id_context(c, kSessionIdContext, sizeof kSessionIdContext - 1) != 1) {
    return fail("setting the session id context");
  }
  if (options_.session_tickets) {
    SSL_CTX_set_num_tickets(c, 1);
    if (SSL_CTX_set_tlsext_ticket_key_evp_cb(c, &Context::on_ticket_key) != 1) {
      return fail("installing the ticket key callback");
    }
  } else {
    SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(c, 0);
  }
  SSL_CTX_set_app_data(c, this);
  SSL_CTX_set_client_hello_cb(c, &Context::on_client_hello, this);
  if (!options_.alpn.empty()) SSL_CTX_set_alpn_select_cb(c, &Context::on_alpn, this);

  if (SSL_CTX_use_certificate(c, ck.leaf.get()) != 1) return fail("certificate refused");
  if (SSL_CTX_use_PrivateKey(c, ck.key.get()) != 1) return fail("private key refused");
  if (SSL_CTX_check_private_key(c) != 1) return fail("private key does not match");
  for (const auto& extra : ck.chain) {
    if (SSL_CTX_add1_chain_cert(c, extra.get()) != 1) return fail("chain certificate refused");
  }
  return c;
}

size_t Context::select_certificate(std::string_view server_name) const {
  return index_.select(server_name, 0);
}

size_t Context::certificate_index_of(const SSL_CTX* ssl_ctx) const {
  for (size_t i = 0; i < ctxs_.size(); ++i) {
    if (ctxs_[i] == ssl_ctx) return i;
  }
  return 0;
}

int Context::on_client_hello(SSL* ssl, int* /*alert*/, void* arg) {
  const auto* self = static_cast<const Context*>(arg);
  const unsigned char* ext = nullptr;
  size_t ext_len = 0;
  std::string_view name;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &ext, &ext_len) == 1) {
    // A malformed extension selects the default here; OpenSSL rejects it right after.
    auto parsed = parse_server_name_extension({ext, ext_len});
    if (parsed) name = *parsed;
  }
  const size_t chosen = self->select_certificate(name);
  SSL_CTX* target = self->ctxs_[chosen];
  if (SSL_get_SSL_CTX(ssl) != target && SSL_set_SSL_CTX(ssl, target) == nullptr) {
    ERR_clear_error();
    return SSL_CLIENT_HELLO_ERROR;
  }
  detail::notify_client_hello(ssl);
  return SSL_CLIENT_HELLO_SUCCESS;
}

int Context::on_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
                     const unsigned char* in, unsigned int inlen, void* arg) {
  const auto* self = static_cast<const Context*>(arg);
  // Server preference: the first of our protocols that appears anywhere in the client's list.
  for (const std::string& ours : self->options_.alpn) {
    unsigned int pos = 0;
    while (pos < inlen) {
      const unsigned int len = in[pos];
      if (len == 0 || pos + 1 + len > inlen) return SSL_TLSEXT_ERR_ALERT_FATAL;
      if (len == ours.size() && std::memcmp(in + pos + 1, ours.data(), len) == 0) {
        // Points into options_, which lives as long as the Context the session holds.
        *out = reinterpret_cast<const unsigned char*>(ours.data());
        *outlen = static_cast<unsigned char>(len);
        return SSL_TLSEXT_ERR_OK;
      }
      pos += 1 + len;
    }
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;  // RFC 7301 §3.2: no_application_protocol
}

int Context::on_ticket_key(SSL* ssl, unsigned char key_name[16], unsigned char* iv,
                           EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int enc) {
  const auto* self = static_cast<const Context*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  const TicketKeyRing& ring = *self->options_.ticket_keys;
  TicketKey key;
  bool renew = false;
  if (enc == 1) {
    key = ring.current();
    std::memcpy(key_name, key.name.data(), key.name.size());
    if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(self->ticket_cipher_)) != 1) return -1;
  } else if (!ring.find(key_name, key, renew)) {
    return 0;  // unknown or expired key: full handshake, a fresh ticket is issued
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac_key.data(),
                                        key.hmac_key.size()),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
  const int ok = enc == 1
                     ? EVP_EncryptInit_ex(cipher, self->ticket_cipher_, nullptr,
                                          key.aes_key.data(), iv)
                     : EVP_DecryptInit_ex(cipher, self->ticket_cipher_, nullptr,
                                          key.aes_key.data(), iv);
  OPENSSL_cleanse(&key, sizeof key);
  if (ok != 1) return -1;
  return renew ? 2 : 1;
}

}  // namespace zs::tls
