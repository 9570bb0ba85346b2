// JA4 TLS client fingerprint (FoxIO JA4 specification, technical_details/JA4.md in
// github.com/FoxIO-LLC/ja4, BSD 3-Clause) computed from a parsed ClientHello (client_hello.hh).
// Only the TLS-over-TCP form ("t...") is produced: zeroserve has no QUIC or DTLS listener.
// Relies on OpenSSL's SHA-256. Pure apart from that; allocation only in ja4_raw().
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "tls/client_hello.hh"

namespace zs::tls {

// A JA4 fingerprint is always 36 characters: "t13d1516h2_8daaf6152771_e5627efa2ab1".
inline constexpr size_t kJa4Length = 36;

struct Ja4 {
  std::array<char, kJa4Length> chars{};
  std::string_view view() const { return {chars.data(), chars.size()}; }
};

// The fingerprint, by the spec's rules:
//   a) 't'; version: the highest non-GREASE value of supported_versions if that extension is
//      present and holds one, else legacy_version; 0x0304 "13", 0x0303 "12", 0x0302 "11",
//      0x0301 "10", 0x0300 "s3", 0x0002 "s2", 0xfeff "d1", 0xfefd "d2", 0xfefc "d3", other "00";
//      'd' if the server_name extension is present else 'i'; two-digit counts (capped at 99) of
//      non-GREASE cipher suites and of non-GREASE extensions (SNI and ALPN included); the first
//      and last characters of the first ALPN protocol ("00" with no ALPN), or, when either of
//      those bytes is not ASCII alphanumeric, the first and last characters of the protocol's
//      lowercase hex form.
//   b) first 12 hex digits of SHA-256 over the sorted non-GREASE cipher suites as 4-digit
//      lowercase hex joined by ','; "000000000000" when there are none.
//   c) likewise over the sorted non-GREASE extensions minus SNI (0000) and ALPN (0010), then,
//      if there are any, '_' and the non-GREASE signature algorithms in wire order;
//      "000000000000" when that extension list is empty.
Ja4 compute_ja4(const ClientHello& hello);

// The unhashed form (the spec's "JA4_r"): part a, then the two lists that b and c hash, e.g.
// "t13d1516h2_002f,0035,..._0005,000a,..._0403,0804,...". For logs and for tests.
std::string ja4_raw(const ClientHello& hello);

}  // namespace zs::tls
