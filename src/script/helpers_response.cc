// SDK helpers for metadata, responses, calls between scripts and response hooks
// (zeroserve-behavior.md §3d-§3g, §4b rows 36-38, 107-120). Terminal helpers only fill this
// script's slot; the runner decides what happens after the script returns.
#include <string>

#include "http/response.hh"
#include "http/token.hh"
#include "script/exec_context.hh"
#include "script/guest.hh"
#include "script/helper_groups.hh"
#include "script/json_store.hh"
#include "script/request_state.hh"

namespace zs::script {
namespace {

using Ctx = ebpf::InvocationContext;


ZS_HELPER(zs_meta_get) {
  ZS_UNUSED_ARGS;
  auto key = guest_in(ctx, a1, a2, "zs_meta_get: key");
  if (!key) return 0;
  auto value = exec_of(ctx).request().meta.get(*key);
  return put_cstring(ctx, a3, a4, value.value_or(""), "zs_meta_get: out");
}

ZS_HELPER(zs_meta_set) {
  ZS_UNUSED_ARGS;
  auto key = guest_text(ctx, a1, a2, "zs_meta_set: key");
  if (!key) return 0;
  auto value = guest_text(ctx, a3, a4, "zs_meta_set: value");
  if (!value) return 0;
  if (Metadata::trim(*key).empty()) return ctx.fail("zs_meta_set: empty key");
  exec_of(ctx).request().meta.set(*key, *value);
  return 0;
}

ZS_HELPER(zs_respond) {
  ZS_UNUSED_ARGS;
  ExecContext& ec = exec_of(ctx);
  if (ec.hook_response != nullptr) return ctx.fail("zs_respond: not allowed in a response hook");
  if (a1 > 0xffff) return ctx.fail("zs_respond: status " + std::to_string(a1) + " does not fit in 16 bits");
  auto body = guest_in(ctx, a2, a3, "zs_respond: body");
  if (!body) return 0;
  ec.respond(static_cast<uint16_t>(a1), std::string(*body), "");
  return 0;
}

ZS_HELPER(zs_response_pending) {
  ZS_UNUSED_ARGS;
  return exec_of(ctx).response().has_value() ? 1 : 0;
}

ZS_HELPER(zs_response_clear) {
  ZS_UNUSED_ARGS;
  exec_of(ctx).response().reset();
  return 0;
}

ZS_HELPER(zs_abort) {
  ZS_UNUSED_ARGS;
  ExecContext& ec = exec_of(ctx);
  if (ec.hook_response != nullptr) return ctx.fail("zs_abort: not allowed in a response hook");
  ec.response().reset();
  ec.request().aborted = true;
  return 0;
}

// zs_call parks: the runner runs the callee and resumes this script with the result handle.
ZS_HELPER(zs_call) {
  ZS_UNUSED_ARGS;
  auto script = guest_in(ctx, a1, a2, "zs_call: script");
  if (!script) return 0;
  auto function = guest_in(ctx, a3, a4, "zs_call: function");
  if (!function) return 0;
  ExecContext& ec = exec_of(ctx);
  if (!ec.json().valid(a5)) return ctx.fail("zs_call: invalid input handle " + std::to_string(a5));
  ec.pending_call.emplace(ExecContext::PendingCall{std::string(*script), std::string(*function), a5});
  return ctx.park();
}

ZS_HELPER(zs_res_hook) {
  ZS_UNUSED_ARGS;
  auto script = guest_in(ctx, a1, a2, "zs_res_hook: script");
  if (!script) return 0;
  auto function = guest_in(ctx, a3, a4, "zs_res_hook: function");
  if (!function) return 0;
  if (function->empty()) return ctx.fail("zs_res_hook: empty function name");
  ExecContext& ec = exec_of(ctx);
  if (!ec.json().valid(a5)) return ctx.fail("zs_res_hook: invalid input handle " + std::to_string(a5));
  auto input = ec.json().serialize(a5);
  if (!input) return ctx.fail("zs_res_hook: " + input.error().message());
  ec.request().hooks.push_back(
      ResponseHook{std::string(*script), std::string(*function), std::string(ec.script_name()), std::move(*input)});
  return 0;
}

ZS_HELPER(zs_res_hooks_clear) {
  ZS_UNUSED_ARGS;
  exec_of(ctx).request().hooks.clear();
  return 0;
}

http::Response* hook_target(Ctx& ctx, const char* helper) {
  http::Response* res = exec_of(ctx).hook_response;
  if (res == nullptr) ctx.fail(std::string(helper) + ": only available in a response hook");
  return res;
}

ZS_HELPER(zs_res_status) {
  ZS_UNUSED_ARGS;
  http::Response* res = hook_target(ctx, "zs_res_status");
  return res != nullptr ? res->status : 0;
}

// Statuses outside 100..999 are ignored (§3g), not an error.
ZS_HELPER(zs_res_set_status) {
  ZS_UNUSED_ARGS;
  http::Response* res = hook_target(ctx, "zs_res_set_status");
  if (res != nullptr && a1 >= 100 && a1 <= 999) res->status = static_cast<uint16_t>(a1);
  return 0;
}

ZS_HELPER(zs_res_header) {
  ZS_UNUSED_ARGS;
  auto name = guest_in(ctx, a1, a2, "zs_res_header: name");
  if (!name) return 0;
  http::Response* res = hook_target(ctx, "zs_res_header");
  if (res == nullptr) return 0;
  std::string_view value;
  for (const http::ResponseHeader& h : res->headers())
    if (http::iequals(h.name, *name)) value = h.value;
  return put_cstring(ctx, a3, a4, value, "zs_res_header: out");
}

constexpr NamedHelper kResponseHelpers[] = {
    {"zs_meta_get", zs_meta_get},
    {"zs_meta_set", zs_meta_set},
    {"zs_respond", zs_respond},
    {"zs_response_pending", zs_response_pending},
    {"zs_response_clear", zs_response_clear},
    {"zs_abort", zs_abort},
    {"zs_call", zs_call},
    {"zs_res_hook", zs_res_hook},
    {"zs_res_hooks_clear", zs_res_hooks_clear},
    {"zs_res_status", zs_res_status},
    {"zs_res_set_status", zs_res_set_status},
    {"zs_res_header", zs_res_header},
};

}  // namespace

Result<void> add_response_helpers(ebpf::HelperTable& table) { return add_helpers(table, kResponseHelpers); }

}  // namespace zs::script
