// A strict, bounded parser for the TLS ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2), written
// for fingerprinting (ja4.hh): it keeps the fields JA4 needs and validates every length it
// crosses. It is not a TLS implementation: OpenSSL remains the authority on whether a hello is
// acceptable; a hello this parser refuses simply gets no fingerprint. Pure: no I/O, no OpenSSL.
// Input may be the handshake message alone or the TLS records that carry it (reassembled here).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hh"

namespace zs::tls {

// Largest ClientHello handshake body accepted (the 4-byte handshake header excluded). Real
// hellos are 200 bytes to ~2 KiB (post-quantum key shares included); OpenSSL itself stops at
// 128 KiB. Anything larger is refused before it is copied.
inline constexpr size_t kMaxClientHelloBytes = 64 * 1024;

// Extension code points this layer looks inside (IANA "TLS ExtensionType Values").
inline constexpr uint16_t kExtServerName = 0x0000;
inline constexpr uint16_t kExtSignatureAlgorithms = 0x000d;
inline constexpr uint16_t kExtAlpn = 0x0010;
inline constexpr uint16_t kExtSupportedVersions = 0x002b;

// RFC 8701 GREASE values: 0x?A?A with both bytes equal (0x0a0a, 0x1a1a, ... 0xfafa).
constexpr bool is_grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

// The parts of a ClientHello the server looks at. Lists keep wire order and GREASE values
// (filtering is the fingerprint's business, not the parser's).
struct ClientHello {
  uint16_t legacy_version = 0;              // ClientHello.legacy_version (0x0303 for TLS 1.3)
  std::vector<uint16_t> cipher_suites;      // non-empty
  std::vector<uint16_t> extensions;         // extension types in wire order; no duplicates
  bool has_server_name = false;             // extension 0x0000 present
  std::string server_name;                  // first host_name entry of SNI; may be empty
  bool has_alpn = false;                    // extension 0x0010 present
  std::vector<std::string> alpn;            // protocol names in client order, each non-empty
  std::vector<uint16_t> supported_versions; // extension 0x002b, wire order
  std::vector<uint16_t> signature_algorithms;  // extension 0x000d, wire order
};

// Parses one ClientHello from `input`, which is either:
//   - a handshake message: msg_type 1 (client_hello), uint24 length, body; nothing may follow; or
//   - TLS plaintext records (first byte 22 = handshake, RFC 8446 §5.1): their fragments are
//     concatenated until the handshake message is complete (it may span records). The record
//     that completes it must end exactly there; records after it are ignored (they belong to
//     the rest of the connection).
// Strict: every vector length is checked against its enclosing length and its RFC bounds;
// duplicate extension types, trailing bytes inside the hello or an extension, record lengths of
// 0 or over 2^14, non-handshake records, and bodies over kMaxClientHelloBytes are errors.
// Error messages name the field and byte offset ("cipher_suites: odd length 3 at offset 41");
// "truncated" errors mean more input could complete the hello.
Result<ClientHello> parse_client_hello(std::span<const uint8_t> handshake_or_record);

// The first host_name of a server_name extension's data (RFC 6066 §3), as a view into `data`;
// used for certificate selection from OpenSSL's ClientHello callback. Same strictness as above.
Result<std::string_view> parse_server_name_extension(std::span<const uint8_t> data);

}  // namespace zs::tls
