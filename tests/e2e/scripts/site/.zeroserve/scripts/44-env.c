// /env: zs_env_get, zs_version, zs_now_ms; /log: zs_log with bytes that are not printable.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 env(void) {
  char path[8];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/log") == 0) {
    static const char kLine[] = "tab\there \x01 caf\xc3\xa9 end\nsecond line\n";
    zs_log(kLine, sizeof(kLine) - 1);
    zs_log(ZS_STR("no newline at the end"));
    zs_respond(204, "", 0);
    return 0;
  }
  if (zs_strcmp(path, "/env") != 0) return 0;
  zs_s64 out = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  char buf[64];
  zs_env_get(ZS_STR("ZS_SCRIPT_TEST_VAR"), buf, sizeof(buf));
  zs_json_set_string(v, ZS_STR(buf));
  zs_json_set(out, ZS_STR("var"), v);
  zs_env_get(ZS_STR("ZS_SCRIPT_TEST_UNSET"), buf, sizeof(buf));
  zs_json_set_string(v, ZS_STR(buf));
  zs_json_set(out, ZS_STR("unset"), v);
  zs_version(buf, sizeof(buf));
  zs_json_set_string(v, ZS_STR(buf));
  zs_json_set(out, ZS_STR("version"), v);
  zs_json_set_i64(v, (zs_s64)zs_now_ms());
  zs_json_set(out, ZS_STR("now_ms"), v);
  zs_json_respond(200, out);
  return 0;
}
