// /rl?key=K: one token from bucket K (3 per second, 5 per minute); answers the verdict.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 rate(void) {
  char path[8];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/rl") != 0) return 0;
  char key[300];
  zs_s64 n = zs_req_query_param(ZS_STR("key"), key, sizeof(key));
  if (n >= (zs_s64)sizeof(key)) n = sizeof(key) - 1;
  zs_s64 verdict = zs_rate_limit(key, n, 3, 5, 0);
  char body[8];
  if (verdict < 0) {
    zs_strcpy(body, "-1");
  } else {
    zs_utoa10((unsigned)verdict, body, sizeof(body));
  }
  zs_respond(200, ZS_STR(body));
  return 0;
}
