// Structural verifier: decides whether a linked instruction array is safe to interpret and JIT.
// It checks shape only (opcodes, fields, registers, control flow, call graph); memory safety
// comes from the cage at run time, not from tracking pointer types here.
// Relies on isa.hh's opcode table; knows nothing of ELF or of the host.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hh"
#include "ebpf/isa.hh"
#include "ebpf/limits.hh"

namespace zs::ebpf {

// Per-slot facts the engines use (bit flags in VerifierInfo::marks).
inline constexpr uint8_t kMarkJumpTarget = 1;    // some jump lands here
inline constexpr uint8_t kMarkFunctionStart = 2;  // an entry point or a local-call target
inline constexpr uint8_t kMarkLddwHigh = 4;      // second slot of an LDDW (never executed)

struct VerifierInfo {
  std::vector<uint32_t> function_starts;  // ascending; function i spans [starts[i], starts[i+1])
  std::vector<uint8_t> marks;             // one per slot
  uint32_t max_call_depth = 0;            // deepest call chain found (entry = 1)

  // Index into function_starts of the function holding `pc`.
  size_t function_of(uint32_t pc) const;
  uint32_t function_end(size_t f) const {
    return f + 1 < function_starts.size() ? function_starts[f + 1]
                                          : static_cast<uint32_t>(marks.size());
  }
};

// Verifies `insns` whose entry points start at `entries`; `helper_exists(id)` says whether a
// helper call id is bound. Each rejection names the slot index and the reason, e.g.
// "insn 4: jump target 9 is outside function [0, 7)".
template <typename HelperExists>
Result<VerifierInfo> verify(std::span<const Insn> insns, std::span<const uint32_t> entries,
                            const Limits& limits, HelperExists helper_exists);

// Non-template core used by the template above.
Result<VerifierInfo> verify_with(std::span<const Insn> insns, std::span<const uint32_t> entries,
                                 const Limits& limits, bool (*helper_exists)(const void*, uint32_t),
                                 const void* helper_ctx);

template <typename HelperExists>
Result<VerifierInfo> verify(std::span<const Insn> insns, std::span<const uint32_t> entries,
                            const Limits& limits, HelperExists helper_exists) {
  return verify_with(
      insns, entries, limits,
      [](const void* c, uint32_t id) { return (*static_cast<const HelperExists*>(c))(id); },
      &helper_exists);
}

}  // namespace zs::ebpf
