// ?tpl: metadata "known" = "VALUE" for the <zs-meta> template pass.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 template_values(void) {
  if (zs_req_query_param_matches(ZS_STR("tpl"), ZS_STR("*")) == 1)
    zs_meta_set(ZS_STR("known"), ZS_STR("VALUE"));
  return 0;
}
