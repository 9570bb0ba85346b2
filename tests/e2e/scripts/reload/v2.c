// Reload test, second version: /version answers "v2"; headers say which script answered.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 version(void) {
  char path[16];
  zs_req_path(path, sizeof(path));
  zs_meta_set(ZS_STR("zs.response.header.x-script"), ZS_STR("v2"));
  if (zs_strcmp(path, "/version") == 0) zs_respond(200, ZS_STR("v2"));
  return 0;
}
