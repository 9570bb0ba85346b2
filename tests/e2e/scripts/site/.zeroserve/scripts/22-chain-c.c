// /chain/*: appends "c", logs that it ran, answers /chain/order with the trail.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 chain_c(void) {
  char path[32];
  zs_req_path(path, sizeof(path));
  if (zs_strncmp(path, "/chain/", 7) != 0) return 0;
  char trail[32];
  zs_s64 n = zs_meta_get(ZS_STR("trail"), trail, sizeof(trail) - 1);
  trail[n] = 'c';
  trail[n + 1] = 0;
  zs_meta_set(ZS_STR("trail"), ZS_STR(trail));
  char line[64];
  zs_strcpy(zs_stpcpy(zs_stpcpy(line, "c ran on "), path), "\n");
  zs_log(ZS_STR(line));
  if (zs_strcmp(path, "/chain/order") == 0) {
    zs_meta_set(ZS_STR("zs.response.header.content-type"), ZS_STR("text/plain"));
    zs_respond(200, ZS_STR(trail));
  }
  return 0;
}
