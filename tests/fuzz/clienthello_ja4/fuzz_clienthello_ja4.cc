// Fuzzes zs::tls::parse_client_hello and compute_ja4. Invariants: an error has a message; a
// parsed hello has cipher suites, no duplicate extensions, non-empty ALPN names and SNI flags
// that agree with its extension list; its JA4 is 36 characters in the spec's shape and agrees
// with ja4_raw's first part; and a bare handshake message parses the same when re-wrapped in
// two TLS records (the record reassembly is a differential oracle for the direct path).
// Seeds: hand-built hellos (tests/unit/tls/ja4_test.cc), openssl s_client captures, junk.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "tls/client_hello.hh"
#include "tls/ja4.hh"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant failed: %s\n", what);
    std::abort();
  }
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

void check_hello(const zs::tls::ClientHello& h) {
  check(!h.cipher_suites.empty(), "cipher suites present");
  std::vector<uint16_t> ext = h.extensions;
  std::sort(ext.begin(), ext.end());
  check(std::adjacent_find(ext.begin(), ext.end()) == ext.end(), "no duplicate extensions");
  const bool sni = std::find(ext.begin(), ext.end(), zs::tls::kExtServerName) != ext.end();
  check(sni == h.has_server_name, "SNI flag matches extensions");
  for (const auto& p : h.alpn) check(!p.empty(), "ALPN names non-empty");
  check(h.alpn.empty() || h.has_alpn, "ALPN values imply the extension");

  const zs::tls::Ja4 ja4 = zs::tls::compute_ja4(h);
  const std::string_view v = ja4.view();
  check(v.size() == zs::tls::kJa4Length, "JA4 length");
  check(v[0] == 't', "protocol t");
  check(v[3] == (h.has_server_name ? 'd' : 'i'), "SNI marker");
  check(is_digit(v[4]) && is_digit(v[5]) && is_digit(v[6]) && is_digit(v[7]), "counts");
  check(v[10] == '_' && v[23] == '_', "separators");
  for (size_t i = 11; i < v.size(); ++i) check(i == 23 || is_hex(v[i]), "hash hex");
  const std::string raw = zs::tls::ja4_raw(h);
  check(raw.compare(0, 11, v.substr(0, 11)) == 0, "raw and hashed share part a");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  auto hello = zs::tls::parse_client_hello(input);
  if (!hello) {
    check(!hello.error().message().empty(), "error has a message");
  } else {
    check_hello(*hello);
  }

  // Differential: a bare handshake message re-wrapped in two records. Only when the input does
  // not extend past the length its header declares: in record form, bytes after the message's
  // end belong to later records, which are (by design) not the parser's business.
  const size_t declared =
      size >= 4 ? 4 + (size_t{data[1]} << 16 | size_t{data[2]} << 8 | data[3]) : 0;
  if (size >= 4 && data[0] == 1 && size <= 2 * 16384 && declared >= size) {
    const size_t cut = size / 2;
    std::vector<uint8_t> records;
    for (auto [from, to] : {std::pair{size_t{0}, cut}, std::pair{cut, size}}) {
      const size_t n = to - from;
      const uint8_t header[] = {22, 3, 1, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
      records.insert(records.end(), header, header + 5);
      records.insert(records.end(), data + from, data + to);
    }
    auto again = zs::tls::parse_client_hello(records);
    check(again.ok() == hello.ok(), "record and handshake forms agree on validity");
    if (again.ok()) {
      check(zs::tls::ja4_raw(*again) == zs::tls::ja4_raw(*hello), "same fingerprint");
      check(again->server_name == hello->server_name, "same SNI");
    }
  }

  auto sni = zs::tls::parse_server_name_extension(input);
  if (sni) check(sni->size() <= size, "SNI view inside input");
  return 0;
}
