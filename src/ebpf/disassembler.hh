// Disassembler to the same text syntax assembler.hh reads, so assemble(disassemble(p)) == p.
// Used for verifier messages, fault reports and debugging; never on the request path.
// Jump and local-call targets are printed as relative +N/-N, not labels.
#pragma once

#include <span>
#include <string>

#include "ebpf/isa.hh"

namespace zs::ebpf {

// One instruction as text. For LDDW pass the following slot as `next` (its imm is the high half);
// without it the high half prints as 0. Invalid opcodes print as ".invalid 0x.." lines.
std::string disassemble(const Insn& insn, const Insn* next = nullptr);

// A whole program, one instruction per line (LDDW's second slot is folded into the first).
std::string disassemble(std::span<const Insn> program);

}  // namespace zs::ebpf
