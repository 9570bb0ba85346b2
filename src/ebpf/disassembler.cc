// Text form of instructions, driven by op_info() so it can never disagree with the verifier
// about which opcodes exist. Fields the syntax cannot express (non-zero unused fields) are lost.
#include "ebpf/disassembler.hh"

#include <cstdio>

namespace zs::ebpf {
namespace {

std::string reg(uint8_t r) { return "%r" + std::to_string(r); }

std::string rel(int64_t v) { return (v >= 0 ? "+" : "") + std::to_string(v); }

std::string mem(uint8_t r, int16_t off) {
  return "[" + reg(r) + (off >= 0 ? "+" : "") + std::to_string(off) + "]";
}

std::string atomic_name(int32_t imm) {
  switch (imm & ~kAtomicFetch) {
    case kAtomicAdd: return "add";
    case kAtomicOr: return "or";
    case kAtomicAnd: return "and";
    case kAtomicXor: return "xor";
    case kAtomicXchg & ~kAtomicFetch: return "xchg";
    case kAtomicCmpxchg & ~kAtomicFetch: return "cmpxchg";
    default: return "?";
  }
}

}  // namespace

std::string disassemble(const Insn& i, const Insn* next) {
  const OpInfo& info = op_info(i.opcode);
  std::string name(info.name);
  const bool is32 = insn_class(i.opcode) == kClassAlu || insn_class(i.opcode) == kClassJmp32;
  switch (info.kind) {
    case OpKind::kInvalid: {
      char buf[32];
      std::snprintf(buf, sizeof buf, ".invalid 0x%02x", i.opcode);
      return buf;
    }
    case OpKind::kAluK:
    case OpKind::kAluX: {
      if (i.offset == 1 && (alu_op(i.opcode) == kAluDiv || alu_op(i.opcode) == kAluMod))
        name = "s" + name;
      if (info.kind == OpKind::kAluX && alu_op(i.opcode) == kAluMov && i.offset != 0)
        return "movsx" + std::to_string(i.offset) + (is32 ? "32 " : "64 ") + reg(i.dst()) + ", " +
               reg(i.src());
      std::string operand = info.kind == OpKind::kAluK ? std::to_string(i.imm) : reg(i.src());
      return name + (is32 ? "32 " : " ") + reg(i.dst()) + ", " + operand;
    }
    case OpKind::kNeg: return name + (is32 ? "32 " : " ") + reg(i.dst());
    case OpKind::kEnd: return name + std::to_string(i.imm) + " " + reg(i.dst());
    case OpKind::kJa: return "ja " + rel(i.offset);
    case OpKind::kJa32: return "ja32 " + rel(i.imm);
    case OpKind::kJcondK:
    case OpKind::kJcondX: {
      std::string operand = info.kind == OpKind::kJcondK ? std::to_string(i.imm) : reg(i.src());
      return name + (is32 ? "32 " : " ") + reg(i.dst()) + ", " + operand + ", " + rel(i.offset);
    }
    case OpKind::kCall:
      if (i.src() == kCallLocal) return "call local " + rel(i.imm);
      if (i.src() == kCallBtf) return "call runtime " + std::to_string(i.imm);
      return "call " + std::to_string(i.imm);
    case OpKind::kExit: return "exit";
    case OpKind::kLddw: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%llx",
                    static_cast<unsigned long long>(lddw_imm(i, next ? *next : Insn{})));
      return "lddw " + reg(i.dst()) + ", " + buf;
    }
    case OpKind::kLdx:
    case OpKind::kLdxSx: return name + " " + reg(i.dst()) + ", " + mem(i.src(), i.offset);
    case OpKind::kSt: return name + " " + mem(i.dst(), i.offset) + ", " + std::to_string(i.imm);
    case OpKind::kStx: return name + " " + mem(i.dst(), i.offset) + ", " + reg(i.src());
    case OpKind::kAtomic: {
      std::string op = atomic_name(i.imm);
      bool explicit_fetch = (i.imm & kAtomicFetch) && op != "xchg" && op != "cmpxchg";
      return std::string("lock ") + (explicit_fetch ? "fetch " : "") + op +
             (mem_size_bits(i.opcode) == kSizeW ? "32 " : " ") + mem(i.dst(), i.offset) + ", " +
             reg(i.src());
    }
  }
  return "?";
}

std::string disassemble(std::span<const Insn> program) {
  std::string out;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const Insn& i = program[pc];
    bool wide = i.opcode == kOpLddw && pc + 1 < program.size();
    out += disassemble(i, wide ? &program[pc + 1] : nullptr);
    out += '\n';
    if (wide) ++pc;
  }
  return out;
}

}  // namespace zs::ebpf
