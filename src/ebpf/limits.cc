// Limits::validate: the combinations the cage layout and the JIT's frame arithmetic rely on.
#include "ebpf/limits.hh"

#include <string>

namespace zs::ebpf {

Result<void> Limits::validate() const {
  if (max_insns == 0) return Error("limits: max_insns must be positive");
  if (max_call_depth == 0 || max_call_depth > kMaxCallDepthCeiling)
    return Error("limits: max_call_depth must be 1.." + std::to_string(kMaxCallDepthCeiling));
  if (stack_size % 4096 != 0 || stack_size > (64u << 20))
    return Error("limits: stack_size must be a multiple of 4096 and at most 64 MiB");
  if (frame_size() < kMinFrameSize || frame_size() % 16 != 0)
    return Error("limits: stack_size / max_call_depth must be a multiple of 16 and at least 512");
  if (scratch_size > (256u << 20)) return Error("limits: scratch_size must be at most 256 MiB");
  if (cage_size < (1ull << 24) || cage_size > (1ull << 32) || (cage_size & (cage_size - 1)) != 0)
    return Error("limits: cage_size must be a power of two between 16 MiB and 4 GiB");
  if (native_stack_size < 64 * 1024 || native_stack_size % 4096 != 0)
    return Error("limits: native_stack_size must be a multiple of 4096 and at least 64 KiB");
  return {};
}

}  // namespace zs::ebpf
