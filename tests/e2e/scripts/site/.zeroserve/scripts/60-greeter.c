// The reference's call example, callee side: greet({"name": N}) -> {"greeting": "Hello, N!"}.
#include <zeroserve.h>

ZS_CALL_ENTRY(greet, input) {
  char name[64];
  zs_s64 h = zs_json_get(input, ZS_STR("name"));
  if (h < 0 || zs_json_read_string(h, name, sizeof(name)) < 0) zs_strcpy(name, "stranger");
  char text[96];
  zs_strcpy(zs_stpcpy(zs_stpcpy(text, "Hello, "), name), "!");
  zs_s64 out = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  zs_json_set_string(v, ZS_STR(text));
  zs_json_set(out, ZS_STR("greeting"), v);
  return out;
}
