// The JSON helpers (zeroserve-behavior.md §4b rows 12-35): thin adapters from guest registers
// to JsonStore (json_store.hh), which owns the values and decides soft (-1) versus hard
// failures. Guest memory goes only through guest.hh; site files through ExecContext::site_files().
// Nothing here blocks: site files are read synchronously from the in-memory snapshot.
#include <cstring>
#include <string>

#include "script/exec_context.hh"
#include "script/guest.hh"
#include "script/helper_groups.hh"
#include "script/json_store.hh"

namespace zs::script {
namespace {

using ebpf::InvocationContext;

// Static JSON files larger than this read as missing (soft -1): parsing is charged to the
// context's memory budget anyway, this only bounds the transient copy.
constexpr uint64_t kMaxStaticJsonBytes = 1024 * 1024;

uint64_t trap(InvocationContext& ctx, const char* helper, const Error& e) {
  return ctx.fail(std::string(helper) + ": " + e.message());
}

// A handle, or the soft -1 of a helper that returns int64_t.
uint64_t handle_or_trap(InvocationContext& ctx, const char* helper, const Result<int64_t>& r) {
  if (!r) return trap(ctx, helper, r.error());
  return static_cast<uint64_t>(*r);
}
uint64_t handle_or_trap(InvocationContext& ctx, const char* helper, const Result<uint64_t>& r) {
  if (!r) return trap(ctx, helper, r.error());
  return *r;
}
uint64_t zero_or_trap(InvocationContext& ctx, const char* helper, const Result<void>& r) {
  if (!r) return trap(ctx, helper, r.error());
  return 0;
}

JsonStore& store(InvocationContext& ctx) { return exec_of(ctx).json(); }

uint64_t json_parse(uint64_t ptr, uint64_t len, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  auto text = guest_in(ctx, ptr, len, "zs_json_parse: data");
  if (!text) return 0;
  // Invalid UTF-8 is invalid JSON here (the parser validates), so soft like any syntax error.
  return handle_or_trap(ctx, "zs_json_parse", store(ctx).try_parse(*text));
}

// Tar paths are used verbatim: no leading '/', no normalization, no index or .html fallback.
uint64_t load_static_json(uint64_t ptr, uint64_t len, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  auto path = guest_in(ctx, ptr, len, "zs_load_static_json: path");
  if (!path) return 0;
  const SiteFiles* files = exec_of(ctx).site_files();
  if (path->empty() || files == nullptr) return static_cast<uint64_t>(-1);
  auto body = files->read(*path, kMaxStaticJsonBytes);
  if (!body) return static_cast<uint64_t>(-1);
  return handle_or_trap(ctx, "zs_load_static_json", store(ctx).try_parse(*body));
}

bool json_safe(std::string_view s) {
  for (char c : s) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return false;
  }
  return true;
}

uint64_t load_file_metadata(uint64_t ptr, uint64_t len, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  auto path = guest_in(ctx, ptr, len, "zs_load_file_metadata: path");
  if (!path) return 0;
  const SiteFiles* files = exec_of(ctx).site_files();
  if (path->empty() || files == nullptr) return static_cast<uint64_t>(-1);
  auto st = files->stat(*path);
  if (!st) return static_cast<uint64_t>(-1);
  // The etag is 32 hex digits by SiteFiles' contract; anything else would break the text.
  const std::string_view etag = json_safe(st->etag) ? st->etag : std::string_view();
  const std::string text = "{\"size\":" + std::to_string(st->size) + ",\"etag\":\"" + std::string(etag) +
                           "\",\"mtime\":" + std::to_string(st->mtime) + "}";
  return handle_or_trap(ctx, "zs_load_file_metadata", store(ctx).parse(text));
}

uint64_t json_reset(uint64_t h, uint64_t, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  return zero_or_trap(ctx, "zs_json_reset", store(ctx).reset(h));
}

uint64_t json_get(uint64_t h, uint64_t key_ptr, uint64_t key_len, uint64_t, uint64_t, InvocationContext& ctx) {
  auto key = guest_in(ctx, key_ptr, key_len, "zs_json_get: key");
  if (!key) return 0;
  if (!valid_utf8(*key)) {
    // No such member can exist; the handle must still be a real one.
    if (auto t = store(ctx).type(h); !t) return trap(ctx, "zs_json_get", t.error());
    return static_cast<uint64_t>(-1);
  }
  return handle_or_trap(ctx, "zs_json_get", store(ctx).get(h, *key));
}

uint64_t json_array_get(uint64_t h, uint64_t index, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  return handle_or_trap(ctx, "zs_json_array_get", store(ctx).array_get(h, index));
}

uint64_t json_read_string(uint64_t h, uint64_t out, uint64_t out_len, uint64_t, uint64_t, InvocationContext& ctx) {
  auto s = store(ctx).read_string(h);
  if (!s) return trap(ctx, "zs_json_read_string", s.error());
  if (!*s) return static_cast<uint64_t>(-1);
  return put_cstring(ctx, out, out_len, **s, "zs_json_read_string: out");
}

uint64_t json_read_i64(uint64_t h, uint64_t out, uint64_t out_len, uint64_t, uint64_t, InvocationContext& ctx) {
  if (out_len != 8) return ctx.fail("zs_json_read_i64: out_len must be 8, got " + std::to_string(out_len));
  auto buf = guest_out(ctx, out, 8, "zs_json_read_i64: out");
  if (!buf) return 0;
  auto v = store(ctx).read_i64(h);
  if (!v) return trap(ctx, "zs_json_read_i64", v.error());
  if (!*v) return static_cast<uint64_t>(-1);
  const int64_t value = **v;
  std::memcpy(buf->data(), &value, 8);
  return 8;
}

uint64_t json_read_bool(uint64_t h, uint64_t out, uint64_t out_len, uint64_t, uint64_t, InvocationContext& ctx) {
  if (out_len != 1) return ctx.fail("zs_json_read_bool: out_len must be 1, got " + std::to_string(out_len));
  auto buf = guest_out(ctx, out, 1, "zs_json_read_bool: out");
  if (!buf) return 0;
  auto v = store(ctx).read_bool(h);
  if (!v) return trap(ctx, "zs_json_read_bool", v.error());
  if (!*v) return static_cast<uint64_t>(-1);
  (*buf)[0] = **v ? 1 : 0;
  return 1;
}

uint64_t object_free(uint64_t h, uint64_t, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  return zero_or_trap(ctx, "zs_object_free", store(ctx).release(h));
}

uint64_t json_new_object(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  return handle_or_trap(ctx, "zs_json_new_object", store(ctx).new_object());
}

uint64_t json_new_array(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  return handle_or_trap(ctx, "zs_json_new_array", store(ctx).new_array());
}

uint64_t json_clone(uint64_t h, uint64_t, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  return handle_or_trap(ctx, "zs_json_clone", store(ctx).clone(h));
}

uint64_t json_len(uint64_t h, uint64_t, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  return handle_or_trap(ctx, "zs_json_len", store(ctx).len(h));
}

uint64_t json_type(uint64_t h, uint64_t, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  auto t = store(ctx).type(h);
  if (!t) return trap(ctx, "zs_json_type", t.error());
  return static_cast<uint64_t>(*t);
}

uint64_t json_set(uint64_t h, uint64_t key_ptr, uint64_t key_len, uint64_t value, uint64_t, InvocationContext& ctx) {
  // A member name the script creates must be text (§4a: invalid UTF-8 where a string is expected).
  auto key = guest_text(ctx, key_ptr, key_len, "zs_json_set: key");
  if (!key) return 0;
  return handle_or_trap(ctx, "zs_json_set", store(ctx).set(h, *key, value));
}

uint64_t json_remove(uint64_t h, uint64_t key_ptr, uint64_t key_len, uint64_t, uint64_t, InvocationContext& ctx) {
  auto key = guest_in(ctx, key_ptr, key_len, "zs_json_remove: key");
  if (!key) return 0;
  if (!valid_utf8(*key)) {
    if (auto t = store(ctx).type(h); !t) return trap(ctx, "zs_json_remove", t.error());
    return static_cast<uint64_t>(-1);
  }
  return handle_or_trap(ctx, "zs_json_remove", store(ctx).remove(h, *key));
}

uint64_t json_array_push(uint64_t h, uint64_t value, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  return handle_or_trap(ctx, "zs_json_array_push", store(ctx).array_push(h, value));
}

uint64_t json_array_set(uint64_t h, uint64_t index, uint64_t value, uint64_t, uint64_t, InvocationContext& ctx) {
  return handle_or_trap(ctx, "zs_json_array_set", store(ctx).array_set(h, index, value));
}

uint64_t json_set_string(uint64_t h, uint64_t ptr, uint64_t len, uint64_t, uint64_t, InvocationContext& ctx) {
  auto s = guest_in(ctx, ptr, len, "zs_json_set_string: value");
  if (!s) return 0;
  if (!valid_utf8(*s)) {
    if (auto t = store(ctx).type(h); !t) return trap(ctx, "zs_json_set_string", t.error());
    return static_cast<uint64_t>(-1);
  }
  return zero_or_trap(ctx, "zs_json_set_string", store(ctx).set_string(h, *s));
}

uint64_t json_set_i64(uint64_t h, uint64_t v, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  return zero_or_trap(ctx, "zs_json_set_i64", store(ctx).set_i64(h, static_cast<int64_t>(v)));
}

uint64_t json_set_bool(uint64_t h, uint64_t v, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  return zero_or_trap(ctx, "zs_json_set_bool", store(ctx).set_bool(h, v != 0));
}

uint64_t json_set_null(uint64_t h, uint64_t, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  return zero_or_trap(ctx, "zs_json_set_null", store(ctx).set_null(h));
}

// The status must fit u16 (else trap); the response layer turns anything outside 100..999
// into a 500, as the reference does.
uint64_t json_respond(uint64_t status, uint64_t h, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  if (status > 0xffff) return ctx.fail("zs_json_respond: status " + std::to_string(status) + " out of range");
  ExecContext& exec = exec_of(ctx);
  auto body = exec.json().serialize(h);
  if (!body) return trap(ctx, "zs_json_respond", body.error());
  exec.respond(static_cast<uint16_t>(status), std::move(*body), "application/json");
  return 0;
}

// SDK order (sdk/zeroserve.h); binding is by name, so the order is only for reading.
constexpr NamedHelper kJsonHelpers[] = {
    {"zs_json_parse", json_parse},
    {"zs_load_static_json", load_static_json},
    {"zs_load_file_metadata", load_file_metadata},
    {"zs_json_reset", json_reset},
    {"zs_json_get", json_get},
    {"zs_json_array_get", json_array_get},
    {"zs_json_read_string", json_read_string},
    {"zs_json_read_i64", json_read_i64},
    {"zs_json_read_bool", json_read_bool},
    {"zs_object_free", object_free},
    {"zs_json_new_object", json_new_object},
    {"zs_json_new_array", json_new_array},
    {"zs_json_clone", json_clone},
    {"zs_json_len", json_len},
    {"zs_json_type", json_type},
    {"zs_json_set", json_set},
    {"zs_json_remove", json_remove},
    {"zs_json_array_push", json_array_push},
    {"zs_json_array_set", json_array_set},
    {"zs_json_set_string", json_set_string},
    {"zs_json_set_i64", json_set_i64},
    {"zs_json_set_bool", json_set_bool},
    {"zs_json_set_null", json_set_null},
    {"zs_json_respond", json_respond},
};

}  // namespace

Result<void> add_json_helpers(ebpf::HelperTable& table) { return add_helpers(table, kJsonHelpers); }

}  // namespace zs::script
