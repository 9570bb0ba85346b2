// Response hooks. ?hook=status: the response's status becomes 203 (input {"to": 203}).
// ?hook=header: the hook copies the response's Content-Type into X-Seen-Content-Type (via
// metadata) and X-Seen-Status. ?hook=fail: a hook changes the status to 299, then faults, and
// its change is rolled back; ?hook=negative: same, but returns -1. ?hook=missing: a hook of
// a function that does not exist is skipped. ?hook=clear: registered, then cleared.
#include <zeroserve.h>

ZS_CALL_ENTRY(set_status, input) {
  zs_s64 to = 0;
  zs_json_read_i64(zs_json_get(input, ZS_STR("to")), &to, 8);
  zs_res_set_status(to);
  return zs_json_new_object();
}

ZS_CALL_ENTRY(see, input) {
  char ct[64];
  zs_res_header(ZS_STR("content-type"), ct, sizeof(ct));
  zs_meta_set(ZS_STR("zs.response.header.x-seen-content-type"), ZS_STR(ct));
  char status[8];
  zs_utoa10((unsigned)zs_res_status(), status, sizeof(status));
  zs_meta_set(ZS_STR("zs.response.header.x-seen-status"), ZS_STR(status));
  return zs_json_new_object();
}

ZS_CALL_ENTRY(fail, input) {
  zs_res_set_status(299);
  volatile zs_u64 addr = 0x10;
  *(volatile char *)addr = 1;  // outside the stack: a memory fault
  return zs_json_new_object();
}

ZS_CALL_ENTRY(negative, input) {
  zs_res_set_status(299);
  return -1;
}

ZS_ENTRY
zs_u64 hooks(void) {
  char which[16];
  if (zs_req_query_param(ZS_STR("hook"), which, sizeof(which)) <= 0) return 0;
  zs_s64 in = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  zs_json_set_i64(v, 203);
  zs_json_set(in, ZS_STR("to"), v);
  if (zs_strcmp(which, "status") == 0) {
    zs_res_hook("", 0, ZS_STR("set_status"), in);
  } else if (zs_strcmp(which, "header") == 0) {
    zs_res_hook(ZS_STR("63-hooks"), ZS_STR("see"), in);
  } else if (zs_strcmp(which, "fail") == 0) {
    zs_res_hook("", 0, ZS_STR("fail"), in);
    zs_res_hook("", 0, ZS_STR("see"), in);
  } else if (zs_strcmp(which, "negative") == 0) {
    zs_res_hook("", 0, ZS_STR("negative"), in);
  } else if (zs_strcmp(which, "missing") == 0) {
    zs_res_hook("", 0, ZS_STR("nothing_here"), in);
    zs_res_hook("", 0, ZS_STR("set_status"), in);
  } else if (zs_strcmp(which, "clear") == 0) {
    zs_res_hook("", 0, ZS_STR("set_status"), in);
    zs_res_hooks_clear();
  }
  return 0;
}
