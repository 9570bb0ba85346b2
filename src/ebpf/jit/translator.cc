// Per-class translation of eBPF to x86-64. Layout of the emitted code:
//   [entry trampoline][shared stubs][guest code, one label per slot][out-of-line slow paths]
// Memory: every load/store address is (src + off) truncated to 32 bits by LEA, masked to the
// cage window when it is smaller than 4 GiB, and used as [r12 + r11]: no branch, so no Spectre-v1
// window (research doc §4c). Faults land on guard pages and come back through the SIGSEGV hook.
// Safepoints: `sub r9, weight; js slow` before every backward jump and at every function entry;
// the slow path records the pc and calls the budget stub, which may yield (stack switch).
// Division edge cases (RFC 9669 §4.1) are handled here, since x86 DIV/IDIV trap on them.
#include "ebpf/jit/translator.hh"

#include <algorithm>
#include <cstddef>

#include "ebpf/cage.hh"
#include "ebpf/isa.hh"
#include "ebpf/program.hh"

namespace zs::ebpf::jit {
namespace {

using x86::AluOp;
using x86::Assembler;
using x86::Cond;
using x86::Label;
using x86::Mem;
using x86::Reg;
using x86::ShiftOp;
using x86::Width;

constexpr Reg kRegMap[kNumRegs] = {Reg::Rax, Reg::Rdi, Reg::Rsi, Reg::Rdx, Reg::Rcx, Reg::R8,
                                   Reg::Rbx, Reg::R13, Reg::R14, Reg::R15, Reg::Rbp};
constexpr Reg kCageBase = Reg::R12;
constexpr Reg kBudget = Reg::R9;
constexpr Reg kTmp = Reg::R10;
constexpr Reg kAddr = Reg::R11;

Mem ctl(size_t field) {
  return x86::mem(kCageBase, static_cast<int32_t>(field) - static_cast<int32_t>(kControlBlockOffset));
}

Width mem_width(uint8_t opcode) {
  switch (mem_size_bits(opcode)) {
    case kSizeB: return Width::W8;
    case kSizeH: return Width::W16;
    case kSizeW: return Width::W32;
    default: return Width::W64;
  }
}

// Out-of-line code after the program: a safepoint's budget refill, or a helper's status check.
struct SlowPath {
  Label entry;
  Label back;
  uint32_t pc;
  bool helper = false;
};

class Translator {
 public:
  Translator(Assembler& as, const Program& p, const CompileOptions& o, const Hooks& h)
      : as_(as), prog_(p), opts_(o), hooks_(h), code_(p.insns()) {
    bmi2_ = __builtin_cpu_supports("bmi2");
  }

  Result<Translation> run();

 private:
  void emit_trampoline();
  void emit_stubs();
  void emit_host_call(uint64_t fn);
  void emit_safepoint(uint32_t pc, int32_t weight);
  void emit_insn(uint32_t pc);
  void emit_alu(const Insn& i);
  void emit_shift(const Insn& i, Width w, ShiftOp op);
  void emit_divmod(const Insn& i, Width w);
  void emit_div_core(const Insn& i, Width w, Reg d);
  void emit_end(const Insn& i);
  void emit_jump(uint32_t pc, const Insn& i);
  void emit_call(uint32_t pc, const Insn& i);
  void emit_memory(const Insn& i);
  void emit_atomic(uint32_t pc, const Insn& i);
  void emit_address(Reg base, int16_t off);
  Mem operand(uint8_t base, int16_t off);
  uint32_t try_rotate(uint32_t pc);
  bool dead_after(uint32_t pc, uint8_t reg) const;

  Assembler& as_;
  const Program& prog_;
  const CompileOptions& opts_;
  const Hooks& hooks_;
  std::span<const Insn> code_;
  bool bmi2_ = false;
  std::vector<Label> labels_;
  std::vector<SlowPath> slow_;
  Label budget_stub_, helper_status_stub_, misaligned_stub_;
};

// Calls a host function with the stack aligned to 16 bytes (SysV), whatever the guest depth.
void Translator::emit_host_call(uint64_t fn) {
  as_.mov(Width::W64, kAddr, Reg::Rsp);
  as_.and_(Width::W64, Reg::Rsp, -16);
  as_.push(kAddr);
  as_.sub(Width::W64, Reg::Rsp, 8);
  as_.mov_imm64(kTmp, fn);
  as_.call(kTmp);
  as_.add(Width::W64, Reg::Rsp, 8);
  as_.pop(Reg::Rsp);
}

// Entered by `ret` from the stack switch with r12 = cage base. Guest registers get the entry
// arguments or zero: nothing of the host is left in them.
void Translator::emit_trampoline() {
  as_.load(Width::W64, kBudget, ctl(offsetof(ControlBlock, budget)));
  const Reg args[5] = {Reg::Rdi, Reg::Rsi, Reg::Rdx, Reg::Rcx, Reg::R8};
  for (int a = 0; a < 5; ++a)
    as_.load(Width::W64, args[a], ctl(offsetof(ControlBlock, args) + 8 * static_cast<size_t>(a)));
  as_.load(Width::W64, Reg::Rbp, ctl(offsetof(ControlBlock, frame_top)));
  for (Reg r : {Reg::Rax, Reg::Rbx, Reg::R13, Reg::R14, Reg::R15, kTmp, kAddr})
    as_.xor_(Width::W32, r, r);
  as_.call(ctl(offsetof(ControlBlock, entry_code)));
  as_.store(Width::W64, ctl(offsetof(ControlBlock, result)), Reg::Rax);
  // Normal exit: the second half of a stack switch, inline: restore the host's callee-saved
  // registers and return into start(). The guest was entered by a jump (zs_ebpf_enter), so this
  // `ret` is the one the return predictor expects.
  as_.load(Width::W64, Reg::Rsp, ctl(offsetof(ControlBlock, host_sp)));
  for (Reg r : {Reg::R15, Reg::R14, Reg::R13, Reg::R12, Reg::Rbx, Reg::Rbp}) as_.pop(r);
  as_.ret();
}

void Translator::emit_stubs() {
  // Budget stub: called from a safepoint's slow path; keeps every live guest register.
  as_.bind(budget_stub_);
  const Reg saved[6] = {Reg::Rax, Reg::Rdi, Reg::Rsi, Reg::Rdx, Reg::Rcx, Reg::R8};
  for (Reg r : saved) as_.push(r);
  as_.load(Width::W64, Reg::Rdi, ctl(offsetof(ControlBlock, runtime)));
  emit_host_call(reinterpret_cast<uint64_t>(hooks_.on_budget));
  as_.mov(Width::W64, kBudget, Reg::Rax);
  for (int k = 5; k >= 0; --k) as_.pop(saved[k]);
  as_.ret();

  // Helper status stub: a helper failed (never returns) or parked (returns R0 on resume).
  as_.bind(helper_status_stub_);
  as_.load(Width::W64, Reg::Rdi, ctl(offsetof(ControlBlock, runtime)));
  emit_host_call(reinterpret_cast<uint64_t>(hooks_.on_helper_status));
  as_.load(Width::W64, kBudget, ctl(offsetof(ControlBlock, budget)));
  as_.ret();
  // Fault stub: never returns (the hook switches back to the host stack).
  as_.bind(misaligned_stub_);
  as_.load(Width::W64, Reg::Rdi, ctl(offsetof(ControlBlock, runtime)));
  emit_host_call(reinterpret_cast<uint64_t>(hooks_.on_misaligned));
  as_.ud2();
}

void Translator::emit_safepoint(uint32_t pc, int32_t weight) {
  if (!opts_.preemption) return;
  SlowPath s{as_.new_label(), as_.new_label(), pc};
  // `jl` rather than `js`: SUB+JL is a macro-fusible pair on recent x86 cores (SUB+JS is not on
  // Intel); the budget stays far from overflow, so both mean "went below zero".
  as_.sub(Width::W64, kBudget, weight);
  as_.jcc(Cond::L, s.entry);
  as_.bind(s.back);
  slow_.push_back(s);
}

// r11 = guest address confined to the window: 32-bit wrap by LEA, then the window mask.
void Translator::emit_address(Reg base, int16_t off) {
  if (off == 0) {
    as_.mov(Width::W32, kAddr, base);
  } else {
    as_.lea(Width::W32, kAddr, x86::mem(base, off));
  }
  const uint64_t size = prog_.limits().cage_size;
  if (size < (1ull << 32)) as_.and_(Width::W32, kAddr, static_cast<int32_t>(size - 1));
}

// Frame fast path: R10 is read-only and always lies in the stack region, at least one frame
// above its bottom (>= 64 KiB + 512) and far below the window's end, so R10 + off (|off| < 32 KiB)
// never wraps and never needs the mask: [r12 + rbp + off] is exactly the address the general
// path computes, in one instruction instead of two or three.
Mem Translator::operand(uint8_t base, int16_t off) {
  if (base == kFramePointer) return x86::mem(kCageBase, kRegMap[kFramePointer], off);
  emit_address(kRegMap[base], off);
  return x86::mem(kCageBase, kAddr, 0);
}

void Translator::emit_memory(const Insn& i) {
  const uint8_t cls = insn_class(i.opcode);
  const Width w = mem_width(i.opcode);
  if (cls == kClassLdx) {
    const Mem at = operand(i.src(), i.offset);
    if (mem_mode(i.opcode) == kModeMemSx) {
      as_.load_signed(w, kRegMap[i.dst()], at);
    } else {
      as_.load(w, kRegMap[i.dst()], at);
    }
    return;
  }
  const Mem at = operand(i.dst(), i.offset);
  if (cls == kClassSt) {
    int32_t imm = i.imm;
    if (w == Width::W8) imm = static_cast<int8_t>(imm);
    if (w == Width::W16) imm = static_cast<int16_t>(imm);
    as_.store(w, at, imm);
  } else {
    as_.store(w, at, kRegMap[i.src()]);
  }
}

void Translator::emit_atomic(uint32_t pc, const Insn& i) {
  const Width w = mem_size_bits(i.opcode) == kSizeW ? Width::W32 : Width::W64;
  const Mem at = x86::mem(kCageBase, kAddr, 0);
  const Reg s = kRegMap[i.src()];
  emit_address(kRegMap[i.dst()], i.offset);
  // Misaligned atomics become a clean fault (a split lock may trap or stall the whole machine).
  Label aligned = as_.new_label();
  as_.test(Width::W32, kAddr, w == Width::W32 ? 3 : 7);
  as_.jcc(Cond::E, aligned);
  as_.store(Width::W32, ctl(offsetof(ControlBlock, pc)), static_cast<int32_t>(pc));
  as_.jmp(misaligned_stub_);
  as_.bind(aligned);
  const int32_t op = i.imm & ~kAtomicFetch;
  const bool fetch = (i.imm & kAtomicFetch) != 0;
  if (i.imm == kAtomicCmpxchg) {
    as_.lock_cmpxchg(w, at, s);
    if (w == Width::W32) as_.mov(Width::W32, Reg::Rax, Reg::Rax);  // R0 = old, zero-extended
    return;
  }
  if (i.imm == kAtomicXchg) {
    as_.xchg(w, at, s);
    return;
  }
  const AluOp alu = op == kAtomicAdd ? AluOp::Add
                    : op == kAtomicOr ? AluOp::Or
                    : op == kAtomicAnd ? AluOp::And
                                       : AluOp::Xor;
  if (!fetch) {
    as_.lock_alu(alu, w, at, s);
    return;
  }
  if (op == kAtomicAdd) {
    as_.lock_xadd(w, at, s);
    return;
  }
  // Fetch-or/and/xor have no x86 instruction: CMPXCHG loop. rax is the comparand, so R0 is
  // parked in r10 and the budget register lends itself as the temporary.
  const Reg operand = i.src() == 0 ? kTmp : s;
  as_.mov(Width::W64, kTmp, Reg::Rax);
  as_.push(kBudget);
  as_.load(w, Reg::Rax, at);
  Label retry = as_.new_label();
  as_.bind(retry);
  as_.mov(Width::W64, kBudget, Reg::Rax);
  as_.alu(alu, w, kBudget, operand);
  as_.lock_cmpxchg(w, at, kBudget);
  as_.jcc(Cond::Ne, retry);
  as_.pop(kBudget);
  if (i.src() == 0) {
    as_.mov(w, Reg::Rax, Reg::Rax);  // R0 is the fetch destination: keep the old value
  } else {
    as_.mov(w, s, Reg::Rax);
    as_.mov(Width::W64, Reg::Rax, kTmp);
  }
}

void Translator::emit_shift(const Insn& i, Width w, ShiftOp op) {
  const Reg d = kRegMap[i.dst()];
  if (!uses_src_reg(i.opcode)) {
    const uint8_t count = static_cast<uint8_t>(i.imm & (w == Width::W64 ? 63 : 31));
    if (count != 0) {
      as_.shift(op, w, d, count);
    } else if (w == Width::W32) {
      as_.mov(Width::W32, d, d);
    }
    return;
  }
  const Reg s = kRegMap[i.src()];
  if (bmi2_) {
    if (op == ShiftOp::Shl) as_.shlx(w, d, d, s);
    if (op == ShiftOp::Shr) as_.shrx(w, d, d, s);
    if (op == ShiftOp::Sar) as_.sarx(w, d, d, s);
    return;
  }
  if (s == Reg::Rcx) {
    as_.shift_cl(op, w, d);
  } else {
    as_.mov(Width::W64, kTmp, Reg::Rcx);
    as_.mov(Width::W64, Reg::Rcx, s);
    if (d == Reg::Rcx) {
      as_.shift_cl(op, w, kTmp);
      as_.mov(Width::W64, Reg::Rcx, kTmp);
      return;
    }
    as_.shift_cl(op, w, d);
    as_.mov(Width::W64, Reg::Rcx, kTmp);
  }
  if (w == Width::W32) as_.mov(Width::W32, d, d);  // a zero count leaves bits 32-63 on some CPUs
}

// Divisor in r11, known to be neither 0 nor (for signed) -1. rax/rdx are guest registers, so
// they are saved around DIV/IDIV (rax in r10, rdx on the native stack).
void Translator::emit_div_core(const Insn& i, Width w, Reg d) {
  const bool is_mod = alu_op(i.opcode) == kAluMod;
  const bool is_signed = i.offset == 1;
  as_.mov(Width::W64, kTmp, Reg::Rax);
  as_.push(Reg::Rdx);
  as_.mov(Width::W64, Reg::Rax, d);
  if (is_signed) {
    as_.sign_extend_rax(w);
    as_.idiv(w, kAddr);
  } else {
    as_.xor_(Width::W32, Reg::Rdx, Reg::Rdx);
    as_.div(w, kAddr);
  }
  as_.mov(w, kAddr, is_mod ? Reg::Rdx : Reg::Rax);
  as_.pop(Reg::Rdx);
  as_.mov(Width::W64, Reg::Rax, kTmp);
  as_.mov(Width::W64, d, kAddr);
}

void Translator::emit_divmod(const Insn& i, Width w) {
  const Reg d = kRegMap[i.dst()];
  const bool is_mod = alu_op(i.opcode) == kAluMod;
  const bool is_signed = i.offset == 1;
  // Division by zero: DIV gives 0, MOD keeps dst (zero-extended for ALU32). INT_MIN / -1 gives
  // INT_MIN (= -dst) and the remainder 0; any x / -1 is -x, so NEG covers the whole case.
  auto zero_case = [&] {
    if (!is_mod) {
      as_.xor_(Width::W32, d, d);
    } else if (w == Width::W32) {
      as_.mov(Width::W32, d, d);
    }
  };
  auto minus_one_case = [&] {
    if (is_mod) {
      as_.xor_(Width::W32, d, d);
    } else {
      as_.neg(w, d);
    }
  };
  if (!uses_src_reg(i.opcode)) {
    const int64_t divisor = w == Width::W64 ? int64_t{i.imm} : int64_t{static_cast<uint32_t>(i.imm)};
    if (divisor == 0) return zero_case();
    if (is_signed && i.imm == -1) return minus_one_case();
    as_.mov(w, kAddr, i.imm);
    return emit_div_core(i, w, d);
  }
  Label zero = as_.new_label(), minus_one = as_.new_label(), done = as_.new_label();
  as_.mov(w, kAddr, kRegMap[i.src()]);
  as_.test(w, kAddr, kAddr);
  as_.jcc(Cond::E, zero);
  if (is_signed) {
    as_.cmp(w, kAddr, -1);
    as_.jcc(Cond::E, minus_one);
  }
  emit_div_core(i, w, d);
  as_.jmp(done);
  as_.bind(zero);
  zero_case();
  if (is_signed) {
    as_.jmp(done);
    as_.bind(minus_one);
    minus_one_case();
  }
  as_.bind(done);
}

void Translator::emit_end(const Insn& i) {
  const Reg d = kRegMap[i.dst()];
  const bool to_le = i.opcode == (kClassAlu | kAluEnd | kSrcK);
  if (to_le) {  // a truncation on a little-endian host (RFC 9669 §4.2), never a no-op
    if (i.imm == 16) as_.movzx(Width::W16, d, d);
    if (i.imm == 32) as_.mov(Width::W32, d, d);
    return;
  }
  if (i.imm == 16) {
    as_.rol(Width::W16, d, 8);
    as_.movzx(Width::W16, d, d);
  } else {
    as_.bswap(i.imm == 32 ? Width::W32 : Width::W64, d);
  }
}

void Translator::emit_alu(const Insn& i) {
  const Width w = insn_class(i.opcode) == kClassAlu64 ? Width::W64 : Width::W32;
  const Reg d = kRegMap[i.dst()];
  const bool x = uses_src_reg(i.opcode);
  const Reg s = kRegMap[i.src()];
  auto simple = [&](AluOp op) {
    if (x) {
      as_.alu(op, w, d, s);
    } else {
      as_.alu(op, w, d, i.imm);
    }
  };
  switch (alu_op(i.opcode)) {
    case kAluAdd: return simple(AluOp::Add);
    case kAluSub: return simple(AluOp::Sub);
    case kAluOr: return simple(AluOp::Or);
    case kAluAnd: return simple(AluOp::And);
    case kAluXor: return simple(AluOp::Xor);
    case kAluMul:
      if (x) {
        as_.imul(w, d, s);
      } else {
        as_.imul(w, d, d, i.imm);
      }
      return;
    case kAluMov:
      if (!x) {
        as_.mov(w, d, i.imm);
      } else if (i.offset == 0) {
        as_.mov(w, d, s);
      } else {
        Width from = i.offset == 8 ? Width::W8 : i.offset == 16 ? Width::W16 : Width::W32;
        as_.movsx(w, from, d, s);
      }
      return;
    case kAluNeg: as_.neg(w, d); return;
    case kAluLsh: return emit_shift(i, w, ShiftOp::Shl);
    case kAluRsh: return emit_shift(i, w, ShiftOp::Shr);
    case kAluArsh: return emit_shift(i, w, ShiftOp::Sar);
    case kAluDiv:
    case kAluMod: return emit_divmod(i, w);
    case kAluEnd: return emit_end(i);
    default: return;
  }
}

// Whether `reg`'s value is overwritten before any read, looking forward from slot `pc` through
// straight-line code only (a jump target, branch, call or exit makes the answer "live").
bool Translator::dead_after(uint32_t pc, uint8_t reg) const {
  const auto& marks = prog_.info().marks;
  for (uint32_t j = pc, steps = 0; j < code_.size() && steps < 64; ++j, ++steps) {
    if (marks[j] & (kMarkJumpTarget | kMarkFunctionStart)) return false;
    if (marks[j] & kMarkLddwHigh) continue;
    const Insn& i = code_[j];
    const OpKind k = op_info(i.opcode).kind;
    const bool mov = is_alu(i.opcode) && alu_op(i.opcode) == kAluMov;
    switch (k) {
      case OpKind::kAluK:
      case OpKind::kAluX:
      case OpKind::kNeg:
      case OpKind::kEnd:
        if (k == OpKind::kAluX && i.src() == reg) return false;
        if (i.dst() == reg) return mov;  // a mov overwrites; anything else reads dst first
        break;
      case OpKind::kLddw:
        if (i.dst() == reg) return true;
        break;
      case OpKind::kLdx:
      case OpKind::kLdxSx:
        if (i.src() == reg) return false;
        if (i.dst() == reg) return true;
        break;
      case OpKind::kSt:
        if (i.dst() == reg) return false;
        break;
      case OpKind::kStx:
        if (i.dst() == reg || i.src() == reg) return false;
        break;
      default:
        return false;  // atomics, jumps, calls, exit: assume a read
    }
  }
  return false;
}

// Peephole: clang has no rotate in eBPF and spells rotr(X, n) as five instructions
//   T1 = X; T1 >>= n; T2 = X; T2 <<= w-n; T1 |= T2   (either shift first, either OR direction)
// Emitted as `mov D, X; ror D, n` when the temporary that is not the result is dead afterwards.
// Returns the number of slots consumed (0: no match).
uint32_t Translator::try_rotate(uint32_t pc) {
  if (pc + 5 > code_.size()) return 0;
  const auto& marks = prog_.info().marks;
  for (uint32_t j = pc + 1; j < pc + 5; ++j)
    if (marks[j] & (kMarkJumpTarget | kMarkFunctionStart | kMarkLddwHigh)) return 0;
  const Insn* s = &code_[pc];
  const uint8_t cls = insn_class(s[0].opcode);
  if (cls != kClassAlu && cls != kClassAlu64) return 0;
  const int width = cls == kClassAlu ? 32 : 64;
  auto is = [&](const Insn& i, uint8_t op, bool x) {
    return i.opcode == (cls | op | (x ? kSrcX : kSrcK)) && i.offset == 0;
  };
  if (!is(s[0], kAluMov, true) || !is(s[2], kAluMov, true) || !is(s[4], kAluOr, true)) return 0;
  const uint8_t x = s[0].src(), t1 = s[0].dst(), t2 = s[2].dst();
  if (s[2].src() != x || t1 == x || t2 == x || t1 == t2) return 0;
  const bool first_right = is(s[1], kAluRsh, false) && is(s[3], kAluLsh, false);
  const bool first_left = is(s[1], kAluLsh, false) && is(s[3], kAluRsh, false);
  if (!first_right && !first_left) return 0;
  if (s[1].dst() != t1 || s[3].dst() != t2) return 0;
  const int k1 = s[1].imm, k2 = s[3].imm;
  if (k1 <= 0 || k2 <= 0 || k1 + k2 != width) return 0;
  const uint8_t d = s[4].dst(), other = s[4].src();
  if (!((d == t1 && other == t2) || (d == t2 && other == t1))) return 0;
  if (!dead_after(pc + 5, other)) return 0;
  const int right = first_right ? k1 : k2;
  const Width w = width == 32 ? Width::W32 : Width::W64;
  as_.mov(w, kRegMap[d], kRegMap[x]);
  as_.shift(ShiftOp::Ror, w, kRegMap[d], static_cast<uint8_t>(right));
  return 5;
}

Cond jump_cond(uint8_t code) {
  switch (code) {
    case kJmpJeq: return Cond::E;
    case kJmpJne: return Cond::Ne;
    case kJmpJgt: return Cond::A;
    case kJmpJge: return Cond::Ae;
    case kJmpJlt: return Cond::B;
    case kJmpJle: return Cond::Be;
    case kJmpJsgt: return Cond::G;
    case kJmpJsge: return Cond::Ge;
    case kJmpJslt: return Cond::L;
    case kJmpJsle: return Cond::Le;
    default: return Cond::Ne;  // JSET: test, then "some bit set"
  }
}

void Translator::emit_jump(uint32_t pc, const Insn& i) {
  const int64_t delta = i.opcode == kOpJa32 ? int64_t{i.imm} : int64_t{i.offset};
  const auto target = static_cast<uint32_t>(static_cast<int64_t>(pc) + delta + 1);
  // Backward (or self) jumps are where loops close: check the budget before the compare, so
  // flags are free. Weight ~ instructions per iteration keeps the budget roughly time-shaped.
  if (target <= pc) emit_safepoint(pc, static_cast<int32_t>(std::min<uint32_t>(pc - target + 1, 4096)));
  if (i.opcode == kOpJa || i.opcode == kOpJa32) {
    as_.jmp(labels_[target]);
    return;
  }
  const Width w = insn_class(i.opcode) == kClassJmp32 ? Width::W32 : Width::W64;
  const Reg d = kRegMap[i.dst()];
  const uint8_t code = jmp_op(i.opcode);
  if (code == kJmpJset) {
    if (uses_src_reg(i.opcode)) {
      as_.test(w, d, kRegMap[i.src()]);
    } else {
      as_.test(w, d, i.imm);
    }
  } else if (uses_src_reg(i.opcode)) {
    as_.cmp(w, d, kRegMap[i.src()]);
  } else {
    as_.cmp(w, d, i.imm);
  }
  as_.jcc(jump_cond(code), labels_[target]);
}

void Translator::emit_call(uint32_t pc, const Insn& i) {
  if (i.src() == kCallLocal) {
    // The caller keeps R6-R9 (the callee may clobber them); R10 moves down one frame.
    const auto target = static_cast<uint32_t>(static_cast<int64_t>(pc) + i.imm + 1);
    const int32_t frame = static_cast<int32_t>(prog_.limits().frame_size());
    for (Reg r : {Reg::Rbx, Reg::R13, Reg::R14, Reg::R15}) as_.push(r);
    as_.sub(Width::W64, Reg::Rbp, frame);
    as_.call(labels_[target]);
    as_.add(Width::W64, Reg::Rbp, frame);
    for (Reg r : {Reg::R15, Reg::R14, Reg::R13, Reg::Rbx}) as_.pop(r);
    return;
  }
  // Helper: R1-R5 are already the SysV argument registers; the context goes in r9 (6th).
  HelperFn fn = prog_.helpers().fn(static_cast<uint32_t>(i.imm));
  as_.store(Width::W32, ctl(offsetof(ControlBlock, pc)), static_cast<int32_t>(pc));
  as_.store(Width::W64, ctl(offsetof(ControlBlock, budget)), kBudget);
  as_.load(Width::W64, Reg::R9, ctl(offsetof(ControlBlock, context)));
  emit_host_call(reinterpret_cast<uint64_t>(fn));
  as_.load(Width::W64, kBudget, ctl(offsetof(ControlBlock, budget)));
  SlowPath s{as_.new_label(), as_.new_label(), pc, true};
  as_.alu(AluOp::Cmp, Width::W32, ctl(offsetof(ControlBlock, helper_status)), 0);
  as_.jcc(Cond::Ne, s.entry);
  as_.bind(s.back);
  slow_.push_back(s);
  // Caller-saved registers now hold whatever the host left there: scrub R1-R5.
  for (int r = 1; r <= 5; ++r) as_.xor_(Width::W32, kRegMap[r], kRegMap[r]);
}

void Translator::emit_insn(uint32_t pc) {
  const Insn& i = code_[pc];
  const uint8_t cls = insn_class(i.opcode);
  switch (cls) {
    case kClassAlu:
    case kClassAlu64: return emit_alu(i);
    case kClassLd:
      as_.mov_imm(kRegMap[i.dst()], lddw_imm(i, code_[pc + 1]));
      return;
    case kClassLdx:
    case kClassSt:
    case kClassStx:
      if (mem_mode(i.opcode) == kModeAtomic) return emit_atomic(pc, i);
      return emit_memory(i);
    default: break;
  }
  const uint8_t code = jmp_op(i.opcode);
  if (code == kJmpExit) {
    as_.ret();
  } else if (code == kJmpCall) {
    emit_call(pc, i);
  } else {
    emit_jump(pc, i);
  }
}

Result<Translation> Translator::run() {
  Translation t;
  const auto& info = prog_.info();
  const auto n = static_cast<uint32_t>(code_.size());
  budget_stub_ = as_.new_label();
  helper_status_stub_ = as_.new_label();
  misaligned_stub_ = as_.new_label();
  labels_.reserve(n);
  for (uint32_t pc = 0; pc < n; ++pc) labels_.push_back(as_.new_label());
  t.trampoline_offset = as_.offset();
  emit_trampoline();
  emit_stubs();
  t.insn_offsets.resize(n + 1);
  uint32_t fused_until = 0;  // slots up to here were emitted by a fused pattern
  for (uint32_t pc = 0; pc < n; ++pc) {
    if (info.marks[pc] & kMarkFunctionStart) as_.align(16);
    t.insn_offsets[pc] = static_cast<uint32_t>(as_.offset());
    as_.bind(labels_[pc]);
    if ((info.marks[pc] & kMarkLddwHigh) || pc < fused_until) continue;
    if (info.marks[pc] & kMarkFunctionStart) emit_safepoint(pc, 1);
    if (uint32_t k = try_rotate(pc)) {
      fused_until = pc + k;
      continue;
    }
    emit_insn(pc);
  }
  t.insn_offsets[n] = static_cast<uint32_t>(as_.offset());
  for (const SlowPath& s : slow_) {
    as_.bind(s.entry);
    if (s.helper) {
      as_.call(helper_status_stub_);  // ControlBlock::pc already holds the call's pc
    } else {
      as_.store(Width::W32, ctl(offsetof(ControlBlock, pc)), static_cast<int32_t>(s.pc));
      as_.call(budget_stub_);
    }
    as_.jmp(s.back);
  }
  if (auto r = as_.finish(); !r) return r.error();
  return t;
}

}  // namespace

Result<Translation> translate(x86::Assembler& as, const Program& program,
                              const CompileOptions& options, const Hooks& hooks) {
  return Translator(as, program, options, hooks).run();
}

}  // namespace zs::ebpf::jit
