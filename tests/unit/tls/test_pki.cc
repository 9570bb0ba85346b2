// Certificate generation (EVP_PKEY_Q_keygen + X509 API), temp dirs and the in-memory client.
#include "unit/tls/test_pki.hh"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace zs::tls::test {
namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    ERR_print_errors_fp(stderr);
    std::fprintf(stderr, "test_pki: %s failed\n", what);
    std::abort();
  }
}

std::string bio_string(BIO* bio) {
  char* p = nullptr;
  const long n = BIO_get_mem_data(bio, &p);
  return std::string(p, static_cast<size_t>(n));
}

std::atomic<int> g_serial{1};

}  // namespace

TestCert make_cert(const std::string& cn, const std::vector<std::string>& dns_names,
                   long not_before_s, long not_after_s, KeyType type) {
  TestCert tc;
  tc.key.reset(type == KeyType::kRsa2048 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})
                                         : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(tc.key != nullptr, "keygen");
  tc.cert.reset(X509_new());
  X509* x = tc.cert.get();
  check(X509_set_version(x, 2) == 1, "version");
  ASN1_INTEGER_set(X509_get_serialNumber(x), g_serial.fetch_add(1));
  X509_gmtime_adj(X509_getm_notBefore(x), not_before_s);
  X509_gmtime_adj(X509_getm_notAfter(x), not_after_s);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  check(X509_set_issuer_name(x, name) == 1, "issuer");
  check(X509_set_pubkey(x, tc.key.get()) == 1, "pubkey");
  if (!dns_names.empty()) {
    std::string san;
    for (const auto& n : dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + n;
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, san.c_str());
    check(ext != nullptr, "san");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  check(X509_sign(x, tc.key.get(), EVP_sha256()) > 0, "sign");

  BIO* cb = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cb, x);
  tc.cert_pem = bio_string(cb);
  BIO_free(cb);
  BIO* kb = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(kb, tc.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  tc.key_pem = bio_string(kb);
  BIO_free(kb);
  return tc;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "zs_tls_test_XXXXXX").string();
  check(mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void TempDir::write(const std::string& name, const std::string& contents) const {
  std::ofstream out(path_ / name, std::ios::binary);
  out << contents;
  check(static_cast<bool>(out), "write file");
}

CertificateSet set_of(std::vector<TestCert*> certs) {
  CertificateSet set;
  for (TestCert* tc : certs) {
    CertifiedKey ck;
    X509_up_ref(tc->cert.get());
    ck.leaf.reset(tc->cert.get());
    EVP_PKEY_up_ref(tc->key.get());
    ck.key.reset(tc->key.get());
    // Same name extraction the loader uses: go through a file round trip.
    TempDir dir;
    dir.write("c.pem", tc->cert_pem + tc->key_pem);
    auto loaded = load_certificate_pair(dir.file("c.pem"), dir.file("c.pem"), std::time(nullptr));
    check(loaded.ok(), "load test cert");
    ck.names = loaded->certs[0].names;
    ck.cert_file = "memory";
    ck.key_file = "memory";
    set.certs.push_back(std::move(ck));
  }
  return set;
}

TestClient::TestClient(const ClientOptions& options) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  check(ctx_ != nullptr, "client ctx");
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx_, options.max_version);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  // No client cache: SSL_free of an unfinished connection would mark cached sessions unusable.
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_OFF);
  ssl_ = SSL_new(ctx_);
  check(ssl_ != nullptr, "client ssl");
  rbio_ = BIO_new(BIO_s_mem());
  wbio_ = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl_, rbio_, wbio_);
  SSL_set_connect_state(ssl_);
  if (!options.sni.empty()) SSL_set_tlsext_host_name(ssl_, options.sni.c_str());
  if (!options.alpn.empty()) {
    std::string wire;
    for (const auto& p : options.alpn) {
      wire.push_back(static_cast<char>(p.size()));
      wire += p;
    }
    check(SSL_set_alpn_protos(ssl_, reinterpret_cast<const unsigned char*>(wire.data()),
                              static_cast<unsigned>(wire.size())) == 0,
          "alpn");
  }
  if (!options.groups.empty()) {
    check(SSL_set1_groups_list(ssl_, options.groups.c_str()) == 1, "groups");
  }
  if (options.resume != nullptr) check(SSL_set_session(ssl_, options.resume) == 1, "session");
}

TestClient::~TestClient() {
  SSL_free(ssl_);
  SSL_CTX_free(ctx_);
}

std::string TestClient::take_output() {
  std::string out = bio_string(wbio_);
  (void)BIO_reset(wbio_);
  sent_ += out;
  return out;
}

void TestClient::give_input(std::string_view bytes) {
  if (!bytes.empty()) BIO_write(rbio_, bytes.data(), static_cast<int>(bytes.size()));
}

std::string TestClient::peer_cn() const {
  X509* peer = SSL_get1_peer_certificate(ssl_);
  if (peer == nullptr) return "";
  char buf[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buf, sizeof buf);
  X509_free(peer);
  return buf;
}

std::string TestClient::read_available() {
  std::string out;
  char buf[4096];
  for (;;) {
    size_t n = 0;
    if (SSL_read_ex(ssl_, buf, sizeof buf, &n) != 1) break;
    out.append(buf, n);
  }
  ERR_clear_error();
  return out;
}

void deliver_to_client(Session& server, TestClient& client) {
  client.give_input(server.pending_output());
  server.consume_output(server.pending_output().size());
}

HandshakeStatus run_handshake(TestClient& client, Session& server) {
  HandshakeStatus status = HandshakeStatus::kWantIo;
  for (int round = 0; round < 20; ++round) {
    if (!client.handshake_done()) {
      const int rc = SSL_do_handshake(client.ssl());
      if (rc != 1 && SSL_get_error(client.ssl(), rc) != SSL_ERROR_WANT_READ) {
        ERR_clear_error();
        // The client gave up (e.g. an alert): let the server see whatever it sent.
        const std::string out = client.take_output();
        server.feed(out);
        status = server.handshake();
        return status == HandshakeStatus::kDone ? HandshakeStatus::kError : status;
      }
    }
    const std::string out = client.take_output();
    server.feed(out);
    status = server.handshake();
    deliver_to_client(server, client);
    if (status == HandshakeStatus::kError) return status;
    if (status == HandshakeStatus::kDone && client.handshake_done()) return status;
  }
  return status;
}

}  // namespace zs::tls::test
