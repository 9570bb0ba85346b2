// GET /health: a JSON status document built with the JSON helpers.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 health(void) {
  char path[16];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/health") != 0) return 0;

  char version[32];
  zs_version(version, sizeof(version));

  zs_s64 doc = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  zs_json_set_string(v, ZS_STR("ok"));
  zs_json_set(doc, ZS_STR("status"), v);
  zs_json_set_string(v, ZS_STR(version));
  zs_json_set(doc, ZS_STR("version"), v);
  zs_json_set_i64(v, (zs_s64)zs_now_ms());
  zs_json_set(doc, ZS_STR("time_ms"), v);
  zs_json_respond(200, doc);
  return 0;
}
