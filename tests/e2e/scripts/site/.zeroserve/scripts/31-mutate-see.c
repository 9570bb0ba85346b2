// /hdr/*: answers with what 30-mutate left in the request.
#include <zeroserve.h>

static ZS_INLINE void field(zs_s64 doc, zs_s64 v, const char *key, const char *header) {
  char value[64];
  zs_req_header(header, zs_strlen(header), value, sizeof(value));
  zs_json_set_string(v, ZS_STR(value));
  zs_json_set(doc, key, zs_strlen(key), v);
}

ZS_ENTRY
zs_u64 mutate_see(void) {
  char path[32];
  zs_req_path(path, sizeof(path));
  if (zs_strncmp(path, "/hdr/", 5) != 0) return 0;
  zs_s64 doc = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  field(doc, v, "added", "x-added");
  field(doc, v, "multi", "X-Multi");
  field(doc, v, "drop", "x-drop-me");
  field(doc, v, "drop2", "x-dropped-too");
  field(doc, v, "keep", "x-keep");
  field(doc, v, "empty", "x-empty");
  zs_json_respond(200, doc);
  return 0;
}
