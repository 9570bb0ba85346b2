// Resource limits of the eBPF runtime: program size, call depth, guest stack, scratch and cage
// window. Each field has a default; set a field before load_elf()/Program::create() to change it
// (the values are fixed into the loaded Program, since the JIT compiles frame sizes in).
// Time limits (slice, CPU cap) are per instance: see InstanceOptions in runtime.hh.
#pragma once

#include <cstdint>

#include "base/result.hh"

namespace zs::ebpf {

inline constexpr uint32_t kMaxCallDepthCeiling = 32;
inline constexpr uint32_t kMinFrameSize = 512;  // clang's own per-function stack limit for BPF

struct Limits {
  // Largest program, in instruction slots (LDDW counts two).
  uint32_t max_insns = 262'144;
  // Deepest chain of bpf-to-bpf calls, counting the entry function as depth 1.
  uint32_t max_call_depth = 8;
  // Guest stack region in bytes; every call level gets stack_size / max_call_depth bytes.
  uint32_t stack_size = 4 * 1024;
  // Per-invocation writable scratch region the host fills (request data, conformance memory).
  uint32_t scratch_size = 64 * 1024;
  // Virtual window of one cage (a power of two, 16 MiB .. 4 GiB). Guest addresses are offsets in it.
  uint64_t cage_size = 1ull << 32;
  // Native stack the JIT'd program and the helpers it calls run on (per instance).
  uint32_t native_stack_size = 256 * 1024;

  uint32_t frame_size() const { return stack_size / max_call_depth; }

  // Checks the combination; the error names the offending field.
  Result<void> validate() const;
};

}  // namespace zs::ebpf
