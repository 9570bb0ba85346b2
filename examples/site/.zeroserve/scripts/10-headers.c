// Middleware: security headers on every response (static files, script answers and errors).
// A "zs.response.header.<name>" metadata key sets that response header.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 headers(void) {
  zs_meta_set(ZS_STR("zs.response.header.x-content-type-options"), ZS_STR("nosniff"));
  zs_meta_set(ZS_STR("zs.response.header.referrer-policy"), ZS_STR("same-origin"));
  return 0;
}
