// Written for the reference SDK (its header example): every response gets two headers,
// set through "zs.response.header.<name>" metadata.
#include <zeroserve.h>

ZS_ENTRY
int add_header(void) {
  zs_meta_set(ZS_STR("zs.response.header.x-frame-options"), ZS_STR("DENY"));
  zs_meta_set(ZS_STR("zs.response.header.x-served-by"), ZS_STR("zeroserve script"));
  return 0;
}
