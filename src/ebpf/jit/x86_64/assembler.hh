// x86-64 machine-code assembler for the eBPF JIT: typed instruction emitters over a code buffer,
// labels with rel32/rel8 fixups, and call/jump targets outside the code resolved once the code's
// runtime address is known. It knows nothing of eBPF (translation lives beside it in jit/x86_64/)
// and never maps memory: flipping RW -> RX is the caller's job (never W+X, STYLE.md rule 10).
// Every instruction's length depends only on its arguments, never on where code lands or on label
// distances, so a measure-only pass yields exactly the size of the real pass. Relies on the Intel
// SDM vol. 2 encodings (REX, ModRM/SIB, VEX for BMI2) and base/result.hh.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <vector>

#include "base/result.hh"

namespace zs::ebpf::x86 {

// The 16 general-purpose registers, valued by their hardware number (Intel SDM vol. 2 §2.1.5):
// bit 3 goes into a REX (or VEX) prefix, bits 0-2 into ModRM/SIB/opcode.
enum class Reg : uint8_t {
  Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi,
  R8, R9, R10, R11, R12, R13, R14, R15,
};
inline constexpr int kRegCount = 16;
constexpr uint8_t reg_number(Reg r) { return static_cast<uint8_t>(r); }

// Operand size. ALU, shift and move instructions accept W32 and W64 (a W32 result zero-extends
// into the full register, as on hardware); memory loads/stores accept all four.
enum class Width : uint8_t { W8, W16, W32, W64 };
constexpr int width_bytes(Width w) { return 1 << static_cast<int>(w); }

// Condition codes, valued by their x86 encoding (the low nibble of Jcc/SETcc/CMOVcc).
// B/Ae/Be/A are the unsigned comparisons, L/Ge/Le/G the signed ones.
enum class Cond : uint8_t { O, No, B, Ae, E, Ne, Be, A, S, Ns, P, Np, L, Ge, Le, G };
// The opposite condition: x86 pairs each condition with its negation in the lowest bit.
constexpr Cond cond_negate(Cond c) { return static_cast<Cond>(static_cast<uint8_t>(c) ^ 1); }

// The eight classic two-operand ALU operations, valued by their ModRM /digit (opcode 0x81 /n).
enum class AluOp : uint8_t { Add, Or, Adc, Sbb, And, Sub, Xor, Cmp };

// Shift/rotate operations, valued by their ModRM /digit (opcodes 0xC1 /n, 0xD3 /n).
enum class ShiftOp : uint8_t { Rol = 0, Ror = 1, Shl = 4, Shr = 5, Sar = 7 };

enum class Scale : uint8_t { X1, X2, X4, X8 };

// A memory operand [base + index*scale + disp]. There is no base-less or RIP-relative form here
// (see lea(Reg, Label) for the one RIP-relative use). The index may not be rsp (the SIB encoding
// reserves it for "no index"); every other combination, including rbp/r13/rsp/r12 bases, works.
struct Mem {
  Reg base = Reg::Rax;
  Reg index = Reg::Rax;
  bool has_index = false;
  Scale scale = Scale::X1;
  int32_t disp = 0;
};
constexpr Mem mem(Reg base, int32_t disp = 0) {
  return Mem{.base = base, .index = Reg::Rax, .has_index = false, .scale = Scale::X1, .disp = disp};
}
constexpr Mem mem(Reg base, Reg index, int32_t disp = 0) {
  return Mem{.base = base, .index = index, .has_index = true, .scale = Scale::X1, .disp = disp};
}
constexpr Mem mem(Reg base, Reg index, Scale scale, int32_t disp) {
  return Mem{.base = base, .index = index, .has_index = true, .scale = scale, .disp = disp};
}

// Bytes, the lowest layer: where emitted code goes. Three modes:
//  - growable (default): an owned std::vector;
//  - fixed: a caller-given span (e.g. the RW mapping that later becomes RX); writing past its end
//    writes nothing, keeps counting, and marks the buffer overflowed (reported by finish());
//  - measure-only: writes nothing, only counts (pass 1 of the JIT).
class CodeBuffer {
 public:
  CodeBuffer() = default;
  explicit CodeBuffer(std::span<uint8_t> out);
  static CodeBuffer measure_only();

  // Bytes emitted so far (also counted in measure-only mode and past a fixed buffer's end).
  size_t size() const { return size_; }
  bool measuring() const { return mode_ == Mode::Measure; }
  bool overflowed() const { return size_ > capacity(); }
  // The bytes written so far: empty in measure-only mode, clipped to the span in fixed mode.
  std::span<const uint8_t> bytes() const;

  void emit8(uint8_t v);
  void emit16(uint16_t v);  // little-endian, as all x86 immediates and displacements
  void emit32(uint32_t v);
  void emit64(uint64_t v);
  void emit(std::span<const uint8_t> bytes);
  // Overwrites bytes already emitted at `at` (a no-op where nothing was stored).
  void patch8(size_t at, uint8_t v);
  void patch32(size_t at, uint32_t v);

 private:
  enum class Mode : uint8_t { Growable, Fixed, Measure };
  size_t capacity() const;
  uint8_t* slot(size_t at);  // nullptr when `at` is not stored

  Mode mode_ = Mode::Growable;
  std::vector<uint8_t> owned_;
  std::span<uint8_t> fixed_;
  size_t size_ = 0;
};

// A position in the code, bound once, usable before (forward) or after (backward) binding.
// Label ids are dense and handed out in creation order, so two passes that create labels in the
// same order get the same ids. A Label belongs to the Assembler that made it.
class Label {
 public:
  Label() = default;  // an invalid label; using it is a bug (asserted)
  bool valid() const { return id_ != kInvalid; }
  uint32_t id() const { return id_; }

 private:
  friend class Assembler;
  static constexpr uint32_t kInvalid = UINT32_MAX;
  explicit Label(uint32_t id) : id_(id) {}
  uint32_t id_ = kInvalid;
};

// Instructions, the top layer. Misuse that can only be a bug in the caller (an rsp index, a W8
// ALU op, an unbound label bound twice, ...) trips ZS_ASSERT; conditions that depend on the
// program being compiled (a rel8 jump that does not fit, a full fixed buffer, an external target
// out of rel32 range, a label used but never bound) are reported as zs::Error by finish() or
// link_external(). Not thread-safe; one Assembler per compilation.
//
// Operand order follows Intel syntax: destination first. Immediates are sign-extended to the
// operand size unless stated. Flags are affected exactly as the named x86 instruction does.
class Assembler {
 public:
  Assembler() = default;                            // growable buffer
  explicit Assembler(std::span<uint8_t> out) : buf_(out) {}  // fixed buffer
  static Assembler measure_only();                  // counts bytes, writes nothing

  // ---- Code and completion ----
  size_t offset() const { return buf_.size(); }     // current position, in bytes from the start
  const CodeBuffer& buffer() const { return buf_; }
  std::span<const uint8_t> code() const { return buf_.bytes(); }
  // Resolves every jump/call/lea to a label and reports the first error met while assembling.
  // Call once, after the last instruction; code() is complete only after it succeeds (forward
  // label references are patched here).
  Result<void> finish();
  // Patches every call_external/jmp_external for code that will run at `runtime_address` (the
  // address of byte 0). May be called again with another address (e.g. after copying the code).
  // Error if a target is beyond rel32 reach of its call site. A no-op in measure-only mode.
  Result<void> link_external(uint64_t runtime_address);

  // ---- Labels ----
  Label new_label();
  void bind(Label label);                 // at offset(); a label is bound exactly once
  bool is_bound(Label label) const;
  size_t label_offset(Label label) const;  // asserts is_bound

  // ---- Moves ----
  void mov(Width w, Reg dst, Reg src);                   // W32 zero-extends into dst
  // W32: dst = zero-extended imm (5-6 bytes); W64: dst = sign-extended imm (7 bytes).
  void mov(Width w, Reg dst, int32_t imm);
  void mov_imm64(Reg dst, uint64_t imm);                  // movabs, always 10 bytes
  // dst = imm using the shortest of the three forms above (length depends only on imm).
  void mov_imm(Reg dst, uint64_t imm);
  // dst = zero-extended value of width w at src (movzx for W8/W16, mov for W32/W64).
  void load(Width w, Reg dst, const Mem& src);
  // dst = sign-extended (to 64 bits) value of width w at src (movsx / movsxd; W64 is a plain load).
  void load_signed(Width w, Reg dst, const Mem& src);
  void store(Width w, const Mem& dst, Reg src);          // low w bits of src; W8 any register
  // Stores imm truncated to w; W64 stores the sign-extended imm32. W8 requires -128..255,
  // W16 requires -32768..65535.
  void store(Width w, const Mem& dst, int32_t imm);
  // dst = zero-extension of the low W8/W16/W32 bits of src into all 64 bits.
  void movzx(Width from, Reg dst, Reg src);
  // dst = sign-extension of the low `from` bits of src to `to` (W32 or W64; a W32 result is then
  // zero-extended to 64 bits). from: W8/W16, or W32 when to is W64 (movsxd).
  void movsx(Width to, Width from, Reg dst, Reg src);
  // dst = address of src computed in w bits (W32 truncates the sum to 32 bits, zero-extended).
  void lea(Width w, Reg dst, const Mem& src);
  void lea(Reg dst, Label target);                       // RIP-relative: dst = address of target
  void xchg(Width w, Reg a, Reg b);                       // W32/W64
  // if (c) dst = src. W32 zero-extends dst even when c is false (SDM vol. 2, CMOVcc).
  void cmov(Cond c, Width w, Reg dst, Reg src);
  void setcc(Cond c, Reg dst);                            // low byte of dst = c ? 1 : 0; rest kept
  void push(Reg r);
  void pop(Reg r);

  // ---- Integer arithmetic (W32/W64) ----
  void alu(AluOp op, Width w, Reg dst, Reg src);
  void alu(AluOp op, Width w, Reg dst, int32_t imm);      // imm8 form when imm fits in int8
  void alu(AluOp op, Width w, Reg dst, const Mem& src);
  void alu(AluOp op, Width w, const Mem& dst, Reg src);
  void alu(AluOp op, Width w, const Mem& dst, int32_t imm);
  void add(Width w, Reg dst, Reg src) { alu(AluOp::Add, w, dst, src); }
  void add(Width w, Reg dst, int32_t imm) { alu(AluOp::Add, w, dst, imm); }
  void sub(Width w, Reg dst, Reg src) { alu(AluOp::Sub, w, dst, src); }
  void sub(Width w, Reg dst, int32_t imm) { alu(AluOp::Sub, w, dst, imm); }
  void and_(Width w, Reg dst, Reg src) { alu(AluOp::And, w, dst, src); }
  void and_(Width w, Reg dst, int32_t imm) { alu(AluOp::And, w, dst, imm); }
  void or_(Width w, Reg dst, Reg src) { alu(AluOp::Or, w, dst, src); }
  void or_(Width w, Reg dst, int32_t imm) { alu(AluOp::Or, w, dst, imm); }
  void xor_(Width w, Reg dst, Reg src) { alu(AluOp::Xor, w, dst, src); }
  void xor_(Width w, Reg dst, int32_t imm) { alu(AluOp::Xor, w, dst, imm); }
  void cmp(Width w, Reg a, Reg b) { alu(AluOp::Cmp, w, a, b); }   // flags of a - b
  void cmp(Width w, Reg a, int32_t imm) { alu(AluOp::Cmp, w, a, imm); }
  void test(Width w, Reg a, Reg b);                       // flags of a & b
  void test(Width w, Reg a, int32_t imm);                 // always the imm32 form
  void neg(Width w, Reg r);
  void not_(Width w, Reg r);
  void inc(Width w, Reg r);
  void dec(Width w, Reg r);
  void imul(Width w, Reg dst, Reg src);                   // dst = low half of dst * src
  void imul(Width w, Reg dst, Reg src, int32_t imm);      // dst = low half of src * imm
  // One-operand forms on rdx:rax (edx:eax for W32): mul/div unsigned, idiv signed. div/idiv
  // fault (#DE) on a zero divisor or an overflowing quotient; the caller must rule both out.
  void mul(Width w, Reg src);
  void div(Width w, Reg divisor);
  void idiv(Width w, Reg divisor);
  void sign_extend_rax(Width w);                          // W32: cdq; W64: cqo (rdx = sign of rax)

  // ---- Shifts, rotates, byte swaps ----
  // Counts are masked by the hardware to 5 bits (W8/W16/W32) or 6 bits (W64); W16 is allowed
  // here (rol(W16, r, 8) swaps the low two bytes and keeps bits 16-63). A W32 shift whose masked
  // count is 0 is not promised to clear bits 32-63 (the SDM leaves the destination unwritten):
  // follow it with mov(W32, r, r) where that matters. shlx/shrx/sarx always write dst.
  void shift(ShiftOp op, Width w, Reg dst, uint8_t count);
  void shift_cl(ShiftOp op, Width w, Reg dst);            // count in cl
  void shl(Width w, Reg dst, uint8_t count) { shift(ShiftOp::Shl, w, dst, count); }
  void shr(Width w, Reg dst, uint8_t count) { shift(ShiftOp::Shr, w, dst, count); }
  void sar(Width w, Reg dst, uint8_t count) { shift(ShiftOp::Sar, w, dst, count); }
  void rol(Width w, Reg dst, uint8_t count) { shift(ShiftOp::Rol, w, dst, count); }
  // BMI2 (check cpuid before running): dst = src shifted by count (any register), flags kept.
  void shlx(Width w, Reg dst, Reg src, Reg count);
  void shrx(Width w, Reg dst, Reg src, Reg count);
  void sarx(Width w, Reg dst, Reg src, Reg count);
  void bswap(Width w, Reg r);                             // W32 (zero-extends) or W64

  // ---- Atomics (all lock-prefixed: full barriers) ----
  void lock_alu(AluOp op, Width w, const Mem& dst, Reg src);  // lock add/or/and/xor/sub [dst], src
  void lock_xadd(Width w, const Mem& dst, Reg src);       // src = old [dst]; [dst] += src
  void xchg(Width w, const Mem& dst, Reg src);            // implicitly locked swap
  // if ([dst] == rax/eax) [dst] = src, ZF=1; else rax/eax = [dst], ZF=0. W32 zero-extends eax
  // on both paths.
  void lock_cmpxchg(Width w, const Mem& dst, Reg src);

  // ---- Control flow ----
  void jmp(Label target);                                  // rel32, 5 bytes
  void jcc(Cond c, Label target);                          // rel32, 6 bytes
  // rel8 forms (2 bytes): finish() reports an error if the target turns out to be out of reach.
  void jmp_short(Label target);
  void jcc_short(Cond c, Label target);
  void call(Label target);                                 // rel32, 5 bytes
  void call(Reg target);
  void call(const Mem& target);
  void jmp(Reg target);
  // rel32 to an absolute address outside the code, patched by link_external(); 5 bytes each.
  // Only for targets within +-2 GiB of the code (e.g. thunks mapped next to it): in a PIE, an
  // anonymous mapping is usually farther than that from the executable's own functions, which
  // are reached with mov_imm64(scratch, address) + call(scratch) instead.
  void call_external(uint64_t target);
  void jmp_external(uint64_t target);
  void ret();

  // ---- Miscellaneous ----
  void nop(size_t n = 1);          // n bytes of the SDM's recommended multi-byte NOPs
  void align(size_t alignment);    // NOPs up to the next multiple of alignment (a power of two)
  void int3();
  void ud2();
  void rdtsc();                    // edx:eax = time-stamp counter (upper halves cleared)
  void lfence();
  void mfence();
  void pause();
  void emit_bytes(std::span<const uint8_t> bytes);  // raw data, e.g. a table after the code
  void emit_u64(uint64_t v);

 private:
  enum class FixupKind : uint8_t { Rel8, Rel32 };
  struct Fixup {
    size_t at;        // where the displacement is stored
    size_t end;       // offset it is relative to (end of the instruction)
    uint32_t label;
    FixupKind kind;
  };
  struct ExternalFixup {
    size_t at;
    size_t end;
    uint64_t target;
  };
  struct Rex;  // prefix/REX assembly state, defined in assembler.cc
  static Rex rex_for(Width w);

  // ---- Encodings (the middle layer) ----
  void emit_prefixes(const Rex& rex);
  void emit_op_reg(const Rex& rex, std::initializer_list<uint8_t> opcode, uint8_t reg_field,
                   Reg rm);
  void emit_op_mem(const Rex& rex, std::initializer_list<uint8_t> opcode, uint8_t reg_field,
                   const Mem& rm);
  void emit_modrm_mem(uint8_t reg_field, const Mem& m);
  void emit_imm(Width w, int32_t imm);
  void emit_rel(FixupKind kind, Label target);
  void emit_vex_shift(uint8_t pp, Width w, Reg dst, Reg src, Reg count);
  void emit_group(uint8_t opcode, uint8_t digit, Width w, Reg r);
  void record_error(Error error);

  CodeBuffer buf_;
  std::vector<int64_t> labels_;  // offset per label id, -1 while unbound
  std::vector<Fixup> fixups_;
  std::vector<ExternalFixup> externals_;
  std::optional<Error> error_;   // the first error met; later ones add nothing new
};

}  // namespace zs::ebpf::x86
