// Loading and validating the server's certificates at startup and on reload (--cert/--key or
// --cert-dir): PEM files are read, keys are paired with leaf certificates by public key, and
// every problem is reported as an Error naming the file and the reason. Runs off the request
// path (blocking file reads are fine). Relies on OpenSSL 3 (PEM, X509, EVP_PKEY).
// Does not build SSL_CTX objects: context.hh does, from the CertificateSet returned here.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hh"

namespace zs::tls {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// One leaf certificate with its chain and private key.
struct CertifiedKey {
  X509Ptr leaf;
  std::vector<X509Ptr> chain;      // certificates after the leaf in its file, in file order
  EvpPkeyPtr key;
  std::vector<std::string> names;  // lowercase DNS names: SAN dNSName entries; if the
                                   // certificate has no SAN extension at all, its subject CN
  std::string cert_file;           // where the leaf came from (for messages)
  std::string key_file;            // where the key came from (may equal cert_file)
};

// All certificates of one configuration. certs[0] is the default certificate (served when SNI
// is absent or matches no name); the rest follow in sorted file-name order.
struct CertificateSet {
  std::vector<CertifiedKey> certs;
};

// --cert FILE --key FILE. The certificate file holds the leaf first, then its chain; the key
// file holds one unencrypted private key (PKCS#8 "PRIVATE KEY", "RSA PRIVATE KEY" or
// "EC PRIVATE KEY"). Errors: unreadable file, not PEM, no certificate / no key found, more than
// one key, encrypted key, key does not match the certificate, any certificate of the file
// expired or not yet valid at `now`.
Result<CertificateSet> load_certificate_pair(const std::string& cert_file,
                                             const std::string& key_file, std::time_t now);

// --cert-dir DIR. Reads every regular file (or symlink to one) whose name ends in ".pem",
// ".crt", ".cer" or ".key" (case-insensitive) and does not start with '.'; other files are
// ignored, so a README or a CA serial file next to the certificates is harmless. Each file may
// hold certificates (leaf first, then its chain), a private key, or both. Keys are paired with
// leaf certificates by public key whatever the file names. Errors, each naming the file: as for
// load_certificate_pair, plus a key matching no certificate, a certificate without a key, a
// file with neither, two keys in one file, no candidate file at all ("empty directory").
// Default certificate: the one whose file is named "default.pem" / "default.crt" if there is
// one, else the first in byte-wise sorted file-name order.
Result<CertificateSet> load_certificate_dir(const std::string& dir, std::time_t now);

// The validity check applied by both loaders, exposed for tests and reload diagnostics:
// Error "certificate CN=... expired at 2024-01-01 00:00:00 UTC" or "...is not valid before...".
Result<void> check_validity(X509* cert, std::time_t now);

}  // namespace zs::tls
