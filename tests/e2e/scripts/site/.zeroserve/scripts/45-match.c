// zs_req_remote_ip_matches and the two replace_header helpers.
// /match/ip-loopback, /match/ip-other, /match/ip-v6: "1" or "0" for fixed lists;
// /match/ip-bad: a malformed list (the script fails: 500).
// /match/replace: X-Token's "secret" becomes "***"; answers with the header as later seen.
// /match/regexp: "search_regexp" is refused (500).
// /plain.txt?hook=replace: a hook rewrites the static response's Content-Type.
#include <zeroserve.h>

ZS_CALL_ENTRY(rewrite, input) {
  zs_res_replace_header(ZS_STR("{\"name\":\"Content-Type\",\"search\":\"text/plain\",\"replace\":\"text/x-plain\"}"));
  return zs_json_new_object();
}

static ZS_INLINE void answer(zs_s64 v) { zs_respond(200, v ? "1" : "0", 1); }

ZS_ENTRY
zs_u64 match(void) {
  char path[32];
  zs_req_path(path, sizeof(path));
  char which[16];
  if (zs_req_query_param(ZS_STR("hook"), which, sizeof(which)) > 0 && zs_strcmp(which, "replace") == 0) {
    zs_res_hook("", 0, ZS_STR("rewrite"), zs_json_new_object());
    return 0;
  }
  if (zs_strcmp(path, "/match/ip-loopback") == 0) {
    answer(zs_req_remote_ip_matches(ZS_STR("[\"10.0.0.0/8\", \"127.0.0.0/8\"]")));
  } else if (zs_strcmp(path, "/match/ip-other") == 0) {
    answer(zs_req_remote_ip_matches(ZS_STR("[\"10.0.0.0/8\", \"192.168.1.1\", \"127.0.0.2/32\"]")));
  } else if (zs_strcmp(path, "/match/ip-v6") == 0) {
    answer(zs_req_remote_ip_matches(ZS_STR("[\"::1\", \"::ffff:127.0.0.1/128\"]")));
  } else if (zs_strcmp(path, "/match/ip-bad") == 0) {
    answer(zs_req_remote_ip_matches(ZS_STR("[\"127.0.0.1/33\"]")));
  } else if (zs_strcmp(path, "/match/replace") == 0) {
    zs_req_replace_header(ZS_STR("{\"name\":\"x-token\",\"search\":\"secret\",\"replace\":\"***\"}"));
    char v[64];
    zs_s64 n = zs_req_header(ZS_STR("x-token"), v, sizeof(v));
    zs_respond(200, v, n);
  } else if (zs_strcmp(path, "/match/regexp") == 0) {
    zs_req_replace_header(ZS_STR("{\"name\":\"x-token\",\"search_regexp\":\"s.*t\",\"replace\":\"\"}"));
    zs_respond(200, ZS_STR("unreachable"));
  }
  return 0;
}
