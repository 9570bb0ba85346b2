// Guest memory as helpers see it: views of the caller's arguments, checked against the cage,
// and the SDK's output conventions (zeroserve-behavior.md §4a). Every accessor that fails has
// already called ctx.fail(...) with a message naming the helper and the argument, so a helper
// just returns: a bad pointer ends the script, never the server.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "ebpf/helpers.hh"
#include "site/utf8.hh"

namespace zs::script {

// Bytes the script passed in ([ptr, ptr+len) readable: stack, scratch or read-only data). A
// zero length is always valid (whatever ptr is) and gives a non-null empty view.
// `what` names the helper and argument in the failure ("zs_meta_set: key").
std::optional<std::string_view> guest_in(ebpf::InvocationContext& ctx, uint64_t ptr, uint64_t len,
                                         std::string_view what);
// Same, and the bytes must be valid UTF-8 (strings the reference treats as text).
std::optional<std::string_view> guest_text(ebpf::InvocationContext& ctx, uint64_t ptr, uint64_t len,
                                           std::string_view what);
// A writable output buffer ([ptr, ptr+len) on the stack or in scratch).
std::optional<std::span<uint8_t>> guest_out(ebpf::InvocationContext& ctx, uint64_t ptr, uint64_t len,
                                            std::string_view what);

// The C-string output rule of §4a: writes at most out_len-1 bytes of `value` and a NUL, and
// returns min(value.size(), out_len): out_len 0 writes nothing and returns 0; a return equal to
// out_len means "truncated". A bad buffer fails the invocation (returns 0).
uint64_t put_cstring(ebpf::InvocationContext& ctx, uint64_t out, uint64_t out_len, std::string_view value,
                     std::string_view what);

// Strict UTF-8 (RFC 3629), the same check tar names and request paths get.
inline bool valid_utf8(std::string_view s) { return site::is_valid_utf8(s); }

}  // namespace zs::script
