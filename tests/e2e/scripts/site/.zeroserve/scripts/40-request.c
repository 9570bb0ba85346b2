// /req/*: every request-reading helper, answered as one JSON object (insertion order).
#include <zeroserve.h>

static ZS_INLINE void put(zs_s64 doc, zs_s64 v, const char *key, const char *value) {
  zs_json_set_string(v, ZS_STR(value));
  zs_json_set(doc, key, zs_strlen(key), v);
}

static ZS_INLINE void put_int(zs_s64 doc, zs_s64 v, const char *key, zs_s64 value) {
  zs_json_set_i64(v, value);
  zs_json_set(doc, key, zs_strlen(key), v);
}

ZS_ENTRY
zs_u64 request_info(void) {
  char buf[96];
  zs_req_path(buf, sizeof(buf));
  if (zs_strncmp(buf, "/req/", 5) != 0) return 0;
  zs_s64 doc = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  zs_req_method(buf, sizeof(buf));
  put(doc, v, "method", buf);
  zs_req_path(buf, sizeof(buf));
  put(doc, v, "path", buf);
  zs_req_normalized_path(buf, sizeof(buf));
  put(doc, v, "normalized", buf);
  zs_req_uri(buf, sizeof(buf));
  put(doc, v, "uri", buf);
  zs_req_query(buf, sizeof(buf));
  put(doc, v, "query", buf);
  zs_req_query_param(ZS_STR("a"), buf, sizeof(buf));
  put(doc, v, "a", buf);
  zs_req_query_param(ZS_STR("b"), buf, sizeof(buf));
  put(doc, v, "b", buf);
  zs_req_query_param(ZS_STR("zz"), buf, sizeof(buf));
  put(doc, v, "missing_param", buf);
  put_int(doc, v, "a_has_2", zs_req_query_param_matches(ZS_STR("a"), ZS_STR("2")));
  put_int(doc, v, "a_has_3", zs_req_query_param_matches(ZS_STR("a"), ZS_STR("3")));
  put_int(doc, v, "b_present", zs_req_query_param_matches(ZS_STR("b"), ZS_STR("*")));
  put_int(doc, v, "zz_present", zs_req_query_param_matches(ZS_STR("zz"), ZS_STR("*")));
  zs_req_header(ZS_STR("X-Test"), buf, sizeof(buf));
  put(doc, v, "x_test", buf);
  zs_req_header(ZS_STR("x-absent"), buf, sizeof(buf));
  put(doc, v, "x_absent", buf);
  char small[5];
  put_int(doc, v, "truncated_len", zs_req_header(ZS_STR("x-test"), small, sizeof(small)));
  put(doc, v, "truncated", small);
  put_int(doc, v, "zero_len", zs_req_header(ZS_STR("x-test"), small, 0));
  zs_req_peer(buf, sizeof(buf));
  put(doc, v, "peer", buf);
  zs_req_scheme(buf, sizeof(buf));
  put(doc, v, "scheme", buf);
  put_int(doc, v, "major", zs_req_proto_major());
  put_int(doc, v, "minor", zs_req_proto_minor());
  put_int(doc, v, "tls", zs_req_is_tls());
  put_int(doc, v, "handshake", zs_req_tls_handshake_complete());
  zs_json_respond(200, doc);
  return 0;
}
