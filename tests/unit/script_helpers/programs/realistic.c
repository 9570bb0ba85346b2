/* Scripts as authors write them: buffers on the stack, strings in read-only data, results
 * checked in C. Each entry returns 0 on success or the number of the step that went wrong. */
#include "zeroserve.h"

/* Parses a literal, reads through cursors, builds a reply with a SHA-256 hex digest and
 * answers it with zs_json_respond. */
ZS_ENTRY zs_s64 build_reply(void) {
  static const char doc[] = "{\"items\":[10,20,30],\"user\":{\"name\":\"ada\",\"admin\":true}}";
  zs_s64 in = zs_json_parse(doc, sizeof doc - 1);
  if (in < 0) return 1;
  zs_s64 items = zs_json_get(in, ZS_STR("items"));
  if (items < 0) return 2;
  zs_s64 second = zs_json_array_get(items, 1);
  zs_s64 n = 0;
  if (second < 0 || zs_json_read_i64(second, &n, 8) != 8 || n != 20) return 3;
  zs_s64 user = zs_json_get(in, ZS_STR("user"));
  zs_s64 name = zs_json_get(user, ZS_STR("name"));
  char buf[16];
  if (zs_json_read_string(name, buf, sizeof buf) != 3 || buf[0] != 'a' || buf[3] != 0) return 4;
  zs_s64 admin = zs_json_get(user, ZS_STR("admin"));
  zs_u8 flag = 0;
  if (zs_json_read_bool(admin, &flag, 1) != 1 || flag != 1) return 5;

  zs_u8 digest[32];
  if (zs_sha256(ZS_STR("abc"), digest, sizeof digest) != 32) return 6;
  char hex[64];
  if (zs_hex_encode(digest, sizeof digest, hex, sizeof hex, ZS_HEX_LOWERCASE) != 64) return 7;

  zs_s64 out = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  if (out < 0 || v < 0) return 8;
  if (zs_json_set_string(v, hex, sizeof hex) != 0 || zs_json_set(out, ZS_STR("sha"), v) != 0) return 9;
  if (zs_json_set_i64(v, n * 2) != 0 || zs_json_set(out, ZS_STR("double"), v) != 0) return 10;
  if (zs_json_set(out, ZS_STR("user"), user) != 0) return 11;
  /* Mutating through a cursor changes the parsed document, not the copy stored in out. */
  if (zs_json_set_string(name, ZS_STR("bob")) != 0) return 12;
  if (zs_json_read_string(name, buf, sizeof buf) != 3 || buf[0] != 'b') return 13;
  zs_object_free(v);
  zs_json_respond(201, out);
  return 0;
}

/* Base64 round trip of a stack buffer in the URL alphabet. */
ZS_SECTION("zeroserve.call.base64") zs_s64 base64_round_trip(void) {
  zs_u8 data[5] = {0xfb, 0xff, 0x00, 0x41, 0x7e};
  char enc[8];
  zs_s64 need = zs_base64_encode(data, sizeof data, enc, 0, ZS_BASE64_URL_NO_PAD);
  if (need != 7) return 1;
  if (zs_base64_encode(data, sizeof data, enc, sizeof enc, ZS_BASE64_URL_NO_PAD) != 7) return 2;
  if (enc[0] != '-' || enc[1] != '_') return 3;
  if (zs_base64_decode_in_place(enc, 7, ZS_BASE64_URL_NO_PAD) != 5) return 4;
  for (int i = 0; i < 5; i++)
    if ((zs_u8)enc[i] != data[i]) return 5;
  return 0;
}

/* Writing a helper's output into read-only data must end the script, not the server. */
ZS_SECTION("zeroserve.call.write_rodata") zs_s64 write_rodata(void) {
  static const char target[32] = "constant";
  return zs_sha256(ZS_STR("abc"), (void *)target, 32);
}
