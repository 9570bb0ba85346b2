// Certificate loading (--cert/--key and --cert-dir) with certificates generated at test time:
// pairing by public key whatever the file names, precise errors (unreadable, not PEM,
// mismatch, expired, not yet valid, orphan key or certificate, empty directory, encrypted
// key), ignored non-certificate files, the default certificate; and the SNI name index.
#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <ctime>

#include "tls/certificates.hh"
#include "tls/context.hh"
#include "tls/name_index.hh"
#include "unit/tls/test_pki.hh"

namespace zs::tls {
namespace {

using test::make_cert;
using test::TempDir;
using test::TestCert;

std::time_t now() { return std::time(nullptr); }

void expect_error(const Result<CertificateSet>& r, std::initializer_list<std::string> parts) {
  ASSERT_FALSE(r.ok()) << "expected an error mentioning " << *parts.begin();
  for (const auto& p : parts) {
    EXPECT_NE(r.error().message().find(p), std::string::npos)
        << "'" << r.error().message() << "' lacks '" << p << "'";
  }
}

TEST(TlsCertificates, PairLoadsAndNamesComeFromSan) {
  TempDir dir;
  TestCert c = make_cert("site", {"Example.com", "*.example.com"});
  dir.write("cert.pem", c.cert_pem);
  dir.write("key.pem", c.key_pem);
  auto set = load_certificate_pair(dir.file("cert.pem"), dir.file("key.pem"), now());
  ASSERT_TRUE(set.ok()) << set.error().message();
  ASSERT_EQ(set->certs.size(), 1u);
  EXPECT_EQ(set->certs[0].names, (std::vector<std::string>{"example.com", "*.example.com"}));
  EXPECT_EQ(set->certs[0].key_file, dir.file("key.pem"));
  auto ctx = Context::build(*set, {});
  EXPECT_TRUE(ctx.ok());
}

TEST(TlsCertificates, CommonNameOnlyWithoutSan) {
  TempDir dir;
  TestCert c = make_cert("Legacy.Example", {}, -60, 86400, test::KeyType::kRsa2048);
  dir.write("both.pem", c.key_pem + c.cert_pem);  // key first: order inside a file is free
  auto set = load_certificate_pair(dir.file("both.pem"), dir.file("both.pem"), now());
  ASSERT_TRUE(set.ok()) << set.error().message();
  EXPECT_EQ(set->certs[0].names, (std::vector<std::string>{"legacy.example"}));
}

TEST(TlsCertificates, PairErrors) {
  TempDir dir;
  TestCert good = make_cert("good", {"good.test"});
  TestCert other = make_cert("other", {"other.test"});
  TestCert expired = make_cert("old", {"old.test"}, -10 * 86400, -86400);
  TestCert future = make_cert("new", {"new.test"}, 86400, 10 * 86400);
  dir.write("good.crt", good.cert_pem);
  dir.write("good.key", good.key_pem);
  dir.write("other.key", other.key_pem);
  dir.write("expired.crt", expired.cert_pem);
  dir.write("expired.key", expired.key_pem);
  dir.write("future.crt", future.cert_pem);
  dir.write("future.key", future.key_pem);
  dir.write("text.pem", "hello, I am not PEM\n");
  dir.write("bad.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  dir.write("twokeys.key", good.key_pem + other.key_pem);

  expect_error(load_certificate_pair(dir.file("good.crt"), dir.file("other.key"), now()),
               {"other.key", "does not match", "good.crt"});
  expect_error(load_certificate_pair(dir.file("expired.crt"), dir.file("expired.key"), now()),
               {"expired.crt", "expired at"});
  expect_error(load_certificate_pair(dir.file("future.crt"), dir.file("future.key"), now()),
               {"future.crt", "not valid before"});
  expect_error(load_certificate_pair(dir.file("missing.crt"), dir.file("good.key"), now()),
               {"missing.crt", "cannot read"});
  expect_error(load_certificate_pair(dir.file("text.pem"), dir.file("good.key"), now()),
               {"text.pem", "not a PEM file"});
  expect_error(load_certificate_pair(dir.file("bad.pem"), dir.file("good.key"), now()),
               {"bad.pem", "CERTIFICATE"});
  expect_error(load_certificate_pair(dir.file("good.key"), dir.file("good.key"), now()),
               {"good.key", "no CERTIFICATE"});
  expect_error(load_certificate_pair(dir.file("good.crt"), dir.file("good.crt"), now()),
               {"good.crt", "no private key"});
  expect_error(load_certificate_pair(dir.file("good.crt"), dir.file("twokeys.key"), now()),
               {"twokeys.key", "more than one private key"});
  expect_error(load_certificate_pair(dir.path().string(), dir.file("good.key"), now()),
               {"is a directory"});
  // The same files are fine at a time when they are valid.
  EXPECT_TRUE(load_certificate_pair(dir.file("expired.crt"), dir.file("expired.key"),
                                    now() - 5 * 86400).ok());
}

TEST(TlsCertificates, EncryptedKeyIsRefusedClearly) {
  TempDir dir;
  TestCert c = make_cert("enc", {"enc.test"});
  BIO* bio = BIO_new(BIO_s_mem());
  char pass[] = "secret";
  PEM_write_bio_PKCS8PrivateKey(bio, c.key.get(), EVP_aes_256_cbc(), pass, 6, nullptr, nullptr);
  char* p = nullptr;
  const long n = BIO_get_mem_data(bio, &p);
  dir.write("enc.key", std::string(p, static_cast<size_t>(n)));
  BIO_free(bio);
  dir.write("enc.crt", c.cert_pem);
  expect_error(load_certificate_pair(dir.file("enc.crt"), dir.file("enc.key"), now()),
               {"enc.key", "encrypted"});
}

TEST(TlsCertificates, DirectoryPairsByPublicKeyInAnyOrder) {
  TempDir dir;
  TestCert a = make_cert("a", {"a.test"});
  TestCert b = make_cert("b", {"b.test"});
  TestCert c = make_cert("c", {"*.c.test"}, -60, 86400, test::KeyType::kRsa2048);
  // Names chosen so no file name hints at its partner, and keys sort before certificates.
  dir.write("00-zeta.key", b.key_pem);
  dir.write("01-alpha.pem", c.key_pem);
  dir.write("m-first.crt", a.cert_pem);
  dir.write("n-second.CRT", b.cert_pem);
  dir.write("o-third.pem", c.cert_pem);
  dir.write("z-last.key", a.key_pem);
  dir.write("README.txt", "not a certificate, ignored\n");
  dir.write(".hidden.pem", "ignored: hidden\n");
  dir.write("serial.srl", "01\n");
  auto set = load_certificate_dir(dir.path().string(), now());
  ASSERT_TRUE(set.ok()) << set.error().message();
  ASSERT_EQ(set->certs.size(), 3u);
  // Sorted by certificate file name; the first is the default.
  EXPECT_EQ(set->certs[0].cert_file, dir.file("m-first.crt"));
  EXPECT_EQ(set->certs[0].key_file, dir.file("z-last.key"));
  EXPECT_EQ(set->certs[1].key_file, dir.file("00-zeta.key"));
  EXPECT_EQ(set->certs[2].key_file, dir.file("01-alpha.pem"));
  EXPECT_EQ(set->certs[2].names, (std::vector<std::string>{"*.c.test"}));
  auto ctx = Context::build(*set, {});
  ASSERT_TRUE(ctx.ok()) << ctx.error().message();
  EXPECT_EQ((*ctx)->select_certificate("b.test"), 1u);
  EXPECT_EQ((*ctx)->select_certificate("x.c.test"), 2u);
  EXPECT_EQ((*ctx)->select_certificate("nothing.test"), 0u);
}

TEST(TlsCertificates, DirectoryDefaultPemAndCombinedFilesAndChains) {
  TempDir dir;
  TestCert a = make_cert("a", {"a.test"});
  TestCert d = make_cert("d", {"d.test"});
  TestCert intermediate = make_cert("intermediate", {});
  dir.write("a.pem", a.cert_pem + intermediate.cert_pem + a.key_pem);
  dir.write("default.pem", d.key_pem + d.cert_pem);
  auto set = load_certificate_dir(dir.path().string(), now());
  ASSERT_TRUE(set.ok()) << set.error().message();
  ASSERT_EQ(set->certs.size(), 2u);
  EXPECT_EQ(set->certs[0].cert_file, dir.file("default.pem"));
  EXPECT_EQ(set->certs[1].cert_file, dir.file("a.pem"));
  EXPECT_EQ(set->certs[1].chain.size(), 1u);
  EXPECT_TRUE(Context::build(*set, {}).ok());
}

TEST(TlsCertificates, DirectoryErrors) {
  TestCert a = make_cert("a", {"a.test"});
  TestCert b = make_cert("b", {"b.test"});
  {
    TempDir dir;
    expect_error(load_certificate_dir(dir.path().string(), now()), {"empty directory"});
    dir.write("notes.txt", "only unrelated files");
    expect_error(load_certificate_dir(dir.path().string(), now()), {"empty directory"});
  }
  expect_error(load_certificate_dir("/nonexistent/zs-certs", now()), {"cannot list directory"});
  {
    TempDir dir;  // a certificate without its key
    dir.write("a.crt", a.cert_pem);
    dir.write("a.key", a.key_pem);
    dir.write("b.crt", b.cert_pem);
    expect_error(load_certificate_dir(dir.path().string(), now()),
                 {"b.crt", "no private key", "matches this certificate"});
  }
  {
    TempDir dir;  // a key without its certificate
    dir.write("a.crt", a.cert_pem);
    dir.write("a.key", a.key_pem);
    dir.write("b.key", b.key_pem);
    expect_error(load_certificate_dir(dir.path().string(), now()),
                 {"b.key", "matches no certificate"});
  }
  {
    TempDir dir;  // an expired certificate among good ones is named
    TestCert old = make_cert("old", {"old.test"}, -10 * 86400, -86400);
    dir.write("a.pem", a.cert_pem + a.key_pem);
    dir.write("old.pem", old.cert_pem + old.key_pem);
    expect_error(load_certificate_dir(dir.path().string(), now()), {"old.pem", "expired"});
  }
  {
    TempDir dir;  // a .pem that is not PEM
    dir.write("a.pem", a.cert_pem + a.key_pem);
    dir.write("junk.pem", std::string("\x00\x01\x02", 3));
    expect_error(load_certificate_dir(dir.path().string(), now()), {"junk.pem", "not a PEM"});
  }
}

TEST(TlsNameIndex, ExactWildcardCaseAndDefault) {
  NameIndex index;
  index.add("a.example.com", 1);
  index.add("A.Example.Com", 9);  // same name again: the first registration keeps it
  index.add("*.example.com", 2);
  index.add("b.example.com.", 3);  // trailing dot dropped
  index.add("f*.example.org", 4);  // partial wildcard: ignored
  index.add("*.", 5);              // nothing after the label: ignored
  EXPECT_EQ(index.exact_count(), 2u);
  EXPECT_EQ(index.wildcard_count(), 1u);
  EXPECT_EQ(index.select("a.example.com", 0), 1u);
  EXPECT_EQ(index.select("A.EXAMPLE.COM.", 0), 1u);
  EXPECT_EQ(index.select("b.example.com", 0), 3u);
  EXPECT_EQ(index.select("zz.example.com", 0), 2u);
  EXPECT_EQ(index.select("ZZ.Example.com", 0), 2u);
  EXPECT_EQ(index.select("example.com", 7), 7u);       // the wildcard needs a label
  EXPECT_EQ(index.select("x.y.example.com", 7), 7u);   // exactly one label
  EXPECT_EQ(index.select(".example.com", 7), 7u);      // empty label
  EXPECT_EQ(index.select("fa.example.org", 7), 7u);
  EXPECT_EQ(index.select("", 7), 7u);
  EXPECT_EQ(normalize_dns_name("WWW.Example.ORG."), "www.example.org");
}

}  // namespace
}  // namespace zs::tls
