// /json/build: builds, navigates, mutates and reads JSON; /json/body: the request body;
// /json/static: zs_load_static_json and zs_load_file_metadata from the site.
#include <zeroserve.h>

static ZS_INLINE void put_int(zs_s64 doc, zs_s64 v, const char *key, zs_s64 value) {
  zs_json_set_i64(v, value);
  zs_json_set(doc, key, zs_strlen(key), v);
}

static ZS_INLINE void build(void) {
  zs_s64 out = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  static const char kDoc[] = "{\"s\":\"str\",\"n\":-7,\"b\":true,\"z\":null,\"arr\":[10,20,30],\"o\":{\"k\":\"v\"}}";
  zs_s64 doc = zs_json_parse(kDoc, sizeof(kDoc) - 1);
  put_int(out, v, "parse_bad", zs_json_parse(ZS_STR("{bad")));
  put_int(out, v, "type_doc", zs_json_type(doc));
  put_int(out, v, "len_doc", zs_json_len(doc));
  zs_s64 s = zs_json_get(doc, ZS_STR("s"));
  char str[16];
  zs_json_read_string(s, str, sizeof(str));
  zs_json_set_string(v, ZS_STR(str));
  zs_json_set(out, ZS_STR("s"), v);
  put_int(out, v, "type_s", zs_json_type(s));
  put_int(out, v, "len_s", zs_json_len(s));
  zs_s64 n = zs_json_get(doc, ZS_STR("n"));
  zs_s64 num = 0;
  put_int(out, v, "read_n_ret", zs_json_read_i64(n, &num, 8));
  put_int(out, v, "n", num);
  zs_u8 flag = 0;
  put_int(out, v, "read_b_ret", zs_json_read_bool(zs_json_get(doc, ZS_STR("b")), &flag, 1));
  put_int(out, v, "b", flag);
  put_int(out, v, "type_z", zs_json_type(zs_json_get(doc, ZS_STR("z"))));
  put_int(out, v, "missing_key", zs_json_get(doc, ZS_STR("nope")));
  put_int(out, v, "read_string_of_number", zs_json_read_string(n, str, sizeof(str)));
  zs_s64 arr = zs_json_get(doc, ZS_STR("arr"));
  put_int(out, v, "arr_len", zs_json_len(arr));
  zs_json_read_i64(zs_json_array_get(arr, 2), &num, 8);
  put_int(out, v, "arr_2", num);
  put_int(out, v, "arr_out_of_range", zs_json_array_get(arr, 3));
  // Mutations through a cursor change the parent document.
  zs_json_set_i64(v, 40);
  put_int(out, v, "push_ret", zs_json_array_push(arr, v));
  zs_json_set_string(v, ZS_STR("twenty"));
  put_int(out, v, "array_set_ret", zs_json_array_set(arr, 1, v));
  put_int(out, v, "array_set_oob", zs_json_array_set(arr, 9, v));
  zs_s64 copy = zs_json_clone(doc);
  put_int(out, v, "remove_ret", zs_json_remove(doc, ZS_STR("z")));
  put_int(out, v, "remove_again", zs_json_remove(doc, ZS_STR("z")));
  zs_json_set_bool(zs_json_get(doc, ZS_STR("b")), 0);
  zs_json_set_null(zs_json_get(doc, ZS_STR("o")));
  zs_json_set(out, ZS_STR("doc"), doc);
  zs_json_set(out, ZS_STR("clone"), copy);
  // A cursor re-pointed at its document's root.
  zs_s64 cursor = zs_json_get(copy, ZS_STR("o"));
  put_int(out, v, "cursor_type", zs_json_type(cursor));
  put_int(out, v, "reset_ret", zs_json_reset(cursor));
  put_int(out, v, "reset_len", zs_json_len(cursor));
  zs_s64 empty_arr = zs_json_new_array();
  put_int(out, v, "new_array_len", zs_json_len(empty_arr));
  put_int(out, v, "set_on_array", zs_json_set(empty_arr, ZS_STR("k"), v));
  zs_object_free(empty_arr);
  zs_json_respond(200, out);
}

static ZS_INLINE void body(void) {
  zs_s64 in = zs_req_body_json();
  if (in < 0) {
    zs_meta_set(ZS_STR("zs.response.header.content-type"), ZS_STR("text/plain"));
    zs_respond(422, ZS_STR("no json body\n"));
    return;
  }
  zs_s64 out = zs_json_new_object();
  zs_json_set(out, ZS_STR("echo"), in);
  zs_s64 again = zs_req_body_json();  // cached: the same document again
  zs_s64 v = zs_json_new_object();
  put_int(out, v, "second_len", zs_json_len(again));
  zs_json_respond(201, out);
}

static ZS_INLINE void static_json(void) {
  zs_s64 out = zs_json_new_object();
  zs_s64 data = zs_load_static_json(ZS_STR("data.json"));
  zs_json_set(out, ZS_STR("data"), data);
  zs_s64 meta = zs_load_file_metadata(ZS_STR("plain.txt"));
  zs_json_set(out, ZS_STR("meta"), meta);
  zs_s64 v = zs_json_new_object();
  put_int(out, v, "missing_json", zs_load_static_json(ZS_STR("nope.json")));
  put_int(out, v, "leading_slash", zs_load_static_json(ZS_STR("/data.json")));
  put_int(out, v, "not_json", zs_load_static_json(ZS_STR("plain.txt")));
  put_int(out, v, "missing_meta", zs_load_file_metadata(ZS_STR("nope.txt")));
  zs_json_respond(200, out);
}

// /json/limit: the buffered-body limit lowered to 4 bytes.
static ZS_INLINE void limit(void) {
  zs_s64 out = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  put_int(out, v, "over", zs_req_body_limit(4));
  put_int(out, v, "body", zs_req_body_json());
  zs_json_respond(200, out);
}

// /json/empty: zero-length strings as a value, a key to look up and a key to set.
static ZS_INLINE void empty(void) {
  zs_s64 out = zs_json_new_object();
  zs_s64 v = zs_json_new_object();
  zs_json_set_string(v, "", 0);
  zs_json_set(out, ZS_STR("e"), v);
  put_int(out, v, "get_empty_key", zs_json_get(out, "", 0));
  zs_json_set_i64(v, 1);
  zs_json_set(out, "", 0, v);
  zs_json_respond(200, out);
}

ZS_ENTRY
zs_u64 json(void) {
  char path[32];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/json/build") == 0) build();
  else if (zs_strcmp(path, "/json/body") == 0) body();
  else if (zs_strcmp(path, "/json/static") == 0) static_json();
  else if (zs_strcmp(path, "/json/limit") == 0) limit();
  else if (zs_strcmp(path, "/json/empty") == 0) empty();
  return 0;
}
