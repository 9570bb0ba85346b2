// /abort: no response at all (h1: the connection closes; h2: the stream is reset).
// /respond-twice: the last zs_respond wins; /respond-cleared: a cleared response lets the
// request go on to the static lookup (plain.txt).
#include <zeroserve.h>

ZS_ENTRY
zs_u64 abort_and_slots(void) {
  char path[32];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/abort") == 0) {
    zs_respond(200, ZS_STR("never sent"));
    zs_abort();
  } else if (zs_strcmp(path, "/respond-twice") == 0) {
    zs_respond(201, ZS_STR("first"));
    char pending[4];
    zs_utoa10((unsigned)zs_response_pending(), pending, sizeof(pending));
    zs_meta_set(ZS_STR("zs.response.header.x-pending"), ZS_STR(pending));
    zs_respond(202, ZS_STR("second"));
  } else if (zs_strcmp(path, "/plain.txt") == 0 &&
             zs_req_query_param_matches(ZS_STR("cleared"), ZS_STR("*")) == 1) {
    zs_respond(500, ZS_STR("dropped"));
    zs_response_clear();
    char pending[4];
    zs_utoa10((unsigned)zs_response_pending(), pending, sizeof(pending));
    zs_meta_set(ZS_STR("zs.response.header.x-pending"), ZS_STR(pending));
  }
  return 0;
}
