// /codec: SHA-256, HMAC-SHA256, base64 in its four alphabets, hex (both cases), decoding.
#include <zeroserve.h>

static ZS_INLINE void put(zs_s64 doc, zs_s64 v, const char *key, const char *value, zs_u64 len) {
  zs_json_set_string(v, value, len);
  zs_json_set(doc, key, zs_strlen(key), v);
}

static ZS_INLINE void put_int(zs_s64 doc, zs_s64 v, const char *key, zs_s64 value) {
  zs_json_set_i64(v, value);
  zs_json_set(doc, key, zs_strlen(key), v);
}

ZS_ENTRY
zs_u64 codec(void) {
  char path[16];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/codec") != 0) return 0;
  zs_s64 out = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  unsigned char digest[32];
  char text[72];
  put_int(out, v, "sha_ret", zs_sha256(ZS_STR("abc"), digest, sizeof(digest)));
  zs_s64 n = zs_hex_encode(digest, 32, text, sizeof(text), ZS_HEX_LOWERCASE);
  put(out, v, "sha256_abc", text, n);
  put_int(out, v, "hmac_ret", zs_hmac_sha256(ZS_STR("key"), ZS_STR("message"), digest));
  n = zs_hex_encode(digest, 32, text, sizeof(text), ZS_HEX_UPPERCASE);
  put(out, v, "hmac_upper", text, n);
  // Bytes whose base64 needs '+' and '/' (or '-' and '_') and padding.
  static const unsigned char kRaw[] = {0xfb, 0xff, 0xbf, 0x00, 0x3e};
  put_int(out, v, "b64_required", zs_base64_encode(kRaw, sizeof(kRaw), text, 0, ZS_BASE64_STANDARD));
  n = zs_base64_encode(kRaw, sizeof(kRaw), text, sizeof(text), ZS_BASE64_STANDARD);
  put(out, v, "b64_std", text, n);
  n = zs_base64_encode(kRaw, sizeof(kRaw), text, sizeof(text), ZS_BASE64_STANDARD_NO_PAD);
  put(out, v, "b64_std_nopad", text, n);
  n = zs_base64_encode(kRaw, sizeof(kRaw), text, sizeof(text), ZS_BASE64_URL);
  put(out, v, "b64_url", text, n);
  n = zs_base64_encode(kRaw, sizeof(kRaw), text, sizeof(text), ZS_BASE64_URL_NO_PAD);
  put(out, v, "b64_url_nopad", text, n);
  char dec[24];
  zs_strcpy(dec, "aGVsbG8gd29ybGQ=");
  n = zs_base64_decode_in_place(dec, 16, ZS_BASE64_STANDARD);
  put_int(out, v, "b64_decoded_len", n);
  put(out, v, "b64_decoded", dec, n > 0 ? n : 0);
  zs_strcpy(dec, "-_-_AD4");
  n = zs_base64_decode_in_place(dec, 7, ZS_BASE64_URL_NO_PAD);
  zs_s64 hn = zs_hex_encode(dec, n > 0 ? n : 0, text, sizeof(text), ZS_HEX_LOWERCASE);
  put(out, v, "b64_url_nopad_decoded_hex", text, hn);
  zs_strcpy(dec, "!!!!");
  put_int(out, v, "b64_invalid", zs_base64_decode_in_place(dec, 4, ZS_BASE64_STANDARD));
  zs_strcpy(dec, "4869210a");
  n = zs_hex_decode_in_place(dec, 8);
  put(out, v, "hex_decoded", dec, n > 0 ? n : 0);
  zs_strcpy(dec, "abc");
  put_int(out, v, "hex_odd", zs_hex_decode_in_place(dec, 3));
  zs_strcpy(dec, "zz");
  put_int(out, v, "hex_bad", zs_hex_decode_in_place(dec, 2));
  put_int(out, v, "hex_required", zs_hex_encode(kRaw, sizeof(kRaw), text, 0, ZS_HEX_LOWERCASE));
  unsigned char rnd[16];
  zs_memset(rnd, 0, sizeof(rnd));
  put_int(out, v, "random_ret", zs_getrandom(rnd, sizeof(rnd)));
  n = zs_hex_encode(rnd, sizeof(rnd), text, sizeof(text), ZS_HEX_LOWERCASE);
  put(out, v, "random_hex", text, n);
  // Memory helpers.
  char a[8], b[8];
  zs_memset(a, 'x', sizeof(a));
  zs_memcpy(b, a, sizeof(b));
  b[7] = 'y';
  put_int(out, v, "memcmp_equal", zs_memcmp(a, b, 7));
  put_int(out, v, "memcmp_less", zs_memcmp(a, b, 8) < 0);
  put(out, v, "memcpy", b, 8);
  zs_json_respond(200, out);
  return 0;
}
