// Test support for tests/unit/tls: self-signed certificates generated at test time with the
// OpenSSL API (chosen names, validity window, key type), temporary directories, and an
// in-memory OpenSSL client that talks to a zs::tls::Session through byte buffers.
// Test-only: aborts the test (gtest ASSERT in callers) rather than reporting errors as values.
#pragma once

#include <openssl/ssl.h>

#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "tls/certificates.hh"
#include "tls/session.hh"

namespace zs::tls::test {

enum class KeyType { kEcdsaP256, kRsa2048 };

struct TestCert {
  EvpPkeyPtr key;
  X509Ptr cert;
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed certificate with subject CN=`cn` and a SAN listing `dns_names` (no SAN
// extension at all when `dns_names` is empty), valid from now+not_before_s to now+not_after_s.
TestCert make_cert(const std::string& cn, const std::vector<std::string>& dns_names,
                   long not_before_s = -3600, long not_after_s = 30L * 86400,
                   KeyType type = KeyType::kEcdsaP256);

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  void write(const std::string& name, const std::string& contents) const;

 private:
  std::filesystem::path path_;
};

// CertificateSet from in-memory certs (first = default), as the loaders would build it.
CertificateSet set_of(std::vector<TestCert*> certs);

struct ClientOptions {
  std::vector<std::string> alpn{"h2", "http/1.1"};  // empty: no ALPN extension
  std::string sni;                                   // empty: no SNI
  int max_version = TLS1_3_VERSION;
  SSL_SESSION* resume = nullptr;                     // borrowed; offered for resumption
  std::string groups;                                // e.g. "P-521:X25519"; empty: default
};

// An OpenSSL client over two memory BIOs. Verification is off: tests inspect the peer
// certificate themselves.
class TestClient {
 public:
  explicit TestClient(const ClientOptions& options);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  SSL* ssl() const { return ssl_; }
  // Bytes the client wrote that have not been taken yet.
  std::string take_output();
  void give_input(std::string_view bytes);
  // Everything the client has sent so far (for re-parsing its ClientHello).
  const std::string& sent() const { return sent_; }
  // Subject CN of the certificate the server presented ("" if none).
  std::string peer_cn() const;
  // Reads whatever plaintext is available (processes post-handshake messages like tickets).
  std::string read_available();
  bool handshake_done() const { return SSL_is_init_finished(ssl_) == 1; }

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* rbio_ = nullptr;  // owned by ssl_
  BIO* wbio_ = nullptr;  // owned by ssl_
  std::string sent_;
};

// Moves bytes both ways until both sides finish the handshake or one fails (bounded rounds).
// Returns the server's final status.
HandshakeStatus run_handshake(TestClient& client, Session& server);

// Moves the server's pending output to the client.
void deliver_to_client(Session& server, TestClient& client);

}  // namespace zs::tls::test
