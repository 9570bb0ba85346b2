// The reference's call example, caller side: /gateway?name=N answers the greeter's result,
// 502 {"error":"greeter call failed"} when the call fails (/gateway/missing calls a script
// that does not exist, /gateway/nofunc a function that does not exist).
#include <zeroserve.h>

ZS_ENTRY
zs_u64 gateway(void) {
  char path[32];
  zs_req_path(path, sizeof(path));
  if (zs_strncmp(path, "/gateway", 8) != 0) return 0;
  char name[64];
  zs_req_query_param(ZS_STR("name"), name, sizeof(name));
  zs_s64 in = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  zs_json_set_string(v, ZS_STR(name));
  zs_json_set(in, ZS_STR("name"), v);
  zs_s64 r;
  if (zs_strcmp(path, "/gateway/missing") == 0) r = zs_call(ZS_STR("59-nobody"), ZS_STR("greet"), in);
  else if (zs_strcmp(path, "/gateway/nofunc") == 0) r = zs_call(ZS_STR("60-greeter"), ZS_STR("wave"), in);
  else if (zs_strcmp(path, "/gateway/dot-o") == 0) r = zs_call(ZS_STR("60-greeter.o"), ZS_STR("greet"), in);
  else r = zs_call(ZS_STR("60-greeter"), ZS_STR("greet"), in);
  if (r < 0) {
    zs_s64 err = zs_json_new_object();
    zs_json_set_string(v, ZS_STR("greeter call failed"));
    zs_json_set(err, ZS_STR("error"), v);
    zs_json_respond(502, err);
    return 0;
  }
  zs_json_respond(200, r);
  return 0;
}
