// eBPF -> x86-64 translation, the per-class layer of the JIT on top of x86::Assembler. Emits the
// whole program plus its shared stubs into one assembler; deterministic, so a measure-only pass
// and the real pass produce identical layouts. Knows the cage/ControlBlock ABI (cage.hh) and
// the register map below; does not map memory (code.cc does).
//
// Register map (kernel style, so guest R1..R5 already sit in the SysV argument registers):
//   R0 rax  R1 rdi  R2 rsi  R3 rdx  R4 rcx  R5 r8  R6 rbx  R7 r13  R8 r14  R9 r15  R10 rbp
//   r12 = cage base (guest address 0), r9 = safepoint budget, r10/r11 = scratch.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.hh"
#include "ebpf/jit/code.hh"
#include "ebpf/jit/x86_64/assembler.hh"

namespace zs::ebpf {
class Program;
}

namespace zs::ebpf::jit {

struct Translation {
  std::vector<uint32_t> insn_offsets;  // native offset of each guest slot, plus the end
  size_t trampoline_offset = 0;
};

// Emits `program` into `as` (then calls as.finish()). `hooks` are absolute host addresses.
Result<Translation> translate(x86::Assembler& as, const Program& program,
                              const CompileOptions& options, const Hooks& hooks);

}  // namespace zs::ebpf::jit
