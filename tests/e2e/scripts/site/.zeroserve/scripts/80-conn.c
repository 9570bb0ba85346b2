// /conn/info: zs_connection_info() as it is; /conn/ja4: the JA4 fingerprint alone.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 conn(void) {
  char path[16];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/conn/info") == 0) {
    zs_json_respond(200, zs_connection_info());
  } else if (zs_strcmp(path, "/conn/ja4") == 0) {
    zs_s64 info = zs_connection_info();
    char ja4[80];
    zs_s64 n = -1;
    zs_s64 fp = zs_json_get(info, ZS_STR("fingerprint"));
    zs_s64 h = fp >= 0 ? zs_json_get(fp, ZS_STR("ja4")) : -1;
    if (h >= 0) n = zs_json_read_string(h, ja4, sizeof(ja4));
    zs_meta_set(ZS_STR("zs.response.header.content-type"), ZS_STR("text/plain"));
    if (n < 0) zs_respond(200, ZS_STR("(none)"));
    else zs_respond(200, ZS_STR(ja4));
  }
  return 0;
}
