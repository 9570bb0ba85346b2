// Request mutation: /rewrite-me serves /target.txt; POST /method-me becomes GET /plain.txt;
// /hdr/* sets, appends and deletes request headers for 31-mutate-see.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 mutate(void) {
  char path[32];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/rewrite-me") == 0) {
    zs_req_set_uri(ZS_STR("/target.txt"));
  } else if (zs_strcmp(path, "/method-me") == 0) {
    zs_req_set_method(ZS_STR("GET"));
    zs_req_set_uri(ZS_STR("/plain.txt?from=method-me"));
  } else if (zs_strncmp(path, "/hdr/", 5) == 0) {
    zs_req_set_header(ZS_STR("X-Added"), ZS_STR("from-30"));
    zs_req_append_header(ZS_STR("x-multi"), ZS_STR("two"));
    zs_req_delete_header(ZS_STR("x-drop*"));
    zs_req_set_header(ZS_STR("x-empty"), "", 0);
  }
  return 0;
}
