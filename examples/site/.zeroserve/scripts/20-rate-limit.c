// Rate limiter: each client may call /api/ at most 20 times a second and 600 times a minute.
// Buckets are keyed by the client's IP address and shared by every worker thread.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 rate_limit(void) {
  char path[8];
  zs_req_path(path, sizeof(path));
  if (zs_strncmp(path, "/api/", 5) != 0) return 0;

  // "ip:port" -> "ip": the port changes with every connection.
  char peer[64];
  zs_s64 n = zs_req_peer(peer, sizeof(peer));
  for (zs_s64 i = n - 1; i > 0; i--) {
    if (peer[i] == ':') {
      peer[i] = 0;
      break;
    }
  }
  char key[80];
  zs_strcpy(zs_stpcpy(key, "api:"), peer);  // 4 + at most 63 bytes + NUL

  zs_s64 verdict = zs_rate_limit(ZS_STR(key), 20, 600, 0);
  if (verdict != ZS_RATE_LIMIT_ALLOWED) {
    zs_meta_set(ZS_STR("zs.response.header.retry-after"), ZS_STR("1"));
    zs_meta_set(ZS_STR("zs.response.header.content-type"), ZS_STR("application/json"));
    zs_respond(429, ZS_STR("{\"error\":\"too many requests\"}"));
  }
  return 0;
}
