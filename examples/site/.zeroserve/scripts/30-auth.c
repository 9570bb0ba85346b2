// Auth gate: everything under /private/ needs "Authorization: Bearer <token>". Only the
// token's SHA-256 is in the site; the demo token is "let-me-in".
#include <zeroserve.h>

// sha256("let-me-in"), lowercase hex.
static const char kTokenSha256[] = "a3ee786b5707c27d42570785081ec17f5c7db9262a01366af362a1aa61a420b9";

ZS_ENTRY
zs_u64 auth(void) {
  char path[16];
  zs_req_path(path, sizeof(path));
  if (zs_strncmp(path, "/private", 8) != 0 || (path[8] != 0 && path[8] != '/')) return 0;

  char header[128];
  zs_s64 n = zs_req_header(ZS_STR("authorization"), header, sizeof(header));
  if (n > 7 && n < (zs_s64)sizeof(header) && zs_strncmp(header, "Bearer ", 7) == 0) {
    unsigned char digest[32];
    char hex[65];
    zs_sha256(header + 7, n - 7, digest, sizeof(digest));
    zs_hex_encode(digest, sizeof(digest), hex, 64, ZS_HEX_LOWERCASE);
    hex[64] = 0;
    if (zs_strcmp(hex, kTokenSha256) == 0) return 0;  // let the request through
  }
  zs_meta_set(ZS_STR("zs.response.header.www-authenticate"), ZS_STR("Bearer realm=\"example\""));
  zs_meta_set(ZS_STR("zs.response.header.content-type"), ZS_STR("text/plain; charset=utf-8"));
  zs_respond(401, ZS_STR("a valid bearer token is required\n"));
  return 0;
}
