// Interpreter semantics, straight from RFC 9669: ALU32 results zero-extend (§4.1); division by
// zero gives 0 and modulo by zero leaves dst (zero-extended for ALU32) (§4.1); signed INT_MIN / -1
// gives INT_MIN and INT_MIN % -1 gives 0 (bpf_conformance sdiv/smod-intmin tests); shift counts
// are masked to the operand width (§4.1: "masked"); JMP32 compares the low 32 bits (§4.3).
// After a helper call R1..R5 read as 0, matching the JIT, which scrubs them.
#include "ebpf/interpreter.hh"

#include <cstring>
#include <type_traits>

#include "base/assert.hh"

namespace zs::ebpf {
namespace {

// One ALU operation at the width of U (uint64_t for ALU64, uint32_t for ALU32; the caller
// zero-extends). offset 1 selects the signed div/mod forms; on MOV it is a sign-extension width.
template <typename U>
U alu(uint8_t op, U dst, U src, int16_t offset) {
  using S = std::make_signed_t<U>;
  constexpr U kShiftMask = sizeof(U) * 8 - 1;
  const bool sign = offset == 1;
  switch (op) {
    case kAluAdd: return dst + src;
    case kAluSub: return dst - src;
    case kAluMul: return dst * src;
    case kAluDiv:
      if (src == 0) return 0;
      if (!sign) return dst / src;
      if (static_cast<S>(src) == -1) return U{0} - dst;  // INT_MIN / -1 = INT_MIN
      return static_cast<U>(static_cast<S>(dst) / static_cast<S>(src));
    case kAluMod:
      if (src == 0) return dst;
      if (!sign) return dst % src;
      if (static_cast<S>(src) == -1) return 0;
      return static_cast<U>(static_cast<S>(dst) % static_cast<S>(src));
    case kAluOr: return dst | src;
    case kAluAnd: return dst & src;
    case kAluXor: return dst ^ src;
    case kAluLsh: return dst << (src & kShiftMask);
    case kAluRsh: return dst >> (src & kShiftMask);
    case kAluArsh: return static_cast<U>(static_cast<S>(dst) >> (src & kShiftMask));
    case kAluMov:  // MOVSX: sign-extend the low 8/16/32 bits (32 is the identity for ALU32)
      if (offset == 8) return static_cast<U>(static_cast<S>(static_cast<int8_t>(src)));
      if (offset == 16) return static_cast<U>(static_cast<S>(static_cast<int16_t>(src)));
      if (offset == 32) return static_cast<U>(static_cast<S>(static_cast<int32_t>(src)));
      return src;
    case kAluNeg: return U{0} - dst;
    default: return dst;
  }
}

uint64_t byte_swap(uint8_t opcode, uint64_t v, int32_t width) {
  const bool to_le = opcode == (kClassAlu | kAluEnd | kSrcK);
  if (to_le) {  // little-endian host: LE is a truncation to the width (RFC 9669 §4.2)
    if (width == 16) return static_cast<uint16_t>(v);
    if (width == 32) return static_cast<uint32_t>(v);
    return v;
  }
  if (width == 16) return __builtin_bswap16(static_cast<uint16_t>(v));
  if (width == 32) return __builtin_bswap32(static_cast<uint32_t>(v));
  return __builtin_bswap64(v);
}

bool condition(uint8_t op, bool is32, uint64_t a, uint64_t b) {
  if (is32) {
    a = static_cast<uint32_t>(a);
    b = static_cast<uint32_t>(b);
  }
  const int64_t sa = is32 ? static_cast<int32_t>(a) : static_cast<int64_t>(a);
  const int64_t sb = is32 ? static_cast<int32_t>(b) : static_cast<int64_t>(b);
  switch (op) {
    case kJmpJeq: return a == b;
    case kJmpJne: return a != b;
    case kJmpJgt: return a > b;
    case kJmpJge: return a >= b;
    case kJmpJlt: return a < b;
    case kJmpJle: return a <= b;
    case kJmpJset: return (a & b) != 0;
    case kJmpJsgt: return sa > sb;
    case kJmpJsge: return sa >= sb;
    case kJmpJslt: return sa < sb;
    case kJmpJsle: return sa <= sb;
    default: return false;
  }
}

uint64_t load(const uint8_t* p, unsigned size) {
  switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; std::memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; std::memcpy(&v, p, 4); return v; }
    default: { uint64_t v; std::memcpy(&v, p, 8); return v; }
  }
}

void store(uint8_t* p, unsigned size, uint64_t v) {
  switch (size) {
    case 1: *p = static_cast<uint8_t>(v); break;
    case 2: { auto x = static_cast<uint16_t>(v); std::memcpy(p, &x, 2); break; }
    case 4: { auto x = static_cast<uint32_t>(v); std::memcpy(p, &x, 4); break; }
    default: std::memcpy(p, &v, 8); break;
  }
}

uint64_t sign_extend(uint64_t v, unsigned size) {
  switch (size) {
    case 1: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(v)));
    case 2: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(v)));
    case 4: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
    default: return v;
  }
}

template <typename T>
T atomic_apply(T* p, int32_t op, T operand, T expected, bool& stored) {
  T old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
  stored = true;
  switch (op) {
    case kAtomicAdd: return __atomic_fetch_add(p, operand, __ATOMIC_SEQ_CST);
    case kAtomicOr: return __atomic_fetch_or(p, operand, __ATOMIC_SEQ_CST);
    case kAtomicAnd: return __atomic_fetch_and(p, operand, __ATOMIC_SEQ_CST);
    case kAtomicXor: return __atomic_fetch_xor(p, operand, __ATOMIC_SEQ_CST);
    case kAtomicXchg & ~kAtomicFetch: return __atomic_exchange_n(p, operand, __ATOMIC_SEQ_CST);
    case kAtomicCmpxchg & ~kAtomicFetch:
      old = expected;
      stored = __atomic_compare_exchange_n(p, &old, operand, false, __ATOMIC_SEQ_CST,
                                           __ATOMIC_SEQ_CST);
      return old;
    default: return old;
  }
}

}  // namespace

Interpreter::Interpreter(const Program& program, const Cage& cage, InvocationContext& ctx)
    : program_(program), cage_(cage), ctx_(ctx), code_(program.insns()) {
  frames_.reserve(program.limits().max_call_depth);
}

void Interpreter::start(uint32_t entry_pc, std::span<const uint64_t> args, uint64_t frame_top) {
  std::memset(regs_, 0, sizeof regs_);
  for (size_t i = 0; i < args.size() && i < 5; ++i) regs_[1 + i] = args[i];
  regs_[kFramePointer] = frame_top;
  pc_ = entry_pc;
  frames_.clear();
  fault_ = FaultKind::kNone;
}

bool Interpreter::step_memory(const Insn& i) {
  const unsigned size = mem_size_bytes(i.opcode);
  const uint8_t cls = insn_class(i.opcode);
  if (cls == kClassLdx) {
    const uint8_t* p = cage_.translate(regs_[i.src()] + static_cast<int64_t>(i.offset), size, false);
    if (!p) return false;
    uint64_t v = load(p, size);
    regs_[i.dst()] = mem_mode(i.opcode) == kModeMemSx ? sign_extend(v, size) : v;
    return true;
  }
  uint8_t* p = cage_.translate(regs_[i.dst()] + static_cast<int64_t>(i.offset), size, true);
  if (!p) return false;
  // ST stores the (sign-extended) immediate, STX the register; both truncated to the width.
  uint64_t v = cls == kClassSt ? static_cast<uint64_t>(static_cast<int64_t>(i.imm)) : regs_[i.src()];
  store(p, size, v);
  return true;
}

bool Interpreter::step_atomic(const Insn& i) {
  const unsigned size = mem_size_bytes(i.opcode);
  uint64_t addr = regs_[i.dst()] + static_cast<int64_t>(i.offset);
  // Alignment first, then the cage: the JIT checks in this order too.
  if ((addr & (size - 1)) != 0) {
    fault_ = FaultKind::kMisaligned;
    return false;
  }
  uint8_t* p = cage_.translate(addr, size, true);
  if (!p) {
    fault_ = FaultKind::kMemory;
    return false;
  }
  const int32_t op = i.imm & ~kAtomicFetch;
  const bool fetch = (i.imm & kAtomicFetch) != 0;
  bool stored;
  uint64_t old;
  if (size == 4) {
    old = atomic_apply(reinterpret_cast<uint32_t*>(p), op, static_cast<uint32_t>(regs_[i.src()]),
                       static_cast<uint32_t>(regs_[0]), stored);
  } else {
    old = atomic_apply(reinterpret_cast<uint64_t*>(p), op, regs_[i.src()], regs_[0], stored);
  }
  if (i.imm == kAtomicCmpxchg) {
    regs_[0] = old;  // always loaded, zero-extended for the 32-bit form (RFC 9669 §5.3)
  } else if (fetch) {
    regs_[i.src()] = old;
  }
  return true;
}

Interpreter::Stop Interpreter::run(uint64_t& budget) {
  const uint32_t frame_size = program_.limits().frame_size();
  for (;;) {
    if (budget == 0) return Stop::kBudget;
    --budget;
    const Insn i = code_[pc_];
    const uint8_t op = i.opcode;
    const uint8_t cls = insn_class(op);
    switch (cls) {
      case kClassAlu64:
      case kClassAlu: {
        uint64_t& dst = regs_[i.dst()];
        if (alu_op(op) == kAluEnd) {
          dst = byte_swap(op, dst, i.imm);
        } else if (cls == kClassAlu64) {
          uint64_t src = uses_src_reg(op) ? regs_[i.src()] : static_cast<uint64_t>(static_cast<int64_t>(i.imm));
          dst = alu<uint64_t>(alu_op(op), dst, src, i.offset);
        } else {
          uint32_t src = uses_src_reg(op) ? static_cast<uint32_t>(regs_[i.src()]) : static_cast<uint32_t>(i.imm);
          dst = alu<uint32_t>(alu_op(op), static_cast<uint32_t>(dst), src, i.offset);
        }
        ++pc_;
        break;
      }
      case kClassLd:  // only LDDW passes the verifier
        regs_[i.dst()] = lddw_imm(i, code_[pc_ + 1]);
        pc_ += 2;
        break;
      case kClassLdx:
      case kClassSt:
      case kClassStx:
        if (mem_mode(op) == kModeAtomic) {
          if (!step_atomic(i)) return Stop::kFault;
        } else if (!step_memory(i)) {
          fault_ = FaultKind::kMemory;
          return Stop::kFault;
        }
        ++pc_;
        break;
      case kClassJmp:
      case kClassJmp32: {
        const uint8_t code = jmp_op(op);
        if (op == kOpJa32) {
          pc_ += static_cast<uint32_t>(i.imm) + 1;
        } else if (code == kJmpJa) {
          pc_ += static_cast<uint32_t>(static_cast<int32_t>(i.offset)) + 1;
        } else if (code == kJmpExit) {
          if (frames_.empty()) return Stop::kExit;
          const Frame& f = frames_.back();
          std::memcpy(&regs_[6], f.saved, sizeof f.saved);
          pc_ = f.return_pc;
          frames_.pop_back();
        } else if (code == kJmpCall) {
          if (i.src() == kCallLocal) {
            ZS_ASSERT(frames_.size() < program_.limits().max_call_depth);  // verified statically
            Frame f;
            f.return_pc = pc_ + 1;
            std::memcpy(f.saved, &regs_[6], sizeof f.saved);
            frames_.push_back(f);
            regs_[kFramePointer] -= frame_size;
            pc_ += static_cast<uint32_t>(i.imm) + 1;
          } else {
            HelperFn fn = program_.helpers().fn(static_cast<uint32_t>(i.imm));
            regs_[0] = fn(regs_[1], regs_[2], regs_[3], regs_[4], regs_[5], ctx_);
            for (int r = 1; r <= 5; ++r) regs_[r] = 0;
            if (ctx_.failed()) {
              fault_ = FaultKind::kHelper;
              return Stop::kFault;
            }
            ++pc_;
            if (ctx_.parked()) {
              *ctx_.status_ = 0;
              return Stop::kPark;
            }
          }
        } else {
          uint64_t b = uses_src_reg(op) ? regs_[i.src()] : static_cast<uint64_t>(static_cast<int64_t>(i.imm));
          pc_ += condition(code, cls == kClassJmp32, regs_[i.dst()], b)
                     ? static_cast<uint32_t>(static_cast<int32_t>(i.offset)) + 1
                     : 1;
        }
        break;
      }
    }
  }
}

}  // namespace zs::ebpf
