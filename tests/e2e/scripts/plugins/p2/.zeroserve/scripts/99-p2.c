// A plugin tarball's script: appends "2" to metadata "trail" on /chain/* (its name sorts
// after every site script, yet it runs before them).
#include <zeroserve.h>

ZS_ENTRY
zs_u64 p2(void) {
  char path[32];
  zs_req_path(path, sizeof(path));
  if (zs_strncmp(path, "/chain/", 7) != 0) return 0;
  char trail[32];
  zs_s64 n = zs_meta_get(ZS_STR("trail"), trail, sizeof(trail) - 1);
  trail[n] = '2';
  trail[n + 1] = 0;
  zs_meta_set(ZS_STR("trail"), ZS_STR(trail));
  return 0;
}
