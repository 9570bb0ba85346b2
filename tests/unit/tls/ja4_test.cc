// JA4 and the ClientHello parser against fixed bytes written out below, with every expected
// fingerprint derived by hand in the comments (the only tool used is `sha256sum`, on the exact
// strings shown: printf '%s' "1301,1302,1303,c02b" | sha256sum | cut -c1-12). Also: the spec's
// own worked example, GREASE, no SNI / no ALPN, the ALPN hex rule, counts capped at 99, and
// malformed hellos (every truncation, every single-byte corruption, bad lengths) refused
// cleanly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tls/client_hello.hh"
#include "tls/ja4.hh"

namespace zs::tls {
namespace {

using Bytes = std::vector<uint8_t>;

void put(Bytes& out, std::initializer_list<int> bytes) {
  for (int b : bytes) out.push_back(static_cast<uint8_t>(b));
}
void put_text(Bytes& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

// Hello A: a TLS 1.3 ClientHello with GREASE in ciphers, extensions, signature algorithms and
// supported_versions. Record form; lengths counted by hand in the comments.
Bytes hello_a() {
  Bytes b;
  put(b, {0x16, 0x03, 0x01, 0x00, 0xc5});  // record: handshake, 0x0301, 197 bytes
  put(b, {0x01, 0x00, 0x00, 0xc1});        // handshake: client_hello, 193 bytes of body
  put(b, {0x03, 0x03});                    // legacy_version (2)
  for (int i = 0; i < 32; ++i) b.push_back(static_cast<uint8_t>(i));  // random (32)
  b.push_back(32);                                                    // session id (1+32)
  for (int i = 0; i < 32; ++i) b.push_back(0xee);
  put(b, {0x00, 0x0a, 0x0a, 0x0a, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b});  // (12)
  put(b, {0x01, 0x00});   // compression: null (2)
  put(b, {0x00, 0x6e});   // extensions: 110 bytes (2)
  put(b, {0x1a, 0x1a, 0x00, 0x00});                                   // GREASE, empty (4)
  put(b, {0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b});    // server_name (20)
  put_text(b, "example.com");
  put(b, {0x00, 0x17, 0x00, 0x00});                                   // ext_master_secret (4)
  put(b, {0xff, 0x01, 0x00, 0x01, 0x00});                             // renegotiation_info (5)
  put(b, {0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17});  // groups (10)
  put(b, {0x00, 0x0b, 0x00, 0x02, 0x01, 0x00});                       // ec_point_formats (6)
  put(b, {0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02});                 // ALPN (18)
  put_text(b, "h2");
  b.push_back(0x08);
  put_text(b, "http/1.1");
  put(b, {0x00, 0x0d, 0x00, 0x0a, 0x00, 0x08,                         // sig algs (14)
          0x04, 0x03, 0x08, 0x04, 0x2a, 0x2a, 0x04, 0x01});
  put(b, {0x00, 0x2b, 0x00, 0x07, 0x06, 0x3a, 0x3a, 0x03, 0x04, 0x03, 0x03});  // versions (11)
  put(b, {0x00, 0x33, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1d, 0x00, 0x02, 0xaa, 0xbb});  // (12)
  put(b, {0x00, 0x2d, 0x00, 0x02, 0x01, 0x01});                       // psk modes (6)
  return b;
}

// Hand derivation for hello A:
//   version: supported_versions = {3a3a (GREASE), 0304, 0303} -> highest 0304 -> "13"
//   SNI present -> 'd'; ciphers without GREASE 0a0a: 1301,1302,1303,c02b -> "04"
//   extensions without GREASE 1a1a: 0000,0017,ff01,000a,000b,0010,000d,002b,0033,002d -> "10"
//   first ALPN "h2" -> "h2"                                   => a = "t13d0410h2"
//   b: "1301,1302,1303,c02b" -> sha256 39e807bd56df...
//   c: sorted, minus 0000/0010: "000a,000b,000d,0017,002b,002d,0033,ff01", '_', signature
//      algorithms in wire order without GREASE 2a2a: "0403,0804,0401"
//      "000a,000b,000d,0017,002b,002d,0033,ff01_0403,0804,0401" -> sha256 7d8732ff4b9d...
constexpr const char* kJa4A = "t13d0410h2_39e807bd56df_7d8732ff4b9d";
constexpr const char* kJa4RawA =
    "t13d0410h2_1301,1302,1303,c02b_000a,000b,000d,0017,002b,002d,0033,ff01_0403,0804,0401";

// Hello B: TLS 1.2 style, no SNI, no ALPN, no supported_versions, an SCSV cipher, empty
// session id. Handshake form (no record header).
Bytes hello_b() {
  Bytes b;
  put(b, {0x01, 0x00, 0x00, 0x50});  // client_hello, 80 bytes of body
  put(b, {0x03, 0x03});              // legacy_version (2)
  for (int i = 0; i < 32; ++i) b.push_back(static_cast<uint8_t>(0x40 + i));  // random (32)
  b.push_back(0);                                                  // session id (1)
  put(b, {0x00, 0x06, 0xc0, 0x2f, 0xc0, 0x2b, 0x00, 0xff});        // 3 suites (8)
  put(b, {0x01, 0x00});                                            // compression (2)
  put(b, {0x00, 0x21});                                            // 33 bytes (2)
  put(b, {0x00, 0x17, 0x00, 0x00});                                // (4)
  put(b, {0xff, 0x01, 0x00, 0x01, 0x00});                          // (5)
  put(b, {0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17});        // (8)
  put(b, {0x00, 0x0b, 0x00, 0x02, 0x01, 0x00});                    // (6)
  put(b, {0x00, 0x0d, 0x00, 0x06, 0x00, 0x04, 0x04, 0x03, 0x08, 0x04});  // (10)
  return b;
}

// Hand derivation for hello B:
//   no supported_versions -> legacy 0303 -> "12"; no SNI -> 'i'; 3 ciphers (the SCSV 00ff
//   counts, says the spec) -> "03"; 5 extensions -> "05"; no ALPN -> "00" => "t12i030500"
//   b: "00ff,c02b,c02f" -> 0e67c0ef781e
//   c: "000a,000b,000d,0017,ff01_0403,0804" -> 11191aef76c5
constexpr const char* kJa4B = "t12i030500_0e67c0ef781e_11191aef76c5";

// Hello C: no extensions block at all, legacy_version 0x0301, one suite.
Bytes hello_c() {
  Bytes b;
  put(b, {0x01, 0x00, 0x00, 0x29, 0x03, 0x01});  // 41 = 2 + 32 + 1 + 4 + 2 bytes of body
  for (int i = 0; i < 32; ++i) b.push_back(0x11);
  put(b, {0x00, 0x00, 0x02, 0x00, 0x2f, 0x01, 0x00});
  return b;
}
// "t10i010000"; b: "002f" -> ba72b8082249; c: no extensions -> twelve zeros.
constexpr const char* kJa4C = "t10i010000_ba72b8082249_000000000000";

Result<ClientHello> parse(const Bytes& b) { return parse_client_hello({b.data(), b.size()}); }

std::string ja4_of(const Bytes& b) {
  auto h = parse(b);
  EXPECT_TRUE(h.ok()) << h.error().message();
  return h.ok() ? std::string(compute_ja4(*h).view()) : std::string();
}

TEST(Ja4, SpecWorkedExample) {
  // FoxIO JA4.md "Example": these lists and the two hashes are given by the spec itself.
  ClientHello h;
  h.legacy_version = 0x0303;
  h.supported_versions = {0x0304, 0x0303};
  h.cipher_suites = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                     0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  h.extensions = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                  0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
  h.has_server_name = true;
  h.alpn = {"h2"};
  h.signature_algorithms = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
  EXPECT_EQ(compute_ja4(h).view(), "t13d1516h2_8daaf6152771_e5627efa2ab1");
  EXPECT_EQ(ja4_raw(h),
            "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,"
            "cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,"
            "0804,0401,0503,0805,0501,0806,0601");
  // Spec: with no signature algorithms the string ends without '_' -> 6d807ffa2a79.
  h.signature_algorithms.clear();
  EXPECT_EQ(compute_ja4(h).view(), "t13d1516h2_8daaf6152771_6d807ffa2a79");
}

TEST(Ja4, HandBuiltHelloWithGrease) {
  const Bytes a = hello_a();
  ASSERT_EQ(a.size(), 5u + 0xc5);  // the hand-counted lengths add up
  auto h = parse(a);
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ(h->server_name, "example.com");
  EXPECT_EQ(h->alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(h->cipher_suites.size(), 5u);  // GREASE kept by the parser
  EXPECT_EQ(h->extensions.size(), 11u);
  EXPECT_EQ(ja4_raw(*h), kJa4RawA);
  EXPECT_EQ(compute_ja4(*h).view(), kJa4A);
  // The same hello without its record header parses identically.
  const Bytes handshake(a.begin() + 5, a.end());
  EXPECT_EQ(ja4_of(handshake), kJa4A);
}

TEST(Ja4, NoSniNoAlpnTls12) {
  ASSERT_EQ(hello_b().size(), 4u + 0x50);
  ASSERT_EQ(hello_c().size(), 4u + 0x29);
  EXPECT_EQ(ja4_of(hello_b()), kJa4B);
  EXPECT_EQ(ja4_of(hello_c()), kJa4C);
}

TEST(Ja4, HelloSplitAcrossRecords) {
  const Bytes a = hello_a();
  const Bytes msg(a.begin() + 5, a.end());
  for (size_t cut : {1u, 3u, 4u, 5u, 60u, 196u}) {
    Bytes two;
    put(two, {0x16, 0x03, 0x01, static_cast<int>(cut >> 8), static_cast<int>(cut & 0xff)});
    two.insert(two.end(), msg.begin(), msg.begin() + static_cast<long>(cut));
    const size_t rest = msg.size() - cut;
    put(two, {0x16, 0x03, 0x03, static_cast<int>(rest >> 8), static_cast<int>(rest & 0xff)});
    two.insert(two.end(), msg.begin() + static_cast<long>(cut), msg.end());
    EXPECT_EQ(ja4_of(two), kJa4A) << "cut at " << cut;
  }
  // Records after the hello (the rest of the connection) are not the parser's business.
  Bytes more = a;
  put(more, {0x14, 0x03, 0x03, 0x00, 0x01, 0x01});
  EXPECT_EQ(ja4_of(more), kJa4A);
}

TEST(Ja4, GreaseOnlyVersionsFallBackToLegacy) {
  ClientHello h;
  h.legacy_version = 0x0303;
  h.supported_versions = {0x0a0a, 0xfafa};
  h.cipher_suites = {0x1301};
  EXPECT_EQ(compute_ja4(h).view().substr(0, 4), "t12i");
  h.supported_versions = {0x0302, 0x0301};
  EXPECT_EQ(compute_ja4(h).view().substr(0, 4), "t11i");
  h.supported_versions.clear();
  h.legacy_version = 0x0300;
  EXPECT_EQ(compute_ja4(h).view().substr(0, 4), "ts3i");
  h.legacy_version = 0x0305;
  EXPECT_EQ(compute_ja4(h).view().substr(0, 4), "t00i");
  for (int i = 0; i < 16; ++i) {
    const auto g = static_cast<uint16_t>(0x0a0a + 0x1010 * i);
    EXPECT_TRUE(is_grease(g)) << g;
  }
  EXPECT_FALSE(is_grease(0x0a1a));
  EXPECT_FALSE(is_grease(0x1301));
}

TEST(Ja4, AlpnCharacters) {
  struct Row {
    std::string first;
    const char* expect;
  };
  // The spec's own examples for the non-alphanumeric rule, then the ordinary cases.
  const Row rows[] = {
      {"\xab", "ab"},   {"\xab\xcd", "ad"}, {"0\xab", "3b"},  {"01\xab\xcd", "3d"},
      {"0\xab\xcd" "1", "01"}, {"h2", "h2"}, {"http/1.1", "h1"}, {"x", "xx"},
      {"acme-tls/1", "a1"},  {"h2-", "6d"},  // hex "68322d": first 6, last d
  };
  for (const Row& row : rows) {
    ClientHello h;
    h.legacy_version = 0x0303;
    h.cipher_suites = {0x1301};
    h.extensions = {kExtAlpn};
    h.alpn = {row.first, "ignored"};
    EXPECT_EQ(compute_ja4(h).view().substr(8, 2), row.expect) << row.first;
  }
}

TEST(Ja4, CountsCapAt99AndEmptyListsHashToZeros) {
  ClientHello h;
  h.legacy_version = 0x0303;
  for (uint16_t i = 1; i <= 150; ++i) {
    h.cipher_suites.push_back(i);
    h.extensions.push_back(static_cast<uint16_t>(0x1000 + i));
  }
  EXPECT_EQ(compute_ja4(h).view().substr(0, 10), "t12i999900");
  ClientHello only_sni_alpn;
  only_sni_alpn.legacy_version = 0x0304;
  only_sni_alpn.cipher_suites = {0x0a0a};  // GREASE only: no cipher left
  only_sni_alpn.extensions = {kExtServerName, kExtAlpn};
  only_sni_alpn.has_server_name = true;
  EXPECT_EQ(compute_ja4(only_sni_alpn).view(), "t13d000200_000000000000_000000000000");
}

TEST(ClientHelloParser, EveryTruncationIsRefused) {
  for (const Bytes& full : {hello_a(), hello_b(), hello_c()}) {
    for (size_t n = 0; n < full.size(); ++n) {
      const Bytes part(full.begin(), full.begin() + static_cast<long>(n));
      auto h = parse(part);
      EXPECT_FALSE(h.ok()) << "prefix of " << n << " bytes accepted";
      if (!h.ok()) {
        EXPECT_FALSE(h.error().message().empty());
      }
    }
  }
}

TEST(ClientHelloParser, EverySingleByteCorruptionIsHandled) {
  // Each byte +1 and -1: most corruptions must be refused; none may crash (ASan runs this) and
  // an accepted one must still fingerprint to 36 characters.
  for (const Bytes& full : {hello_a(), hello_b()}) {
    size_t refused = 0;
    for (size_t i = 0; i < full.size(); ++i) {
      for (int delta : {1, -1}) {
        Bytes bad = full;
        bad[i] = static_cast<uint8_t>(bad[i] + delta);
        auto h = parse(bad);
        if (!h.ok()) {
          ++refused;
          continue;
        }
        EXPECT_EQ(compute_ja4(*h).view().size(), kJa4Length);
      }
    }
    EXPECT_GT(refused, 0u);
  }
}

TEST(ClientHelloParser, BadLengthsAndStructure) {
  struct Row {
    const char* what;
    size_t offset;  // into hello_a()
    uint8_t value;
    const char* error;
  };
  // Offsets in hello_a(): record header 0-4, handshake header 5-8, body from 9.
  const Row rows[] = {
      {"record type alert", 0, 0x15, "neither a handshake record nor a client_hello"},
      {"record version 2.x", 1, 0x02, "legacy_record_version"},
      {"record length 0", 4, 0x00, "record: bad length"},
      {"handshake type server_hello", 5, 0x02, "not a client_hello"},
      {"body length +1", 8, 0xc2, "record: truncated"},
      {"session id 33", 43, 33, "legacy_session_id: length out of bounds"},
      {"cipher length odd", 77, 0x09, "odd length"},
      {"compression empty", 88, 0x00, "legacy_compression_methods"},
      {"extensions too long", 91, 0x6f, "extensions: truncated"},
  };
  for (const Row& row : rows) {
    Bytes bad = hello_a();
    bad[row.offset] = row.value;
    auto h = parse(bad);
    ASSERT_FALSE(h.ok()) << row.what;
    EXPECT_NE(h.error().message().find(row.error), std::string::npos)
        << row.what << ": " << h.error().message();
  }
}

TEST(ClientHelloParser, DuplicatesTrailingBytesAndLimits) {
  // Duplicate extension: turn ext_master_secret (0017, offset 116) into a second GREASE 1a1a.
  Bytes dup = hello_a();
  ASSERT_EQ(dup[116], 0x00);
  ASSERT_EQ(dup[117], 0x17);
  dup[116] = 0x1a;
  dup[117] = 0x1a;
  auto h = parse(dup);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message().find("duplicate"), std::string::npos) << h.error().message();

  // A byte after the hello inside its record.
  Bytes trailing = hello_a();
  trailing.push_back(0);
  trailing[4] = 0xc6;
  h = parse(trailing);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message().find("trailing"), std::string::npos) << h.error().message();

  // Handshake form with a byte after the message.
  Bytes hs = hello_b();
  hs.push_back(0);
  EXPECT_FALSE(parse(hs).ok());

  // A declared body over the limit is refused before anything is buffered.
  Bytes huge = {0x01, 0x01, 0x00, 0x01};
  h = parse(huge);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message().find("too large"), std::string::npos);

  // A record over 2^14 bytes.
  Bytes big_record = {0x16, 0x03, 0x01, 0x40, 0x01};
  big_record.resize(5 + 0x4001, 0);
  EXPECT_FALSE(parse(big_record).ok());
  EXPECT_FALSE(parse({}).ok());
}

TEST(ClientHelloParser, HugeServerNameWithinLimits) {
  // A 40,000-byte host name (spread over three records) is parsed, not truncated; the record
  // layer and the 64 KiB cap bound the work.
  const std::string name(40000, 'a');
  Bytes body;
  put(body, {0x03, 0x03});
  body.insert(body.end(), 32, 0x22);
  put(body, {0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00});
  const size_t ext_len = 4 + 2 + 1 + 2 + name.size();
  put(body, {static_cast<int>(ext_len >> 8), static_cast<int>(ext_len & 0xff)});
  const size_t list = 1 + 2 + name.size();
  put(body, {0x00, 0x00, static_cast<int>((list + 2) >> 8), static_cast<int>((list + 2) & 0xff),
             static_cast<int>(list >> 8), static_cast<int>(list & 0xff), 0x00,
             static_cast<int>(name.size() >> 8), static_cast<int>(name.size() & 0xff)});
  put_text(body, name);
  Bytes msg = {0x01, 0x00, static_cast<uint8_t>(body.size() >> 8),
               static_cast<uint8_t>(body.size() & 0xff)};
  msg.insert(msg.end(), body.begin(), body.end());
  Bytes records;
  for (size_t pos = 0; pos < msg.size(); pos += 16384) {
    const size_t n = std::min<size_t>(16384, msg.size() - pos);
    put(records, {0x16, 0x03, 0x01, static_cast<int>(n >> 8), static_cast<int>(n & 0xff)});
    records.insert(records.end(), msg.begin() + static_cast<long>(pos),
                   msg.begin() + static_cast<long>(pos + n));
  }
  auto h = parse(records);
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ(h->server_name.size(), name.size());
  EXPECT_EQ(compute_ja4(*h).view().substr(0, 10), "t12d010100");
}

TEST(ClientHelloParser, ServerNameExtension) {
  const uint8_t ext[] = {0x00, 0x08, 0x00, 0x00, 0x05, 'a', '.', 'b', 'c', 'd'};
  auto name = parse_server_name_extension(ext);
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "a.bcd");
  const uint8_t short_list[] = {0x00, 0x09, 0x00, 0x00, 0x05, 'a', '.', 'b', 'c', 'd'};
  EXPECT_FALSE(parse_server_name_extension(short_list).ok());
  const uint8_t empty_name[] = {0x00, 0x03, 0x00, 0x00, 0x00};
  EXPECT_FALSE(parse_server_name_extension(empty_name).ok());
}

}  // namespace
}  // namespace zs::tls
