// A standalone script (`zeroserve hello.c`): answers /hello, everything else is a 404.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 hello(void) {
  char path[16];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/hello") != 0) return 0;
  zs_meta_set(ZS_STR("zs.response.header.content-type"), ZS_STR("text/plain; charset=utf-8"));
  zs_respond(200, ZS_STR("hello from a standalone script\n"));
  return 0;
}
