// /depth?n=N: N nested zs_call frames of nest(). The innermost answers {"deepest": its
// depth}; a frame whose call is refused answers {"refused_at": the depth it asked for}.
#include <zeroserve.h>

static ZS_INLINE zs_s64 frame(zs_s64 left, zs_s64 depth) {
  zs_s64 in = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  zs_json_set_i64(v, left);
  zs_json_set(in, ZS_STR("left"), v);
  zs_json_set_i64(v, depth);
  zs_json_set(in, ZS_STR("depth"), v);
  zs_object_free(v);
  return in;
}

ZS_CALL_ENTRY(nest, input) {
  zs_s64 left = 0, depth = 0;
  zs_json_read_i64(zs_json_get(input, ZS_STR("left")), &left, 8);
  zs_json_read_i64(zs_json_get(input, ZS_STR("depth")), &depth, 8);
  zs_s64 out = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  if (left <= 1) {
    zs_json_set_i64(v, depth);
    zs_json_set(out, ZS_STR("deepest"), v);
    return out;
  }
  zs_s64 r = zs_call(ZS_STR("62-depth"), ZS_STR("nest"), frame(left - 1, depth + 1));
  if (r < 0) {
    zs_json_set_i64(v, depth + 1);
    zs_json_set(out, ZS_STR("refused_at"), v);
    return out;
  }
  return r;
}

ZS_ENTRY
zs_u64 depth(void) {
  char path[8];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/depth") != 0) return 0;
  char digits[8];
  zs_req_query_param(ZS_STR("n"), digits, sizeof(digits));
  zs_s64 n = 0;
  for (int i = 0; i < 7 && digits[i] >= '0' && digits[i] <= '9'; i++) n = n * 10 + (digits[i] - '0');
  zs_s64 r = zs_call(ZS_STR("62-depth"), ZS_STR("nest"), frame(n, 1));
  if (r < 0) {
    zs_respond(502, ZS_STR("first call failed"));
    return 0;
  }
  zs_json_respond(200, r);
  return 0;
}
