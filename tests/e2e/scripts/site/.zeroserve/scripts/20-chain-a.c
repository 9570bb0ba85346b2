// /chain/*: first of three scripts appending to metadata "trail".
#include <zeroserve.h>

ZS_ENTRY
zs_u64 chain_a(void) {
  char path[32];
  zs_req_path(path, sizeof(path));
  if (zs_strncmp(path, "/chain/", 7) != 0) return 0;
  char trail[32];
  zs_s64 n = zs_meta_get(ZS_STR("trail"), trail, sizeof(trail) - 1);
  trail[n] = 'a';
  trail[n + 1] = 0;
  zs_meta_set(ZS_STR("trail"), ZS_STR(trail));
  zs_log(ZS_STR("a ran\n"));
  return 0;
}
