// ?mh: a metadata response header on whatever answers the request (static, script, error).
// ?ct: also replaces Content-Type.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 meta_headers(void) {
  if (zs_req_query_param_matches(ZS_STR("mh"), ZS_STR("*")) == 1)
    zs_meta_set(ZS_STR("zs.response.header.x-meta"), ZS_STR("on"));
  if (zs_req_query_param_matches(ZS_STR("ct"), ZS_STR("*")) == 1)
    zs_meta_set(ZS_STR("zs.response.header.content-type"), ZS_STR("text/x-custom"));
  return 0;
}
