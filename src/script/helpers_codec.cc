// The crypto and encoding helpers (zeroserve-behavior.md §4b rows 5-11): random bytes,
// SHA-256, HMAC-SHA256 (OpenSSL libcrypto), base64 in the four SDK alphabets and hex.
// Decoders are strict (RFC 4648 §3.3, §3.5: no foreign characters, canonical padding, zero
// trailing bits) and work in place. Guest memory goes only through guest.hh.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <climits>
#include <cstring>
#include <string>

#include "script/guest.hh"
#include "script/helper_groups.hh"

namespace zs::script {
namespace {

using ebpf::InvocationContext;

constexpr uint64_t kSoftError = static_cast<uint64_t>(-1);
constexpr uint64_t kDigestBytes = 32;

// §4a: an output region may not overlap any input region of the same call.
bool overlap(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len) {
  return a_len != 0 && b_len != 0 && a < b + b_len && b < a + a_len;
}

uint64_t getrandom_helper(uint64_t out, uint64_t out_len, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  auto buf = guest_out(ctx, out, out_len, "zs_getrandom: out");
  if (!buf) return 0;
  for (size_t done = 0; done < buf->size();) {
    const int n = static_cast<int>(std::min<size_t>(buf->size() - done, INT_MAX));
    if (RAND_bytes(buf->data() + done, n) != 1) return ctx.fail("zs_getrandom: the system random source failed");
    done += static_cast<size_t>(n);
  }
  return out_len;
}

uint64_t sha256_helper(uint64_t data, uint64_t len, uint64_t out, uint64_t out_len, uint64_t,
                       InvocationContext& ctx) {
  if (out_len != kDigestBytes) return ctx.fail("zs_sha256: out_len must be 32, got " + std::to_string(out_len));
  auto in = guest_in(ctx, data, len, "zs_sha256: data");
  if (!in) return 0;
  if (overlap(data, len, out, out_len)) return ctx.fail("zs_sha256: out overlaps data");
  auto buf = guest_out(ctx, out, out_len, "zs_sha256: out");
  if (!buf) return 0;
  if (EVP_Digest(in->data(), in->size(), buf->data(), nullptr, EVP_sha256(), nullptr) != 1)
    return ctx.fail("zs_sha256: digest failed");
  return kDigestBytes;
}

uint64_t hmac_sha256_helper(uint64_t key, uint64_t key_len, uint64_t msg, uint64_t msg_len, uint64_t out,
                            InvocationContext& ctx) {
  auto k = guest_in(ctx, key, key_len, "zs_hmac_sha256: key");
  if (!k) return 0;
  auto m = guest_in(ctx, msg, msg_len, "zs_hmac_sha256: msg");
  if (!m) return 0;
  if (overlap(key, key_len, out, kDigestBytes) || overlap(msg, msg_len, out, kDigestBytes))
    return ctx.fail("zs_hmac_sha256: out overlaps an input");
  auto buf = guest_out(ctx, out, kDigestBytes, "zs_hmac_sha256: out");
  if (!buf) return 0;
  if (k->size() > INT_MAX) return ctx.fail("zs_hmac_sha256: key too long");
  // HMAC() accepts an empty key only with a non-null pointer on some OpenSSL versions.
  static const unsigned char kEmpty = 0;
  const void* key_bytes = k->empty() ? &kEmpty : static_cast<const void*>(k->data());
  unsigned int n = 0;
  if (HMAC(EVP_sha256(), key_bytes, static_cast<int>(k->size()), reinterpret_cast<const unsigned char*>(m->data()),
           m->size(), buf->data(), &n) == nullptr ||
      n != kDigestBytes)
    return ctx.fail("zs_hmac_sha256: hmac failed");
  return kDigestBytes;
}

// ---- Base64 (RFC 4648 §4 standard, §5 URL-safe; with or without '=' padding) ---------------

struct Base64Alphabet {
  char c62, c63;
  bool pad;
};
constexpr Base64Alphabet kAlphabets[] = {{'+', '/', true}, {'+', '/', false}, {'-', '_', true}, {'-', '_', false}};

uint64_t base64_encoded_len(uint64_t n, bool pad) {
  const uint64_t full = n / 3 * 4;
  if (n % 3 == 0) return full;
  return full + (pad ? 4 : n % 3 + 1);
}

char base64_char(uint32_t v, const Base64Alphabet& a) {
  if (v < 26) return static_cast<char>('A' + v);
  if (v < 52) return static_cast<char>('a' + v - 26);
  if (v < 62) return static_cast<char>('0' + v - 52);
  return v == 62 ? a.c62 : a.c63;
}

// The 6-bit value of `c`, or -1 if `c` is not in the alphabet.
int base64_value(unsigned char c, const Base64Alphabet& a) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == static_cast<unsigned char>(a.c62)) return 62;
  if (c == static_cast<unsigned char>(a.c63)) return 63;
  return -1;
}

void base64_encode(std::string_view in, uint8_t* out, const Base64Alphabet& a) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t i = 0, o = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    for (int s = 18; s >= 0; s -= 6) out[o++] = static_cast<uint8_t>(base64_char((v >> s) & 63, a));
  }
  const size_t rest = in.size() - i;
  if (rest == 0) return;
  uint32_t v = uint32_t{p[i]} << 16;
  if (rest == 2) v |= uint32_t{p[i + 1]} << 8;
  out[o++] = static_cast<uint8_t>(base64_char((v >> 18) & 63, a));
  out[o++] = static_cast<uint8_t>(base64_char((v >> 12) & 63, a));
  if (rest == 2) out[o++] = static_cast<uint8_t>(base64_char((v >> 6) & 63, a));
  if (a.pad) {
    out[o++] = '=';
    if (rest == 1) out[o++] = '=';
  }
}

// Decodes buf in place (output never overtakes input); the decoded length or -1.
int64_t base64_decode(std::span<uint8_t> buf, const Base64Alphabet& a) {
  size_t len = buf.size();
  if (a.pad) {
    if (len % 4 != 0) return -1;
    if (len >= 1 && buf[len - 1] == '=') --len;
    if (len >= 1 && buf[len - 1] == '=') --len;
  }
  if (len % 4 == 1) return -1;  // one symbol alone carries only 6 bits
  // Validate everything first so that invalid input leaves the buffer untouched. '=' anywhere
  // but the end is not in the alphabet; a final group of 2 or 3 symbols must leave its unused
  // low bits zero (canonical encoding, RFC 4648 §3.5).
  for (size_t i = 0; i < len; ++i) {
    if (base64_value(buf[i], a) < 0) return -1;
  }
  if (len % 4 == 2 && (base64_value(buf[len - 1], a) & 0xF) != 0) return -1;
  if (len % 4 == 3 && (base64_value(buf[len - 1], a) & 0x3) != 0) return -1;
  size_t o = 0;
  uint32_t acc = 0;
  for (size_t i = 0; i < len; ++i) {
    acc = (acc << 6) | static_cast<uint32_t>(base64_value(buf[i], a));
    if (i % 4 == 3) {
      buf[o++] = static_cast<uint8_t>(acc >> 16);
      buf[o++] = static_cast<uint8_t>(acc >> 8);
      buf[o++] = static_cast<uint8_t>(acc);
      acc = 0;
    }
  }
  switch (len % 4) {
    case 2:
      buf[o++] = static_cast<uint8_t>(acc >> 4);
      break;
    case 3:
      buf[o++] = static_cast<uint8_t>(acc >> 10);
      buf[o++] = static_cast<uint8_t>(acc >> 2);
      break;
    default:
      break;
  }
  return static_cast<int64_t>(o);
}

uint64_t base64_encode_helper(uint64_t data, uint64_t len, uint64_t out, uint64_t out_len, uint64_t encoding,
                              InvocationContext& ctx) {
  if (encoding >= std::size(kAlphabets))
    return ctx.fail("zs_base64_encode: unknown encoding " + std::to_string(encoding));
  const Base64Alphabet& a = kAlphabets[encoding];
  auto in = guest_in(ctx, data, len, "zs_base64_encode: data");
  if (!in) return 0;
  const uint64_t need = base64_encoded_len(len, a.pad);
  if (out_len == 0) return need;
  if (out_len < need)
    return ctx.fail("zs_base64_encode: out_len " + std::to_string(out_len) + " < " + std::to_string(need) + " needed");
  if (overlap(data, len, out, need)) return ctx.fail("zs_base64_encode: out overlaps data");
  auto buf = guest_out(ctx, out, need, "zs_base64_encode: out");
  if (!buf) return 0;
  base64_encode(*in, buf->data(), a);
  return need;
}

uint64_t base64_decode_helper(uint64_t ptr, uint64_t len, uint64_t encoding, uint64_t, uint64_t,
                              InvocationContext& ctx) {
  if (encoding >= std::size(kAlphabets))
    return ctx.fail("zs_base64_decode_in_place: unknown encoding " + std::to_string(encoding));
  auto buf = guest_out(ctx, ptr, len, "zs_base64_decode_in_place: buf");
  if (!buf) return 0;
  return static_cast<uint64_t>(base64_decode(*buf, kAlphabets[encoding]));
}

// ---- Hex ------------------------------------------------------------------------------------

int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

uint64_t hex_encode_helper(uint64_t data, uint64_t len, uint64_t out, uint64_t out_len, uint64_t case_flag,
                           InvocationContext& ctx) {
  if (case_flag > 1) return ctx.fail("zs_hex_encode: unknown case " + std::to_string(case_flag));
  auto in = guest_in(ctx, data, len, "zs_hex_encode: data");
  if (!in) return 0;
  const uint64_t need = len * 2;
  if (out_len == 0) return need;
  if (out_len < need)
    return ctx.fail("zs_hex_encode: out_len " + std::to_string(out_len) + " < " + std::to_string(need) + " needed");
  if (overlap(data, len, out, need)) return ctx.fail("zs_hex_encode: out overlaps data");
  auto buf = guest_out(ctx, out, need, "zs_hex_encode: out");
  if (!buf) return 0;
  const char* digits = case_flag == 1 ? "0123456789ABCDEF" : "0123456789abcdef";
  for (size_t i = 0; i < in->size(); ++i) {
    const auto b = static_cast<uint8_t>((*in)[i]);
    (*buf)[2 * i] = static_cast<uint8_t>(digits[b >> 4]);
    (*buf)[2 * i + 1] = static_cast<uint8_t>(digits[b & 15]);
  }
  return need;
}

uint64_t hex_decode_helper(uint64_t ptr, uint64_t len, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  auto buf = guest_out(ctx, ptr, len, "zs_hex_decode_in_place: buf");
  if (!buf) return 0;
  if (len % 2 != 0) return kSoftError;
  // Validate first so that invalid input leaves the buffer untouched.
  for (uint8_t c : *buf) {
    if (hex_value(c) < 0) return kSoftError;
  }
  for (size_t i = 0; i < len / 2; ++i)
    (*buf)[i] = static_cast<uint8_t>(hex_value((*buf)[2 * i]) << 4 | hex_value((*buf)[2 * i + 1]));
  return len / 2;
}

constexpr NamedHelper kCodecHelpers[] = {
    {"zs_getrandom", getrandom_helper},
    {"zs_sha256", sha256_helper},
    {"zs_hmac_sha256", hmac_sha256_helper},
    {"zs_base64_encode", base64_encode_helper},
    {"zs_base64_decode_in_place", base64_decode_helper},
    {"zs_hex_encode", hex_encode_helper},
    {"zs_hex_decode_in_place", hex_decode_helper},
};

}  // namespace

Result<void> add_codec_helpers(ebpf::HelperTable& table) { return add_helpers(table, kCodecHelpers); }

}  // namespace zs::script
