// Implementation of guest.hh.
#include "script/guest.hh"

#include <cstring>
#include <string>

namespace zs::script {
namespace {

uint64_t fail_region(ebpf::InvocationContext& ctx, std::string_view what, uint64_t ptr, uint64_t len,
                     const char* kind) {
  return ctx.fail(std::string(what) + ": " + std::to_string(len) + " bytes at 0x" + [&] {
    char hex[17];
    snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(ptr));
    return std::string(hex);
  }() + " are not " + kind + " script memory");
}

}  // namespace

std::optional<std::string_view> guest_in(ebpf::InvocationContext& ctx, uint64_t ptr, uint64_t len,
                                         std::string_view what) {
  // An empty argument is valid wherever it points. It is returned as a view of a static empty
  // string, never with a null data pointer (libraries such as RapidJSON assert on one).
  if (len == 0) return std::string_view("", 0);
  auto span = ctx.readable(ptr, len);
  if (!span) {
    fail_region(ctx, what, ptr, len, "readable");
    return std::nullopt;
  }
  return std::string_view(reinterpret_cast<const char*>(span->data()), span->size());
}

std::optional<std::string_view> guest_text(ebpf::InvocationContext& ctx, uint64_t ptr, uint64_t len,
                                           std::string_view what) {
  auto s = guest_in(ctx, ptr, len, what);
  if (s && !valid_utf8(*s)) {
    ctx.fail(std::string(what) + ": not valid UTF-8");
    return std::nullopt;
  }
  return s;
}

std::optional<std::span<uint8_t>> guest_out(ebpf::InvocationContext& ctx, uint64_t ptr, uint64_t len,
                                            std::string_view what) {
  auto span = ctx.writable(ptr, len);
  if (!span) fail_region(ctx, what, ptr, len, "writable");
  return span;
}

uint64_t put_cstring(ebpf::InvocationContext& ctx, uint64_t out, uint64_t out_len, std::string_view value,
                     std::string_view what) {
  if (out_len == 0) return 0;
  auto buf = guest_out(ctx, out, out_len, what);
  if (!buf) return 0;
  const size_t n = std::min<uint64_t>(value.size(), out_len - 1);
  std::memcpy(buf->data(), value.data(), n);
  (*buf)[n] = 0;
  return std::min<uint64_t>(value.size(), out_len);
}

}  // namespace zs::script
