/*
 * zeroserve.h: the C SDK for zeroserve request scripts.
 *
 * Scripts are compiled for eBPF at pack time (clang -O2 -target bpf -mcpu=v3 -c) and run on
 * every request inside zeroserve's sandbox. Helpers are bound by NAME when a script loads, so
 * the order of declarations here is not an ABI. The names, arguments and return conventions
 * follow the original zeroserve SDK, so scripts written for it compile unchanged.
 *
 * Conventions (docs/manual.md, "Scripting", has the full list):
 *   - Pointers must point into the script's stack or its read-only data; anything else ends
 *     the script with an error (the request gets a 500), never the server.
 *   - A negative return is a soft failure the script can handle; misuse (bad pointer, bad
 *     handle, empty metadata key, invalid header) is a hard failure that ends the script.
 *   - C-string outputs (out, out_len) write at most out_len-1 bytes plus a NUL and return
 *     min(full length, out_len): out_len 0 returns 0; a return equal to out_len means the value
 *     was truncated.
 *   - Missing values (header, query parameter, metadata key, env var) read as "".
 *   - Scripts have no writable globals: keep state on the stack, in metadata or in JSON handles.
 *
 * The header is self-contained (no libc); `zeroserve --dump-sdk` prints it.
 */
#ifndef ZEROSERVE_SDK_ZEROSERVE_H
#define ZEROSERVE_SDK_ZEROSERVE_H

typedef unsigned long long uint64_t;
typedef long long int64_t;
typedef unsigned int uint32_t;
typedef int int32_t;
typedef unsigned short uint16_t;
typedef short int16_t;
typedef unsigned char uint8_t;
typedef char int8_t;
typedef unsigned long size_t;
typedef long ssize_t;

typedef uint64_t zs_u64;
typedef int64_t zs_s64;
typedef uint32_t zs_u32;
typedef int32_t zs_s32;
typedef uint16_t zs_u16;
typedef int16_t zs_s16;
typedef uint8_t zs_u8;
typedef int8_t zs_s8;

/* A string literal or NUL-terminated buffer as the (pointer, length) pair helpers take. */
#define ZS_STR(s) (s), zs_strlen((s))
#define ZS_STR_WITH_NULL(s) (s), (zs_strlen((s)) + 1)

#define ZS_SECTION(name) __attribute__((section(name)))
/* The function run for every request, in chain order. Return 0. */
#define ZS_ENTRY ZS_SECTION("zeroserve.request")
/* Run once per TLS handshake in script-selected-certificate modes (not used by this build). */
#define ZS_TLS_ENTRY ZS_SECTION("zeroserve.tls")
#define ZS_INLINE __attribute__((always_inline))
#define ZS_MAYBE_UNUSED __attribute__((unused))
#define ZS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define ZS_MAX(a, b) ((a) > (b) ? (a) : (b))

/*
 * A function other scripts reach with zs_call() and response hooks with zs_res_hook(). It
 * lives in section "zeroserve.call.<name>", receives the caller's JSON value as a handle and
 * returns a JSON handle (negative = failure):
 *
 *   ZS_CALL_ENTRY(greet, input) {
 *     zs_s64 out = zs_json_new_object();
 *     ...
 *     return out;
 *   }
 */
#define ZS_CALL_ENTRY(name, input)                                  \
  static zs_s64 zs__call_body_##name(zs_s64 input);                 \
  ZS_SECTION("zeroserve.call." #name)                               \
  zs_s64 zs__call_entry_##name(zs_s64 *zs__call_input) {            \
    return zs__call_body_##name(*zs__call_input);                   \
  }                                                                 \
  static zs_s64 zs__call_body_##name(zs_s64 input)

/* A function run once when the scripts load (section "zeroserve.init.<name>"); returns a
 * JSON handle. Reserved for configuration hooks such as ACME; not invoked by this build. */
#define ZS_INIT_ENTRY(name) ZS_SECTION("zeroserve.init." #name) zs_s64 zs__init_entry_##name(void)

#define ZS_BASE64_STANDARD 0
#define ZS_BASE64_STANDARD_NO_PAD 1
#define ZS_BASE64_URL 2
#define ZS_BASE64_URL_NO_PAD 3

#define ZS_HEX_LOWERCASE 0
#define ZS_HEX_UPPERCASE 1

#define ZS_JSON_NULL 0
#define ZS_JSON_BOOL 1
#define ZS_JSON_NUMBER 2
#define ZS_JSON_STRING 3
#define ZS_JSON_ARRAY 4
#define ZS_JSON_OBJECT 5

#define ZS_RATE_LIMIT_ALLOWED 0
#define ZS_RATE_LIMIT_EXCEEDED_SECOND 1
#define ZS_RATE_LIMIT_EXCEEDED_MINUTE 2
#define ZS_RATE_LIMIT_EXCEEDED_HOUR 3
#define ZS_RATE_LIMIT_EXCEEDED_BUCKET_LIMIT 4

/* ---- Logging, time, environment ------------------------------------------------------- */

/* Appends to this script's log; each complete line goes to stderr as
 * "[user_log] <request-id>: <script>: <text>". Returns 0. */
extern zs_s64 zs_log(const char *msg, zs_u64 len);
/* Wall-clock time, milliseconds since the Unix epoch. */
extern zs_u64 zs_now_ms(void);
/* The zeroserve version, as a C string. */
extern zs_s64 zs_version(char *out, zs_u64 out_len);
/* The server's environment variable `name` (trimmed), "" when unset. */
extern zs_s64 zs_env_get(const char *name, zs_u64 name_len, char *out, zs_u64 out_len);

/* ---- Crypto and encoding ---------------------------------------------------------------- */

/* Fills out with random bytes; returns out_len. */
extern zs_s64 zs_getrandom(void *out, zs_u64 out_len);
/* SHA-256 of data into out; out_len must be 32. Returns 32. */
extern zs_s64 zs_sha256(const void *data, zs_u64 data_len, void *out, zs_u64 out_len);
/* HMAC-SHA256(key, msg) into 32 bytes at out. Returns 32. */
extern zs_s64 zs_hmac_sha256(const void *key, zs_u64 key_len, const void *msg, zs_u64 msg_len, void *out);
/* Base64 (ZS_BASE64_*); out_len 0 returns the length needed. No NUL is written. */
extern zs_s64 zs_base64_encode(const void *data, zs_u64 data_len, void *out, zs_u64 out_len, zs_u64 encoding);
/* Decodes in place; returns the decoded length, -1 on invalid input. */
extern zs_s64 zs_base64_decode_in_place(void *buf, zs_u64 buf_len, zs_u64 encoding);
/* Hex (ZS_HEX_*); out_len 0 returns the length needed (2 * data_len). */
extern zs_s64 zs_hex_encode(const void *data, zs_u64 data_len, void *out, zs_u64 out_len, zs_u64 case_flag);
/* Decodes in place; returns the decoded length, -1 for odd length or a non-hex digit. */
extern zs_s64 zs_hex_decode_in_place(void *buf, zs_u64 buf_len);

/* ---- JSON ------------------------------------------------------------------------------- */
/* Values live in a per-script table of at most 32 live handles; free what you no longer need.
 * Handles from zs_json_get/zs_json_array_get are views into the same document. */

extern zs_s64 zs_json_parse(const void *data, zs_u64 data_len);
/* A JSON file of the site, by its exact tar path ("data/config.json"); -1 if missing. */
extern zs_s64 zs_load_static_json(const char *path, zs_u64 path_len);
/* {"size": N, "etag": "<32 hex>", "mtime": N} for a file of the site; -1 if missing. */
extern zs_s64 zs_load_file_metadata(const char *path, zs_u64 path_len);
extern zs_s64 zs_json_reset(zs_u64 json);
extern zs_s64 zs_json_get(zs_u64 json, const char *key, zs_u64 key_len);
extern zs_s64 zs_json_array_get(zs_u64 json, zs_u64 array_index);
extern zs_s64 zs_json_read_string(zs_u64 json, char *out, zs_u64 out_len);
/* out_len must be 8; writes an int64. -1 if the value is not an integer that fits. */
extern zs_s64 zs_json_read_i64(zs_u64 json, void *out, zs_u64 out_len);
/* out_len must be 1; writes 0 or 1. */
extern zs_s64 zs_json_read_bool(zs_u64 json, void *out, zs_u64 out_len);
extern zs_s64 zs_object_free(zs_u64 idx);
extern zs_s64 zs_json_new_object(void);
extern zs_s64 zs_json_new_array(void);
extern zs_s64 zs_json_clone(zs_u64 json);
extern zs_s64 zs_json_len(zs_u64 json);
extern zs_s64 zs_json_type(zs_u64 json);
extern zs_s64 zs_json_set(zs_u64 json, const char *key, zs_u64 key_len, zs_u64 value_json);
extern zs_s64 zs_json_remove(zs_u64 json, const char *key, zs_u64 key_len);
extern zs_s64 zs_json_array_push(zs_u64 json, zs_u64 value_json);
extern zs_s64 zs_json_array_set(zs_u64 json, zs_u64 index, zs_u64 value_json);
extern zs_s64 zs_json_set_string(zs_u64 json, const char *value, zs_u64 value_len);
extern zs_s64 zs_json_set_i64(zs_u64 json, zs_s64 value);
extern zs_s64 zs_json_set_bool(zs_u64 json, zs_u64 value);
extern zs_s64 zs_json_set_null(zs_u64 json);
/* Terminal: answers with the serialized value and Content-Type: application/json. */
extern zs_s64 zs_json_respond(zs_u64 status, zs_u64 json);

/* ---- Calls between scripts and response hooks ------------------------------------------- */

/* Runs ZS_CALL_ENTRY(func) of script `script` (its file name, with or without ".o") with a
 * deep copy of json_handle; returns a new handle with its result, or -1 (unknown script or
 * function, the callee failed or returned a negative value, or calls nested deeper than 8). */
extern zs_s64 zs_call(const char *script, zs_u64 script_len, const char *func, zs_u64 func_len,
                      zs_s64 json_handle);
/* Registers ZS_CALL_ENTRY(func) of `script` ("" = this script) to run once the response
 * headers exist, before they are sent, with a copy of json_handle as input. */
extern zs_s64 zs_res_hook(const char *script, zs_u64 script_len, const char *func, zs_u64 func_len,
                          zs_s64 json_handle);
extern zs_s64 zs_res_hooks_clear(void);

/* ---- Reading the request ---------------------------------------------------------------- */

/* The request body parsed as JSON (read once, cached); -1 if empty, too large or invalid. */
extern zs_s64 zs_req_body_json(void);
extern zs_s64 zs_req_method(char *out, zs_u64 out_len);
/* The normalized path, still percent-encoded ("/a%20b/"). */
extern zs_s64 zs_req_path(char *out, zs_u64 out_len);
/* The decoded path used for the static lookup ("/a b"). */
extern zs_s64 zs_req_normalized_path(char *out, zs_u64 out_len);
/* Path and "?query" as received. */
extern zs_s64 zs_req_uri(char *out, zs_u64 out_len);
/* The raw query, without "?". */
extern zs_s64 zs_req_query(char *out, zs_u64 out_len);
/* "http" or "https". */
extern zs_s64 zs_req_scheme(char *out, zs_u64 out_len);
extern zs_s64 zs_req_proto_major(void);
extern zs_s64 zs_req_proto_minor(void);
/* The client's "ip:port" ("[v6]:port"). */
extern zs_s64 zs_req_peer(char *out, zs_u64 out_len);
extern zs_s64 zs_req_is_tls(void);
extern zs_s64 zs_req_tls_handshake_complete(void);
/* {"tls", "tls_handshake_complete", "alpn", "sni": {"inner", "outer"}, "ech",
 *  "fingerprint": {"ja4"}} for this connection; free the handle when done. */
extern zs_s64 zs_connection_info(void);
/* The last value of header `name` (case-insensitive), "" when absent. */
extern zs_s64 zs_req_header(const char *name, zs_u64 name_len, char *out, zs_u64 out_len);
/* The first form-decoded value of query parameter `name`. */
extern zs_s64 zs_req_query_param(const char *name, zs_u64 name_len, char *out, zs_u64 out_len);
/* 1 if any value of `name` equals `value` (or value is "*" and the parameter is present). */
extern zs_s64 zs_req_query_param_matches(const char *name, zs_u64 name_len, const char *value,
                                         zs_u64 value_len);
/* Lowers the buffered-body limit; returns 1 if the declared Content-Length already exceeds it. */
extern zs_s64 zs_req_body_limit(zs_u64 max_size);
/* 1 if the client's address is in the JSON array of addresses and CIDR ranges
 * (["10.0.0.0/8", "::1"]), else 0. A malformed list fails the script. */
extern zs_s64 zs_req_remote_ip_matches(const char *ranges_json, zs_u64 ranges_json_len);

/* ---- Changing the request (later scripts and the static lookup see the change) ---------- */

extern zs_s64 zs_req_set_method(const char *method, zs_u64 method_len);
/* Accepts "/p?q", "?q", a relative "a/b?q" or an absolute URI; the fragment is dropped. */
extern zs_s64 zs_req_set_uri(const char *uri, zs_u64 uri_len);
/* Replaces every value of `name`; an empty value deletes the header. */
extern zs_s64 zs_req_set_header(const char *name, zs_u64 name_len, const char *value, zs_u64 value_len);
extern zs_s64 zs_req_append_header(const char *name, zs_u64 name_len, const char *value, zs_u64 value_len);
/* Deletes headers by name: exact, "Foo*" prefix, "*Foo" suffix, "*Foo*" contains, "*" all. */
extern zs_s64 zs_req_delete_header(const char *pattern, zs_u64 pattern_len);
/* {"name": ..., "search": ..., "replace": ...}: replaces every occurrence of `search` in each
 * value of header `name`. ("search_regexp" is not supported by this build.) */
extern zs_s64 zs_req_replace_header(const char *op_json, zs_u64 op_json_len);

/* ---- Metadata: one string map per request, shared by every script ----------------------- */
/* "zs.response.header.<name>" keys set that response header on every response; any key
 * can be shown in an HTML page with <zs-meta>key</zs-meta>. */

extern zs_s64 zs_meta_get(const char *key, zs_u64 key_len, char *out, zs_u64 out_len);
extern zs_s64 zs_meta_set(const char *key, zs_u64 key_len, const char *value, zs_u64 value_len);

/* ---- Responses -------------------------------------------------------------------------- */

/* Terminal: answers with status and body (no Content-Type unless set through metadata).
 * The last call of a script wins; the chain stops after this script. */
extern zs_s64 zs_respond(zs_u64 status, const void *body, zs_u64 body_len);
/* Terminal: closes the connection (HTTP/2: resets the stream) without any response. */
extern zs_s64 zs_abort(void);
/* 1 if this script has set a response. */
extern zs_s64 zs_response_pending(void);
/* Drops this script's response. */
extern zs_s64 zs_response_clear(void);
/* In a response hook: the status, changing it (100..999), and a header of the response. */
extern zs_s64 zs_res_status(void);
extern zs_s64 zs_res_set_status(zs_u64 status);
extern zs_s64 zs_res_header(const char *name, zs_u64 name_len, char *out, zs_u64 out_len);
/* In a response hook: zs_req_replace_header's operation on the response's headers. */
extern zs_s64 zs_res_replace_header(const char *op_json, zs_u64 op_json_len);

/* ---- Rate limiting ---------------------------------------------------------------------- */

/* Token buckets keyed by any 1..256 bytes, shared by all workers and kept across reloads.
 * Limits of 0 are unlimited. Returns a ZS_RATE_LIMIT_* value, -1 for a bad key. */
extern zs_s64 zs_rate_limit(const void *key, zs_u64 key_len, zs_u64 per_second, zs_u64 per_minute,
                            zs_u64 per_hour);

/* ---- Memory ----------------------------------------------------------------------------- */

extern void *zs_memcpy(void *dst, const void *src, size_t n);
extern int zs_memcmp(const void *a, const void *b, size_t n);
extern void *zs_memset(void *dst, int c, size_t n);

/* ---- String functions compiled into the script (no helper call) ------------------------- */

static ZS_MAYBE_UNUSED ZS_INLINE size_t zs_strlen(const char *s) {
  const char *p = s;
  while (*p) p++;
  return (size_t)(p - s);
}

static ZS_MAYBE_UNUSED ZS_INLINE int zs_strcmp(const char *a, const char *b) {
  for (;; a++, b++) {
    unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
    if (x != y || x == 0) return (int)x - (int)y;
  }
}

static ZS_MAYBE_UNUSED ZS_INLINE int zs_strncmp(const char *a, const char *b, size_t n) {
  for (; n; n--, a++, b++) {
    unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
    if (x != y || x == 0) return (int)x - (int)y;
  }
  return 0;
}

/* Copies at most n bytes and pads with NULs up to n, like strncpy(3). */
static ZS_MAYBE_UNUSED ZS_INLINE char *zs_strncpy(char *dst, const char *src, size_t n) {
  size_t i = 0;
  for (; i < n && src[i]; i++) dst[i] = src[i];
  for (; i < n; i++) dst[i] = 0;
  return dst;
}

/* Copies src with its NUL; returns a pointer to the NUL written in dst. */
static ZS_MAYBE_UNUSED ZS_INLINE char *zs_stpcpy(char *dst, const char *src) {
  while ((*dst = *src)) dst++, src++;
  return dst;
}

static ZS_MAYBE_UNUSED ZS_INLINE char *zs_strcpy(char *dst, const char *src) {
  zs_stpcpy(dst, src);
  return dst;
}

static ZS_MAYBE_UNUSED ZS_INLINE char *zs_strrchr(const char *s, int c) {
  const char *found = 0;
  do {
    if (*s == (char)c) found = s;
  } while (*s++);
  return (char *)found;
}

/* Writes value in decimal with a NUL; returns the digit count, -1 if out cannot hold it. */
static ZS_MAYBE_UNUSED ZS_INLINE int zs_utoa10(unsigned int value, char *out, size_t out_size) {
  int digits = 1;
  for (unsigned int v = value; v >= 10; v /= 10) digits++;
  if (!out || out_size < (size_t)digits + 1) return -1;
  out[digits] = 0;
  for (int i = digits - 1; i >= 0; i--, value /= 10) out[i] = (char)('0' + value % 10);
  return digits;
}

#endif /* ZEROSERVE_SDK_ZEROSERVE_H */
