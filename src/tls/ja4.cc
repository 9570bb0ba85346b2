// JA4 computation: the three parts as described in ja4.hh. The hashed lists are built once as
// text (the exact bytes the spec hashes) so ja4_raw() and compute_ja4() cannot disagree.
#include "tls/ja4.hh"

#include <openssl/sha.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace zs::tls {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr size_t kHashChars = 12;
constexpr size_t kPartALength = 10;

struct Parts {
  std::array<char, kPartALength> a{};
  std::string ciphers;     // hashed into part b
  std::string extensions;  // hashed into part c (with the signature algorithms)
  bool no_ciphers = true;
  bool no_extensions = true;
};

const char* version_code(uint16_t v) {
  switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    case 0xfeff: return "d1";
    case 0xfefd: return "d2";
    case 0xfefc: return "d3";
    default: return "00";
  }
}

bool is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

void append_hex16(std::string& out, uint16_t v) {
  if (!out.empty()) out.push_back(',');
  out.push_back(kHex[v >> 12]);
  out.push_back(kHex[(v >> 8) & 0xf]);
  out.push_back(kHex[(v >> 4) & 0xf]);
  out.push_back(kHex[v & 0xf]);
}

std::vector<uint16_t> without_grease(const std::vector<uint16_t>& in) {
  std::vector<uint16_t> out;
  out.reserve(in.size());
  for (uint16_t v : in) {
    if (!is_grease(v)) out.push_back(v);
  }
  return out;
}

void two_digits(char* out, size_t n) {
  n = std::min<size_t>(n, 99);
  out[0] = static_cast<char>('0' + n / 10);
  out[1] = static_cast<char>('0' + n % 10);
}

Parts build_parts(const ClientHello& hello) {
  Parts p;
  uint16_t version = hello.legacy_version;
  bool have_supported = false;
  for (uint16_t v : hello.supported_versions) {
    if (is_grease(v)) continue;
    if (!have_supported || v > version) version = v;
    have_supported = true;
  }
  const char* vc = version_code(version);

  std::vector<uint16_t> ciphers = without_grease(hello.cipher_suites);
  std::vector<uint16_t> extensions = without_grease(hello.extensions);

  p.a[0] = 't';
  p.a[1] = vc[0];
  p.a[2] = vc[1];
  p.a[3] = hello.has_server_name ? 'd' : 'i';
  two_digits(&p.a[4], ciphers.size());
  two_digits(&p.a[6], extensions.size());
  p.a[8] = '0';
  p.a[9] = '0';
  if (!hello.alpn.empty() && !hello.alpn.front().empty()) {
    const std::string& first = hello.alpn.front();
    const auto f = static_cast<unsigned char>(first.front());
    const auto l = static_cast<unsigned char>(first.back());
    if (is_alnum(f) && is_alnum(l)) {
      p.a[8] = static_cast<char>(f);
      p.a[9] = static_cast<char>(l);
    } else {
      // The spec's hex rule: first and last characters of the value's hex form, i.e. the high
      // nibble of the first byte and the low nibble of the last.
      p.a[8] = kHex[f >> 4];
      p.a[9] = kHex[l & 0xf];
    }
  }

  std::sort(ciphers.begin(), ciphers.end());
  for (uint16_t c : ciphers) append_hex16(p.ciphers, c);
  p.no_ciphers = ciphers.empty();

  std::erase_if(extensions, [](uint16_t e) { return e == kExtServerName || e == kExtAlpn; });
  std::sort(extensions.begin(), extensions.end());
  for (uint16_t e : extensions) append_hex16(p.extensions, e);
  p.no_extensions = extensions.empty();
  std::string sigs;
  for (uint16_t s : hello.signature_algorithms) {
    if (!is_grease(s)) append_hex16(sigs, s);
  }
  if (!sigs.empty()) {
    p.extensions.push_back('_');
    p.extensions += sigs;
  }
  return p;
}

void hash12(const std::string& text, bool empty_list, char* out) {
  if (empty_list) {
    std::fill(out, out + kHashChars, '0');
    return;
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  for (size_t i = 0; i < kHashChars / 2; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
}

}  // namespace

Ja4 compute_ja4(const ClientHello& hello) {
  const Parts p = build_parts(hello);
  Ja4 out;
  char* c = out.chars.data();
  std::copy(p.a.begin(), p.a.end(), c);
  c[kPartALength] = '_';
  hash12(p.ciphers, p.no_ciphers, c + kPartALength + 1);
  c[kPartALength + 1 + kHashChars] = '_';
  hash12(p.extensions, p.no_extensions, c + kPartALength + 2 + kHashChars);
  return out;
}

std::string ja4_raw(const ClientHello& hello) {
  const Parts p = build_parts(hello);
  std::string out(p.a.data(), p.a.size());
  out += '_';
  out += p.ciphers;
  out += '_';
  out += p.extensions;
  return out;
}

}  // namespace zs::tls
