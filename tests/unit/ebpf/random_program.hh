// Random eBPF program generator for differential testing (interpreter vs JIT) and the
// ebpf_diff fuzzer. Programs pass the verifier by construction: forward jumps inside a function,
// bounded loops (the only backward jumps), no R10 writes, an optional callee function, helper 0
// as the only helper. Memory
// accesses are mostly inside the current stack frame, sometimes wild, so faults are exercised.
// Deterministic for a given byte source, so a fuzzer input maps to one program.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ebpf/isa.hh"

namespace zs::ebpf::testing_support {

// A byte source: a fuzzer input or a seeded PRNG stream; yields zeros when exhausted.
class ByteSource {
 public:
  ByteSource(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  explicit ByteSource(uint64_t seed) : seed_(seed | 1) {}

  uint8_t u8() {
    if (data_) return pos_ < size_ ? data_[pos_++] : 0;
    seed_ ^= seed_ << 13;
    seed_ ^= seed_ >> 7;
    seed_ ^= seed_ << 17;
    return static_cast<uint8_t>(seed_ >> 24);
  }
  uint32_t u32() { return u8() | uint32_t{u8()} << 8 | uint32_t{u8()} << 16 | uint32_t{u8()} << 24; }
  uint32_t below(uint32_t n) { return n == 0 ? 0 : u32() % n; }
  bool exhausted() const { return data_ && pos_ >= size_; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;
  uint64_t seed_ = 0;
};

inline int32_t interesting_imm(ByteSource& src) {
  static const int32_t kValues[] = {0, 1, -1, 2, 7, 31, 32, 63, 64, 255, -128, 0x7fffffff,
                                    INT32_MIN, 0x10000, -65536, 16};
  return src.u8() < 128 ? kValues[src.below(16)] : static_cast<int32_t>(src.u32());
}

// Appends one random instruction (a few slots at most). In a loop body R9 is the loop counter
// and is never written.
inline void random_insn(ByteSource& src, std::vector<Insn>& out, std::vector<size_t>* call_sites,
                        bool in_loop) {
  const uint8_t writable = in_loop ? 9 : 10;
  const uint8_t dst = static_cast<uint8_t>(src.below(writable));
  const uint8_t reg = static_cast<uint8_t>(src.below(11));
  const uint8_t kind = src.u8();
  if (kind < 110) {  // ALU
    static const uint8_t kOps[] = {kAluAdd, kAluSub, kAluMul, kAluDiv, kAluOr, kAluAnd, kAluLsh,
                                   kAluRsh, kAluNeg, kAluMod, kAluXor, kAluMov, kAluArsh, kAluEnd};
    const uint8_t op = kOps[src.below(14)];
    const uint8_t cls = src.u8() & 1 ? kClassAlu64 : kClassAlu;
    if (op == kAluNeg) {
      out.push_back(Insn::make(cls | op, dst, 0, 0, 0));
    } else if (op == kAluEnd) {
      static const int32_t kW[] = {16, 32, 64};
      uint8_t opcode = cls == kClassAlu ? (src.u8() & 1 ? 0xdc : 0xd4) : 0xd7;
      out.push_back(Insn::make(opcode, dst, 0, 0, kW[src.below(3)]));
    } else {
      int16_t off = 0;
      if ((op == kAluDiv || op == kAluMod) && (src.u8() & 1)) off = 1;
      const bool x = src.u8() & 1;
      if (op == kAluMov && x && (src.u8() & 3) == 0) {
        static const int16_t kSx[] = {8, 16, 32};
        off = kSx[src.below(cls == kClassAlu64 ? 3 : 2)];
      }
      if (x) {
        out.push_back(Insn::make(cls | kSrcX | op, dst, reg, off, 0));
      } else {
        out.push_back(Insn::make(cls | op, dst, 0, off, interesting_imm(src)));
      }
    }
  } else if (kind < 150) {  // conditional forward jump (target clamped later)
    static const uint8_t kJ[] = {kJmpJeq, kJmpJgt, kJmpJge, kJmpJset, kJmpJne, kJmpJsgt,
                                 kJmpJsge, kJmpJlt, kJmpJle, kJmpJslt, kJmpJsle};
    const uint8_t cls = src.u8() & 1 ? kClassJmp : kClassJmp32;
    const uint8_t op = kJ[src.below(11)];
    const int16_t skip = static_cast<int16_t>(src.below(8));
    if (src.u8() & 1) {
      out.push_back(Insn::make(cls | kSrcX | op, dst, reg, skip, 0));
    } else {
      out.push_back(Insn::make(cls | op, dst, 0, skip, interesting_imm(src)));
    }
  } else if (kind < 215) {  // load/store, mostly in the current frame
    static const uint8_t kSizes[] = {kSizeB, kSizeH, kSizeW, kSizeDW};
    const uint8_t size = kSizes[src.below(4)];
    const bool frame = src.u8() < 230;
    const uint8_t base = frame ? kFramePointer : reg;
    const auto off = static_cast<int16_t>(frame ? -static_cast<int>(1 + src.below(512)) & ~7
                                                : static_cast<int16_t>(src.u32()));
    const uint8_t what = src.below(4);
    if (what == 0) {
      out.push_back(Insn::make(kClassLdx | kModeMem | size, dst, base, off, 0));
    } else if (what == 1 && size != kSizeDW) {
      out.push_back(Insn::make(kClassLdx | kModeMemSx | size, dst, base, off, 0));
    } else if (what == 2) {
      out.push_back(Insn::make(kClassSt | kModeMem | size, base, 0, off, interesting_imm(src)));
    } else {
      out.push_back(Insn::make(kClassStx | kModeMem | size, base, reg == 10 ? 1 : reg, off, 0));
    }
  } else if (kind < 235) {  // atomics on the frame (fetch forms write their source register)
    static const int32_t kA[] = {0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1};
    const uint8_t size = src.u8() & 1 ? kSizeDW : kSizeW;
    const auto off = static_cast<int16_t>(-8 * static_cast<int>(1 + src.below(64)) +
                                          (src.u8() < 8 ? 2 : 0));
    const uint8_t s = static_cast<uint8_t>(src.below(writable));
    out.push_back(Insn::make(kClassStx | kModeAtomic | size, kFramePointer, s, off, kA[src.below(10)]));
  } else if (kind < 245) {  // helper 0
    out.push_back(Insn::make(kOpCall, 0, kCallHelper, 0, 0));
  } else if (call_sites) {  // local call, target patched by the caller
    call_sites->push_back(out.size());
    out.push_back(Insn::make(kOpCall, 0, kCallLocal, 0, 0));
  } else {
    out.push_back(Insn::make(kOpJa, 0, 0, static_cast<int16_t>(src.below(4)), 0));
  }
}

// Appends one function of about `len` slots ending in EXIT: a prologue giving every register a
// value, random instructions, and bounded loops (counter R9, 1..12 iterations, not nested).
inline void random_function(ByteSource& src, std::vector<Insn>& out, uint32_t len,
                            std::vector<size_t>* call_sites) {
  for (uint8_t r = 0; r <= 9; ++r) {
    if ((r == 1 || r == 2) && src.u8() < 128) continue;  // sometimes keep the entry arguments
    if (src.u8() < 64) {
      uint64_t v = uint64_t{src.u32()} << 32 | src.u32();
      out.push_back(Insn::make(kOpLddw, r, 0, 0, static_cast<int32_t>(v)));
      out.push_back(Insn::make(0, 0, 0, 0, static_cast<int32_t>(v >> 32)));
    } else {
      out.push_back(Insn::make(kClassAlu64 | kAluMov, r, 0, 0, interesting_imm(src)));
    }
  }
  struct Loop {
    size_t init, start, back;  // `mov r9, K`, first body slot, the backward `jne`
  };
  std::vector<Loop> loops;
  const size_t body = out.size();
  for (uint32_t k = 0; k < len;) {
    if (len - k > 6 && src.u8() < 20) {
      Loop l;
      l.init = out.size();
      out.push_back(Insn::make(kClassAlu64 | kAluMov, 9, 0, 0, static_cast<int32_t>(1 + src.below(12))));
      l.start = out.size();
      const uint32_t n = 2 + src.below(8);
      for (uint32_t j = 0; j < n; ++j) random_insn(src, out, call_sites, true);
      out.push_back(Insn::make(kClassAlu64 | kAluAdd, 9, 0, 0, -1));
      l.back = out.size();
      out.push_back(Insn::make(kClassJmp | kJmpJne, 9, 0, static_cast<int16_t>(l.start - l.back - 1), 0));
      loops.push_back(l);
      k += n + 3;
    } else {
      random_insn(src, out, call_sites, false);
      ++k;
    }
  }
  out.push_back(Insn::make(kOpExit, 0, 0, 0, 0));
  // Forward jumps stay inside their loop body (at most onto its decrement), and jumps from
  // outside never land inside a loop (they skip past it), so every loop runs from its init.
  const size_t end = out.size();
  for (size_t pc = body; pc + 1 < end; ++pc) {
    Insn& i = out[pc];
    if (!is_jmp(i.opcode) || i.opcode == kOpCall || i.opcode == kOpExit || i.offset < 0) continue;
    size_t t = pc + static_cast<size_t>(i.offset) + 1;
    const Loop* inside = nullptr;
    for (const Loop& l : loops)
      if (pc >= l.start && pc < l.back) inside = &l;
    if (inside) {
      t = std::min(t, inside->back - 1);  // at most onto the decrement, never past it
    } else {
      t = std::min(t, end - 1);
      for (const Loop& l : loops)
        if (t > l.init && t <= l.back) t = l.back + 1;
    }
    i.offset = static_cast<int16_t>(t - pc - 1);
  }
}

// A whole program: main function, optionally followed by one callee that main calls.
inline std::vector<Insn> random_program(ByteSource& src, uint32_t len) {
  std::vector<Insn> code;
  std::vector<size_t> calls;
  random_function(src, code, len, &calls);
  if (!calls.empty()) {
    const size_t callee = code.size();
    random_function(src, code, len / 2 + 1, nullptr);
    for (size_t pc : calls) code[pc].imm = static_cast<int32_t>(callee - pc - 1);
  }
  return code;
}

}  // namespace zs::ebpf::testing_support
