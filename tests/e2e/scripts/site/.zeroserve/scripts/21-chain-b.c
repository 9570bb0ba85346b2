// /chain/*: appends "b"; /chain/short is answered here, so 22-chain-c never runs for it.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 chain_b(void) {
  char path[32];
  zs_req_path(path, sizeof(path));
  if (zs_strncmp(path, "/chain/", 7) != 0) return 0;
  char trail[32];
  zs_s64 n = zs_meta_get(ZS_STR("trail"), trail, sizeof(trail) - 1);
  trail[n] = 'b';
  trail[n + 1] = 0;
  zs_meta_set(ZS_STR("trail"), ZS_STR(trail));
  if (zs_strcmp(path, "/chain/short") == 0) {
    char body[48];
    zs_strcpy(zs_stpcpy(body, "short from b:"), trail);
    zs_respond(200, ZS_STR(body));
    zs_log(ZS_STR("b answered\n"));
  }
  return 0;
}
