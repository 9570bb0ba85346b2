// Certificate loading: read a file, split its PEM blocks into certificates and keys, check
// validity dates, pair keys with leaves by public key, pick the default. Every error names the
// file. OpenSSL's error queue is drained after each failure so it never leaks into a later call.
#include "tls/certificates.hh"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/file.hh"

namespace zs::tls {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// The PEM contents of one file.
struct PemFile {
  std::string path;
  std::vector<X509Ptr> certs;  // file order: leaf first
  std::vector<EvpPkeyPtr> keys;
};

std::string openssl_reason() {
  const unsigned long e = ERR_peek_last_error();
  const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
  std::string out = reason != nullptr ? reason : "unknown OpenSSL error";
  ERR_clear_error();
  return out;
}

std::string subject_of(X509* cert) {
  char buf[256];
  X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
  return buf;
}

std::string format_time(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return "(unparsable time)";
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

// Decodes one PEM block by its label. Returns false with `error` set on a bad block; blocks
// that carry no certificate or key (EC PARAMETERS, as `openssl ecparam` writes) are skipped.
bool decode_block(const char* name, const char* header, const unsigned char* data, long len,
                  PemFile& out, std::string& error) {
  const std::string_view label(name);
  if (label == "CERTIFICATE") {
    const unsigned char* p = data;
    X509Ptr cert(d2i_X509(nullptr, &p, len));
    if (!cert) {
      error = "bad CERTIFICATE block: " + openssl_reason();
      return false;
    }
    out.certs.push_back(std::move(cert));
    return true;
  }
  if (label == "ENCRYPTED PRIVATE KEY" || std::strstr(header, "ENCRYPTED") != nullptr) {
    error = "encrypted private keys are not supported (decrypt it: openssl pkey -in FILE)";
    return false;
  }
  if (label == "PRIVATE KEY" || label == "RSA PRIVATE KEY" || label == "EC PRIVATE KEY") {
    const unsigned char* p = data;
    EvpPkeyPtr key(d2i_AutoPrivateKey(nullptr, &p, len));
    if (!key) {
      error = "bad " + std::string(label) + " block: " + openssl_reason();
      return false;
    }
    out.keys.push_back(std::move(key));
    return true;
  }
  if (label == "EC PARAMETERS") return true;
  error = "unsupported PEM block '" + std::string(label) + "'";
  return false;
}

Result<PemFile> read_pem_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  PemFile out;
  out.path = path;
  BioPtr bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  if (!bio) return Error(path + ": out of memory");
  ERR_clear_error();
  int blocks = 0;
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
      const unsigned long e = ERR_peek_last_error();
      const bool at_end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
      if (at_end && blocks > 0) {
        ERR_clear_error();
        break;
      }
      if (at_end) {
        ERR_clear_error();
        return Error(path + ": not a PEM file (no '-----BEGIN' line)");
      }
      return Error(path + ": malformed PEM: " + openssl_reason());
    }
    ++blocks;
    std::string error;
    const bool ok = decode_block(name, header, data, len, out, error);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (!ok) return Error(path + ": " + error);
  }
  if (out.certs.empty() && out.keys.empty()) {
    return Error(path + ": no certificate or private key in this PEM file");
  }
  if (out.keys.size() > 1) return Error(path + ": more than one private key in one file");
  return out;
}

std::vector<std::string> dns_names(X509* cert) {
  std::vector<std::string> out;
  int critical = -1;
  auto* sans = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, &critical, nullptr));
  if (sans != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
      if (gn->type != GEN_DNS) continue;
      const ASN1_STRING* s = gn->d.dNSName;
      std::string name(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<size_t>(ASN1_STRING_length(s)));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.push_back(std::move(name));
    }
    GENERAL_NAMES_free(sans);
    return out;
  }
  ERR_clear_error();
  if (critical != -1) return out;  // a SAN extension exists but does not decode: no names
  // No SAN extension at all: fall back to the subject CN (RFC 6125 §6.4.4 legacy rule), so a
  // quick `openssl req -subj /CN=host` certificate still selects by name.
  X509_NAME* subject = X509_get_subject_name(cert);
  const int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (idx < 0) return out;
  unsigned char* utf8 = nullptr;
  const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
  const int n = ASN1_STRING_to_UTF8(&utf8, cn);
  if (n > 0) {
    std::string name(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.push_back(std::move(name));
  }
  OPENSSL_free(utf8);
  return out;
}

Result<void> check_file_validity(const PemFile& file, std::time_t now) {
  for (const auto& cert : file.certs) {
    if (auto r = check_validity(cert.get(), now); !r) return r.error().wrap(file.path);
  }
  return {};
}

bool key_matches(X509* cert, EVP_PKEY* key) {
  const bool eq = EVP_PKEY_eq(X509_get0_pubkey(cert), key) == 1;
  ERR_clear_error();
  return eq;
}

CertifiedKey make_certified(PemFile& file) {
  CertifiedKey ck;
  ck.leaf = std::move(file.certs.front());
  for (size_t i = 1; i < file.certs.size(); ++i) ck.chain.push_back(std::move(file.certs[i]));
  file.certs.clear();
  ck.names = dns_names(ck.leaf.get());
  ck.cert_file = file.path;
  return ck;
}

bool is_candidate(const std::filesystem::directory_entry& entry) {
  const std::string name = entry.path().filename().string();
  if (name.empty() || name[0] == '.') return false;
  std::error_code ec;
  if (!entry.is_regular_file(ec)) return false;  // follows symlinks
  std::string ext = entry.path().extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".pem" || ext == ".crt" || ext == ".cer" || ext == ".key";
}

}  // namespace

Result<void> check_validity(X509* cert, std::time_t now) {
  const ASN1_TIME* not_after = X509_get0_notAfter(cert);
  const ASN1_TIME* not_before = X509_get0_notBefore(cert);
  const int after = X509_cmp_time(not_after, &now);
  const int before = X509_cmp_time(not_before, &now);
  ERR_clear_error();
  if (after == 0 || before == 0) {
    return Error("certificate " + subject_of(cert) + " has an unparsable validity date");
  }
  if (after < 0) {
    return Error("certificate " + subject_of(cert) + " expired at " + format_time(not_after));
  }
  if (before > 0) {
    return Error("certificate " + subject_of(cert) + " is not valid before " +
                 format_time(not_before));
  }
  return {};
}

Result<CertificateSet> load_certificate_pair(const std::string& cert_file,
                                             const std::string& key_file, std::time_t now) {
  auto certs = read_pem_file(cert_file);
  if (!certs) return certs.error();
  if (certs->certs.empty()) return Error(cert_file + ": no CERTIFICATE block in this file");
  if (auto r = check_file_validity(*certs, now); !r) return r.error();
  auto keys = read_pem_file(key_file);
  if (!keys) return keys.error();
  if (keys->keys.empty()) return Error(key_file + ": no private key in this file");
  CertifiedKey ck = make_certified(*certs);
  if (!key_matches(ck.leaf.get(), keys->keys.front().get())) {
    return Error(key_file + ": private key does not match the certificate in " + cert_file +
                 " (" + subject_of(ck.leaf.get()) + ")");
  }
  ck.key = std::move(keys->keys.front());
  ck.key_file = key_file;
  CertificateSet set;
  set.certs.push_back(std::move(ck));
  return set;
}

Result<CertificateSet> load_certificate_dir(const std::string& dir, std::time_t now) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return Error(dir + ": cannot list directory: " + ec.message());
  std::vector<std::string> paths;
  for (const auto& entry : it) {
    if (is_candidate(entry)) paths.push_back(entry.path().string());
  }
  if (paths.empty()) {
    return Error(dir + ": empty directory: no certificate files (*.pem, *.crt, *.cer, *.key)");
  }
  std::sort(paths.begin(), paths.end());

  std::vector<PemFile> files;
  for (const auto& path : paths) {
    auto f = read_pem_file(path);
    if (!f) return f.error();
    if (auto r = check_file_validity(*f, now); !r) return r.error();
    files.push_back(std::move(*f));
  }

  // Leaves in sorted file order; then every key finds its leaves by public key. A key in the
  // same file as the certificate is tried first (the common "combined PEM" layout).
  CertificateSet set;
  std::vector<bool> key_used(files.size(), false);
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].certs.empty()) continue;
    CertifiedKey ck = make_certified(files[i]);
    size_t owner = files.size();
    if (!files[i].keys.empty() && key_matches(ck.leaf.get(), files[i].keys.front().get())) {
      owner = i;
    }
    for (size_t j = 0; j < files.size() && owner == files.size(); ++j) {
      if (!files[j].keys.empty() && key_matches(ck.leaf.get(), files[j].keys.front().get())) {
        owner = j;
      }
    }
    if (owner == files.size()) {
      return Error(files[i].path + ": no private key in " + dir +
                   " matches this certificate (" + subject_of(ck.leaf.get()) + ")");
    }
    // Several certificates may share a key (a renewal next to the old one): up the refcount.
    EVP_PKEY_up_ref(files[owner].keys.front().get());
    ck.key.reset(files[owner].keys.front().get());
    ck.key_file = files[owner].path;
    key_used[owner] = true;
    set.certs.push_back(std::move(ck));
  }
  for (size_t j = 0; j < files.size(); ++j) {
    if (!files[j].keys.empty() && !key_used[j]) {
      return Error(files[j].path + ": private key matches no certificate in " + dir);
    }
  }

  // Default: a file named default.pem / default.crt, else the first in sorted order.
  auto is_default = [](const CertifiedKey& ck) {
    const auto p = std::filesystem::path(ck.cert_file);
    return p.stem() == "default";
  };
  auto def = std::find_if(set.certs.begin(), set.certs.end(), is_default);
  if (def != set.certs.end() && def != set.certs.begin()) {
    std::rotate(set.certs.begin(), def, def + 1);
  }
  return set;
}

}  // namespace zs::tls
