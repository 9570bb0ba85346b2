// --plugin p1.c: appends "1" to metadata "trail" on /chain/*; answers /plugin/stop itself.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 p1(void) {
  char path[32];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/plugin/stop") == 0) {
    zs_respond(200, ZS_STR("answered by the plugin"));
    return 0;
  }
  if (zs_strncmp(path, "/chain/", 7) != 0) return 0;
  char trail[32];
  zs_s64 n = zs_meta_get(ZS_STR("trail"), trail, sizeof(trail) - 1);
  trail[n] = '1';
  trail[n + 1] = 0;
  zs_meta_set(ZS_STR("trail"), ZS_STR(trail));
  return 0;
}
