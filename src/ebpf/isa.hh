// The eBPF instruction set (RFC 9669, including the v4 additions), defined once for every consumer:
// loader, verifier, interpreter, JIT, assembler and disassembler all read opcodes from here.
// Only encoding facts live here; semantics are in interpreter.cc (the oracle) and jit/.
// Relies on a little-endian host: the register byte is dst in the low nibble, src in the high one.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace zs::ebpf {

// One 8-byte instruction slot (RFC 9669 §3). LDDW occupies two consecutive slots.
struct Insn {
  uint8_t opcode = 0;
  uint8_t regs = 0;  // dst = low nibble, src = high nibble
  int16_t offset = 0;
  int32_t imm = 0;

  uint8_t dst() const { return regs & 0x0f; }
  uint8_t src() const { return regs >> 4; }
  void set_dst(uint8_t r) { regs = static_cast<uint8_t>((regs & 0xf0) | (r & 0x0f)); }
  void set_src(uint8_t r) { regs = static_cast<uint8_t>((regs & 0x0f) | (r << 4)); }

  static Insn make(uint8_t op, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    Insn i;
    i.opcode = op;
    i.regs = static_cast<uint8_t>((dst & 0x0f) | (src << 4));
    i.offset = off;
    i.imm = imm;
    return i;
  }
};
static_assert(sizeof(Insn) == 8);

inline constexpr size_t kInsnSize = 8;
inline constexpr uint8_t kNumRegs = 11;  // R0..R10
inline constexpr uint8_t kFramePointer = 10;

// Instruction classes (low 3 bits of the opcode).
inline constexpr uint8_t kClassLd = 0x00;
inline constexpr uint8_t kClassLdx = 0x01;
inline constexpr uint8_t kClassSt = 0x02;
inline constexpr uint8_t kClassStx = 0x03;
inline constexpr uint8_t kClassAlu = 0x04;
inline constexpr uint8_t kClassJmp = 0x05;
inline constexpr uint8_t kClassJmp32 = 0x06;
inline constexpr uint8_t kClassAlu64 = 0x07;

// Source bit for ALU and JMP classes.
inline constexpr uint8_t kSrcK = 0x00;
inline constexpr uint8_t kSrcX = 0x08;

// ALU operation codes (high 4 bits).
inline constexpr uint8_t kAluAdd = 0x00;
inline constexpr uint8_t kAluSub = 0x10;
inline constexpr uint8_t kAluMul = 0x20;
inline constexpr uint8_t kAluDiv = 0x30;
inline constexpr uint8_t kAluOr = 0x40;
inline constexpr uint8_t kAluAnd = 0x50;
inline constexpr uint8_t kAluLsh = 0x60;
inline constexpr uint8_t kAluRsh = 0x70;
inline constexpr uint8_t kAluNeg = 0x80;
inline constexpr uint8_t kAluMod = 0x90;
inline constexpr uint8_t kAluXor = 0xa0;
inline constexpr uint8_t kAluMov = 0xb0;
inline constexpr uint8_t kAluArsh = 0xc0;
inline constexpr uint8_t kAluEnd = 0xd0;

// JMP operation codes (high 4 bits).
inline constexpr uint8_t kJmpJa = 0x00;
inline constexpr uint8_t kJmpJeq = 0x10;
inline constexpr uint8_t kJmpJgt = 0x20;
inline constexpr uint8_t kJmpJge = 0x30;
inline constexpr uint8_t kJmpJset = 0x40;
inline constexpr uint8_t kJmpJne = 0x50;
inline constexpr uint8_t kJmpJsgt = 0x60;
inline constexpr uint8_t kJmpJsge = 0x70;
inline constexpr uint8_t kJmpCall = 0x80;
inline constexpr uint8_t kJmpExit = 0x90;
inline constexpr uint8_t kJmpJlt = 0xa0;
inline constexpr uint8_t kJmpJle = 0xb0;
inline constexpr uint8_t kJmpJslt = 0xc0;
inline constexpr uint8_t kJmpJsle = 0xd0;

// Load/store size (bits 3-4) and mode (bits 5-7).
inline constexpr uint8_t kSizeW = 0x00;
inline constexpr uint8_t kSizeH = 0x08;
inline constexpr uint8_t kSizeB = 0x10;
inline constexpr uint8_t kSizeDW = 0x18;
inline constexpr uint8_t kModeImm = 0x00;
inline constexpr uint8_t kModeAbs = 0x20;
inline constexpr uint8_t kModeInd = 0x40;
inline constexpr uint8_t kModeMem = 0x60;
inline constexpr uint8_t kModeMemSx = 0x80;
inline constexpr uint8_t kModeAtomic = 0xc0;

// Atomic operations (imm field of STX|ATOMIC, RFC 9669 §5.3).
inline constexpr int32_t kAtomicFetch = 0x01;
inline constexpr int32_t kAtomicAdd = 0x00;
inline constexpr int32_t kAtomicOr = 0x40;
inline constexpr int32_t kAtomicAnd = 0x50;
inline constexpr int32_t kAtomicXor = 0xa0;
inline constexpr int32_t kAtomicXchg = 0xe0 | kAtomicFetch;
inline constexpr int32_t kAtomicCmpxchg = 0xf0 | kAtomicFetch;

// CALL src values (RFC 9669 §4.3.1).
inline constexpr uint8_t kCallHelper = 0;
inline constexpr uint8_t kCallLocal = 1;
inline constexpr uint8_t kCallBtf = 2;

// Frequently named full opcodes.
inline constexpr uint8_t kOpLddw = kClassLd | kModeImm | kSizeDW;   // 0x18
inline constexpr uint8_t kOpJa = kClassJmp | kJmpJa;                // 0x05
inline constexpr uint8_t kOpJa32 = kClassJmp32 | kJmpJa;            // 0x06 ("gotol")
inline constexpr uint8_t kOpCall = kClassJmp | kJmpCall;            // 0x85
inline constexpr uint8_t kOpCallx = kClassJmp | kJmpCall | kSrcX;   // 0x8d
inline constexpr uint8_t kOpExit = kClassJmp | kJmpExit;            // 0x95

inline uint8_t insn_class(uint8_t op) { return op & 0x07; }
inline uint8_t alu_op(uint8_t op) { return op & 0xf0; }
inline uint8_t jmp_op(uint8_t op) { return op & 0xf0; }
inline uint8_t mem_size_bits(uint8_t op) { return op & 0x18; }
inline uint8_t mem_mode(uint8_t op) { return op & 0xe0; }
inline bool uses_src_reg(uint8_t op) { return (op & kSrcX) != 0; }
inline bool is_alu(uint8_t op) { return insn_class(op) == kClassAlu || insn_class(op) == kClassAlu64; }
inline bool is_jmp(uint8_t op) { return insn_class(op) == kClassJmp || insn_class(op) == kClassJmp32; }

// Access width in bytes for a load/store opcode's size field.
inline unsigned mem_size_bytes(uint8_t op) {
  switch (mem_size_bits(op)) {
    case kSizeB: return 1;
    case kSizeH: return 2;
    case kSizeW: return 4;
    default: return 8;
  }
}

// True for the conditional jumps (JMP and JMP32 classes, excluding JA/CALL/EXIT).
inline bool is_cond_jump(uint8_t op) {
  if (!is_jmp(op)) return false;
  uint8_t c = jmp_op(op);
  return c != kJmpJa && c != kJmpCall && c != kJmpExit;
}

// What kind of instruction an opcode is, enough for the verifier to check its unused fields.
enum class OpKind : uint8_t {
  kInvalid,
  kAluK, kAluX, kNeg, kEnd,        // ALU/ALU64 (kEnd covers LE/BE and ALU64 BSWAP)
  kJa, kJa32, kJcondK, kJcondX, kCall, kExit,
  kLddw, kLdx, kLdxSx, kSt, kStx, kAtomic,
};

// Decoded facts about one opcode. `name` is the assembler mnemonic (without operands); for opcodes
// whose mnemonic depends on other fields (END width, SDIV, MOVSX, atomics) it is the base name.
struct OpInfo {
  OpKind kind = OpKind::kInvalid;
  std::string_view name;
};

// The single opcode table; every opcode not listed by RFC 9669 (incl. legacy packet loads and
// CALLX) is kInvalid.
const OpInfo& op_info(uint8_t opcode);

// Reads little-endian instruction slots from raw bytes. `bytes.size()` must be a multiple of 8.
inline Insn insn_at(std::span<const uint8_t> bytes, size_t index) {
  Insn i;
  std::memcpy(&i, bytes.data() + index * kInsnSize, kInsnSize);
  return i;
}

// LDDW's 64-bit immediate from its two slots.
inline uint64_t lddw_imm(const Insn& lo, const Insn& hi) {
  return static_cast<uint64_t>(static_cast<uint32_t>(lo.imm)) |
         (static_cast<uint64_t>(static_cast<uint32_t>(hi.imm)) << 32);
}

}  // namespace zs::ebpf
