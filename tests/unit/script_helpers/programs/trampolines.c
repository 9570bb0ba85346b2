/* One entry per helper that forwards its registers unchanged, so the test drives every helper
 * from the host with any pointer it likes (scratch, stack-less, read-only data, garbage) while
 * the call still goes through the loader's name binding and the runtime's helper dispatch. */
#include "zeroserve.h"

#define T(name) ZS_SECTION("t." #name) zs_s64 t_##name
#define P(x) ((void *)(x))

/* The address of a string literal: read-only data, readable but not writable. */
T(rodata)(void) { return (zs_s64)(zs_u64) "read-only bytes in the program image"; }

T(getrandom)(zs_u64 a, zs_u64 b) { return zs_getrandom(P(a), b); }
T(sha256)(zs_u64 a, zs_u64 b, zs_u64 c, zs_u64 d) { return zs_sha256(P(a), b, P(c), d); }
T(hmac_sha256)(zs_u64 a, zs_u64 b, zs_u64 c, zs_u64 d, zs_u64 e) { return zs_hmac_sha256(P(a), b, P(c), d, P(e)); }
T(base64_encode)(zs_u64 a, zs_u64 b, zs_u64 c, zs_u64 d, zs_u64 e) { return zs_base64_encode(P(a), b, P(c), d, e); }
T(base64_decode)(zs_u64 a, zs_u64 b, zs_u64 c) { return zs_base64_decode_in_place(P(a), b, c); }
T(hex_encode)(zs_u64 a, zs_u64 b, zs_u64 c, zs_u64 d, zs_u64 e) { return zs_hex_encode(P(a), b, P(c), d, e); }
T(hex_decode)(zs_u64 a, zs_u64 b) { return zs_hex_decode_in_place(P(a), b); }

T(json_parse)(zs_u64 a, zs_u64 b) { return zs_json_parse(P(a), b); }
T(load_static_json)(zs_u64 a, zs_u64 b) { return zs_load_static_json(P(a), b); }
T(load_file_metadata)(zs_u64 a, zs_u64 b) { return zs_load_file_metadata(P(a), b); }
T(json_reset)(zs_u64 a) { return zs_json_reset(a); }
T(json_get)(zs_u64 a, zs_u64 b, zs_u64 c) { return zs_json_get(a, P(b), c); }
T(json_array_get)(zs_u64 a, zs_u64 b) { return zs_json_array_get(a, b); }
T(json_read_string)(zs_u64 a, zs_u64 b, zs_u64 c) { return zs_json_read_string(a, P(b), c); }
T(json_read_i64)(zs_u64 a, zs_u64 b, zs_u64 c) { return zs_json_read_i64(a, P(b), c); }
T(json_read_bool)(zs_u64 a, zs_u64 b, zs_u64 c) { return zs_json_read_bool(a, P(b), c); }
T(object_free)(zs_u64 a) { return zs_object_free(a); }
T(json_new_object)(void) { return zs_json_new_object(); }
T(json_new_array)(void) { return zs_json_new_array(); }
T(json_clone)(zs_u64 a) { return zs_json_clone(a); }
T(json_len)(zs_u64 a) { return zs_json_len(a); }
T(json_type)(zs_u64 a) { return zs_json_type(a); }
T(json_set)(zs_u64 a, zs_u64 b, zs_u64 c, zs_u64 d) { return zs_json_set(a, P(b), c, d); }
T(json_remove)(zs_u64 a, zs_u64 b, zs_u64 c) { return zs_json_remove(a, P(b), c); }
T(json_array_push)(zs_u64 a, zs_u64 b) { return zs_json_array_push(a, b); }
T(json_array_set)(zs_u64 a, zs_u64 b, zs_u64 c) { return zs_json_array_set(a, b, c); }
T(json_set_string)(zs_u64 a, zs_u64 b, zs_u64 c) { return zs_json_set_string(a, P(b), c); }
T(json_set_i64)(zs_u64 a, zs_u64 b) { return zs_json_set_i64(a, (zs_s64)b); }
T(json_set_bool)(zs_u64 a, zs_u64 b) { return zs_json_set_bool(a, b); }
T(json_set_null)(zs_u64 a) { return zs_json_set_null(a); }
T(json_respond)(zs_u64 a, zs_u64 b) { return zs_json_respond(a, b); }

T(rate_limit)(zs_u64 a, zs_u64 b, zs_u64 c, zs_u64 d, zs_u64 e) { return zs_rate_limit(P(a), b, c, d, e); }
