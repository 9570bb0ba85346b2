// Encodes x86-64 instructions, in three layers: bytes (CodeBuffer), encodings (prefixes, REX,
// ModRM/SIB/displacement, immediates, VEX, rel fixups) and one function per instruction form.
// It never picks a shorter encoding from a label distance, so lengths are pass-independent.
// Relies on the Intel SDM vol. 2: §2.1-2.2 (prefixes, REX, ModRM/SIB tables 2-2/2-3), §2.3 (VEX),
// and the opcode pages of each instruction.
#include "ebpf/jit/x86_64/assembler.hh"

#include <cinttypes>
#include <cstdio>
#include <string>

#include "base/assert.hh"

namespace zs::ebpf::x86 {

namespace {

constexpr uint8_t low3(Reg r) { return reg_number(r) & 7; }
constexpr uint8_t high1(Reg r) { return reg_number(r) >> 3; }
constexpr bool fits_int8(int64_t v) { return v >= -128 && v <= 127; }
constexpr bool fits_int32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

// Register numbers 4-7 as byte registers mean ah/ch/dh/bh without a REX prefix and spl/bpl/sil/dil
// with one (SDM vol. 2 §2.2.1.2), so a byte operand in those registers forces an (empty) REX.
constexpr bool byte_reg_needs_rex(uint8_t number) { return number >= 4 && number <= 7; }

void assert_w32_or_w64(Width w) { ZS_ASSERT(w == Width::W32 || w == Width::W64); }

std::string hex(uint64_t v) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%" PRIx64, v);
  return text;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Bytes
// ---------------------------------------------------------------------------------------------

CodeBuffer::CodeBuffer(std::span<uint8_t> out) : mode_(Mode::Fixed), fixed_(out) {}

CodeBuffer CodeBuffer::measure_only() {
  CodeBuffer buf;
  buf.mode_ = Mode::Measure;
  return buf;
}

size_t CodeBuffer::capacity() const {
  return mode_ == Mode::Fixed ? fixed_.size() : SIZE_MAX;
}

std::span<const uint8_t> CodeBuffer::bytes() const {
  switch (mode_) {
    case Mode::Growable: return owned_;
    case Mode::Fixed: return fixed_.first(size_ < fixed_.size() ? size_ : fixed_.size());
    case Mode::Measure: return {};
  }
  return {};
}

uint8_t* CodeBuffer::slot(size_t at) {
  switch (mode_) {
    case Mode::Growable: return at < owned_.size() ? &owned_[at] : nullptr;
    case Mode::Fixed: return at < fixed_.size() ? &fixed_[at] : nullptr;
    case Mode::Measure: return nullptr;
  }
  return nullptr;
}

void CodeBuffer::emit8(uint8_t v) {
  if (mode_ == Mode::Growable) {
    owned_.push_back(v);
  } else if (mode_ == Mode::Fixed && size_ < fixed_.size()) {
    fixed_[size_] = v;
  }
  ++size_;
}

void CodeBuffer::emit16(uint16_t v) {
  emit8(static_cast<uint8_t>(v));
  emit8(static_cast<uint8_t>(v >> 8));
}

void CodeBuffer::emit32(uint32_t v) {
  for (int i = 0; i < 4; ++i) emit8(static_cast<uint8_t>(v >> (8 * i)));
}

void CodeBuffer::emit64(uint64_t v) {
  for (int i = 0; i < 8; ++i) emit8(static_cast<uint8_t>(v >> (8 * i)));
}

void CodeBuffer::emit(std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes) emit8(b);
}

void CodeBuffer::patch8(size_t at, uint8_t v) {
  if (uint8_t* p = slot(at)) *p = v;
}

void CodeBuffer::patch32(size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i) patch8(at + i, static_cast<uint8_t>(v >> (8 * i)));
}

// ---------------------------------------------------------------------------------------------
// Completion and labels
// ---------------------------------------------------------------------------------------------

Assembler Assembler::measure_only() {
  Assembler a;
  a.buf_ = CodeBuffer::measure_only();
  return a;
}

void Assembler::record_error(Error error) {
  if (!error_) error_ = std::move(error);
}

Result<void> Assembler::finish() {
  for (const Fixup& f : fixups_) {
    int64_t target = labels_[f.label];
    if (target < 0) {
      record_error(Error("label " + std::to_string(f.label) + " referenced at offset " +
                         hex(f.at) + " is never bound"));
      continue;
    }
    int64_t disp = target - static_cast<int64_t>(f.end);
    if (f.kind == FixupKind::Rel8) {
      if (!fits_int8(disp)) {
        record_error(Error("short jump at offset " + hex(f.at - 1) + " cannot reach label " +
                           std::to_string(f.label) + " at " + hex(static_cast<uint64_t>(target)) +
                           " (displacement " + std::to_string(disp) + " is outside rel8)"));
        continue;
      }
      buf_.patch8(f.at, static_cast<uint8_t>(disp));
    } else {
      buf_.patch32(f.at, static_cast<uint32_t>(static_cast<int32_t>(disp)));
    }
  }
  fixups_.clear();
  if (buf_.overflowed()) {
    record_error(Error("code needs " + std::to_string(buf_.size()) +
                       " bytes but the fixed buffer holds only " +
                       std::to_string(buf_.bytes().size())));
  }
  if (error_) return *error_;
  return {};
}

Result<void> Assembler::link_external(uint64_t runtime_address) {
  if (buf_.measuring()) return {};
  for (const ExternalFixup& e : externals_) {
    // Unsigned wrap-around then reinterpretation gives the signed distance for any two
    // user-space addresses (both below 2^63).
    int64_t disp = static_cast<int64_t>(e.target - (runtime_address + e.end));
    if (!fits_int32(disp)) {
      return Error("external target " + hex(e.target) + " is out of rel32 reach of the call at " +
                   hex(runtime_address + e.at - 1));
    }
    buf_.patch32(e.at, static_cast<uint32_t>(static_cast<int32_t>(disp)));
  }
  return {};
}

Label Assembler::new_label() {
  labels_.push_back(-1);
  return Label(static_cast<uint32_t>(labels_.size() - 1));
}

void Assembler::bind(Label label) {
  ZS_ASSERT(label.valid() && label.id() < labels_.size());
  ZS_ASSERT(labels_[label.id()] < 0);
  labels_[label.id()] = static_cast<int64_t>(offset());
}

bool Assembler::is_bound(Label label) const {
  ZS_ASSERT(label.valid() && label.id() < labels_.size());
  return labels_[label.id()] >= 0;
}

size_t Assembler::label_offset(Label label) const {
  ZS_ASSERT(is_bound(label));
  return static_cast<size_t>(labels_[label.id()]);
}

// ---------------------------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------------------------

// Everything in front of the opcode. Legacy prefixes must precede REX, and REX must immediately
// precede the opcode (SDM vol. 2 §2.2.1), hence one place that emits them in that order.
struct Assembler::Rex {
  bool lock = false;
  uint8_t legacy = 0;           // 0x66 (16-bit operand) or a mandatory 0xF2/0xF3; 0 for none
  bool w = false;               // REX.W: 64-bit operand size
  bool byte_reg_field = false;  // the ModRM reg field names a byte register
  bool byte_rm = false;         // the ModRM rm field names a byte register (register-direct)
};

Assembler::Rex Assembler::rex_for(Width w) {
  Rex rex;
  rex.w = w == Width::W64;
  if (w == Width::W16) rex.legacy = 0x66;
  return rex;
}

void Assembler::emit_prefixes(const Rex& rex) {
  if (rex.lock) buf_.emit8(0xF0);
  if (rex.legacy != 0) buf_.emit8(rex.legacy);
}

void Assembler::emit_op_reg(const Rex& rex, std::initializer_list<uint8_t> opcode,
                            uint8_t reg_field, Reg rm) {
  emit_prefixes(rex);
  uint8_t bits = static_cast<uint8_t>((rex.w ? 8 : 0) | ((reg_field >> 3) << 2) | high1(rm));
  bool force = (rex.byte_reg_field && byte_reg_needs_rex(reg_field)) ||
               (rex.byte_rm && byte_reg_needs_rex(reg_number(rm)));
  if (bits != 0 || force) buf_.emit8(0x40 | bits);
  for (uint8_t b : opcode) buf_.emit8(b);
  buf_.emit8(static_cast<uint8_t>(0xC0 | ((reg_field & 7) << 3) | low3(rm)));
}

void Assembler::emit_op_mem(const Rex& rex, std::initializer_list<uint8_t> opcode,
                            uint8_t reg_field, const Mem& rm) {
  emit_prefixes(rex);
  uint8_t x = rm.has_index ? high1(rm.index) : 0;
  uint8_t bits = static_cast<uint8_t>((rex.w ? 8 : 0) | ((reg_field >> 3) << 2) | (x << 1) |
                                      high1(rm.base));
  bool force = rex.byte_reg_field && byte_reg_needs_rex(reg_field);
  if (bits != 0 || force) buf_.emit8(0x40 | bits);
  for (uint8_t b : opcode) buf_.emit8(b);
  emit_modrm_mem(reg_field, rm);
}

// ModRM (+ SIB) (+ displacement) for a memory operand (SDM vol. 2 Tables 2-2 and 2-3):
//  - rm = 100 does not name rsp/r12 but announces a SIB byte, so those bases always take a SIB
//    with index = 100 ("no index"; REX.X clear), which is also why rsp can never be an index;
//  - mod = 00 with rm (or SIB base) = 101 does not name rbp/r13 but means RIP-relative (or
//    no base) + disp32, so those bases always carry at least a disp8, even when it is 0.
// REX.B/REX.X extend the fields but do not change these special cases: they look at 3 bits only.
void Assembler::emit_modrm_mem(uint8_t reg_field, const Mem& m) {
  ZS_ASSERT(!m.has_index || m.index != Reg::Rsp);
  uint8_t reg = static_cast<uint8_t>((reg_field & 7) << 3);
  uint8_t base = low3(m.base);
  uint8_t mod = 2;
  if (m.disp == 0 && base != 5) {
    mod = 0;
  } else if (fits_int8(m.disp)) {
    mod = 1;
  }
  if (m.has_index || base == 4) {
    uint8_t index = m.has_index ? low3(m.index) : 4;
    buf_.emit8(static_cast<uint8_t>((mod << 6) | reg | 4));
    buf_.emit8(static_cast<uint8_t>((static_cast<uint8_t>(m.scale) << 6) | (index << 3) | base));
  } else {
    buf_.emit8(static_cast<uint8_t>((mod << 6) | reg | base));
  }
  if (mod == 1) buf_.emit8(static_cast<uint8_t>(static_cast<int8_t>(m.disp)));
  if (mod == 2) buf_.emit32(static_cast<uint32_t>(m.disp));
}

void Assembler::emit_imm(Width w, int32_t imm) {
  switch (w) {
    case Width::W8: buf_.emit8(static_cast<uint8_t>(imm)); break;
    case Width::W16: buf_.emit16(static_cast<uint16_t>(imm)); break;
    case Width::W32:
    case Width::W64: buf_.emit32(static_cast<uint32_t>(imm)); break;
  }
}

// The displacement of a jump/call/RIP-relative operand, always the last field of its
// instruction, so it is relative to the offset right after it. A bound (backward) target is
// written now; a forward one is recorded and patched by finish().
void Assembler::emit_rel(FixupKind kind, Label target) {
  ZS_ASSERT(target.valid() && target.id() < labels_.size());
  size_t at = offset();
  size_t end = at + (kind == FixupKind::Rel8 ? 1 : 4);
  int64_t pos = labels_[target.id()];
  if (pos < 0) {
    fixups_.push_back(Fixup{.at = at, .end = end, .label = target.id(), .kind = kind});
    pos = static_cast<int64_t>(end);  // placeholder displacement 0
  }
  int64_t disp = pos - static_cast<int64_t>(end);
  if (kind == FixupKind::Rel8) {
    if (!fits_int8(disp)) {
      record_error(Error("short jump at offset " + hex(at - 1) + " cannot reach label " +
                         std::to_string(target.id()) + " (displacement " + std::to_string(disp) +
                         " is outside rel8)"));
      disp = 0;
    }
    buf_.emit8(static_cast<uint8_t>(disp));
  } else {
    buf_.emit32(static_cast<uint32_t>(static_cast<int32_t>(disp)));
  }
}

// VEX.LZ.{66,F2,F3}.0F38.W{0,1} F7 /r with the count in VEX.vvvv (SDM vol. 2 §2.3.5; SHLX page).
// The three-byte form (C4) is required because the two-byte C5 form only reaches map 0F.
void Assembler::emit_vex_shift(uint8_t pp, Width w, Reg dst, Reg src, Reg count) {
  assert_w32_or_w64(w);
  buf_.emit8(0xC4);
  // R, X, B are stored inverted; map_select 00010 = 0F38.
  buf_.emit8(static_cast<uint8_t>(((high1(dst) ^ 1) << 7) | (1 << 6) | ((high1(src) ^ 1) << 5) |
                                  0x02));
  // W, then vvvv inverted, L = 0 (scalar), pp.
  buf_.emit8(static_cast<uint8_t>(((w == Width::W64 ? 1 : 0) << 7) |
                                  ((~reg_number(count) & 0xF) << 3) | pp));
  buf_.emit8(0xF7);
  buf_.emit8(static_cast<uint8_t>(0xC0 | (low3(dst) << 3) | low3(src)));
}

// ---------------------------------------------------------------------------------------------
// Instructions: moves
// ---------------------------------------------------------------------------------------------

void Assembler::mov(Width w, Reg dst, Reg src) {
  assert_w32_or_w64(w);
  emit_op_reg(rex_for(w), {0x89}, reg_number(src), dst);
}

void Assembler::mov(Width w, Reg dst, int32_t imm) {
  assert_w32_or_w64(w);
  if (w == Width::W32) {
    if (high1(dst) != 0) buf_.emit8(0x41);
    buf_.emit8(static_cast<uint8_t>(0xB8 + low3(dst)));
    buf_.emit32(static_cast<uint32_t>(imm));
  } else {
    emit_op_reg(rex_for(w), {0xC7}, 0, dst);
    buf_.emit32(static_cast<uint32_t>(imm));
  }
}

void Assembler::mov_imm64(Reg dst, uint64_t imm) {
  buf_.emit8(static_cast<uint8_t>(0x48 | high1(dst)));
  buf_.emit8(static_cast<uint8_t>(0xB8 + low3(dst)));
  buf_.emit64(imm);
}

void Assembler::mov_imm(Reg dst, uint64_t imm) {
  if (imm <= UINT32_MAX) {
    mov(Width::W32, dst, static_cast<int32_t>(static_cast<uint32_t>(imm)));
  } else if (fits_int32(static_cast<int64_t>(imm))) {
    mov(Width::W64, dst, static_cast<int32_t>(static_cast<int64_t>(imm)));
  } else {
    mov_imm64(dst, imm);
  }
}

void Assembler::load(Width w, Reg dst, const Mem& src) {
  switch (w) {
    case Width::W8: emit_op_mem(Rex{}, {0x0F, 0xB6}, reg_number(dst), src); break;
    case Width::W16: emit_op_mem(Rex{}, {0x0F, 0xB7}, reg_number(dst), src); break;
    case Width::W32:
    case Width::W64: emit_op_mem(rex_for(w), {0x8B}, reg_number(dst), src); break;
  }
}

void Assembler::load_signed(Width w, Reg dst, const Mem& src) {
  Rex rex;
  rex.w = true;
  switch (w) {
    case Width::W8: emit_op_mem(rex, {0x0F, 0xBE}, reg_number(dst), src); break;
    case Width::W16: emit_op_mem(rex, {0x0F, 0xBF}, reg_number(dst), src); break;
    case Width::W32: emit_op_mem(rex, {0x63}, reg_number(dst), src); break;
    case Width::W64: emit_op_mem(rex, {0x8B}, reg_number(dst), src); break;
  }
}

void Assembler::store(Width w, const Mem& dst, Reg src) {
  Rex rex = rex_for(w);
  if (w == Width::W8) {
    rex.byte_reg_field = true;
    emit_op_mem(rex, {0x88}, reg_number(src), dst);
  } else {
    emit_op_mem(rex, {0x89}, reg_number(src), dst);
  }
}

void Assembler::store(Width w, const Mem& dst, int32_t imm) {
  if (w == Width::W8) {
    ZS_ASSERT(imm >= -128 && imm <= 255);
    emit_op_mem(Rex{}, {0xC6}, 0, dst);
  } else {
    ZS_ASSERT(w != Width::W16 || (imm >= -32768 && imm <= 65535));
    emit_op_mem(rex_for(w), {0xC7}, 0, dst);
  }
  emit_imm(w, imm);
}

void Assembler::movzx(Width from, Reg dst, Reg src) {
  Rex rex;
  switch (from) {
    case Width::W8:
      rex.byte_rm = true;
      emit_op_reg(rex, {0x0F, 0xB6}, reg_number(dst), src);
      break;
    case Width::W16: emit_op_reg(rex, {0x0F, 0xB7}, reg_number(dst), src); break;
    // Any 32-bit register write clears bits 32-63 (SDM vol. 1 §3.4.1.1).
    case Width::W32: mov(Width::W32, dst, src); break;
    case Width::W64: mov(Width::W64, dst, src); break;
  }
}

void Assembler::movsx(Width to, Width from, Reg dst, Reg src) {
  assert_w32_or_w64(to);
  Rex rex = rex_for(to);
  switch (from) {
    case Width::W8:
      rex.byte_rm = true;
      emit_op_reg(rex, {0x0F, 0xBE}, reg_number(dst), src);
      break;
    case Width::W16: emit_op_reg(rex, {0x0F, 0xBF}, reg_number(dst), src); break;
    case Width::W32:
      ZS_ASSERT(to == Width::W64);
      emit_op_reg(rex, {0x63}, reg_number(dst), src);
      break;
    case Width::W64: ZS_ASSERT(false && "movsx from W64"); break;
  }
}

void Assembler::lea(Width w, Reg dst, const Mem& src) {
  assert_w32_or_w64(w);
  emit_op_mem(rex_for(w), {0x8D}, reg_number(dst), src);
}

void Assembler::lea(Reg dst, Label target) {
  // mod = 00, rm = 101: RIP + disp32, relative to the instruction's end (SDM vol. 2 §2.2.1.6).
  buf_.emit8(static_cast<uint8_t>(0x48 | (high1(dst) << 2)));
  buf_.emit8(0x8D);
  buf_.emit8(static_cast<uint8_t>((low3(dst) << 3) | 5));
  emit_rel(FixupKind::Rel32, target);
}

void Assembler::xchg(Width w, Reg a, Reg b) {
  assert_w32_or_w64(w);
  emit_op_reg(rex_for(w), {0x87}, reg_number(b), a);
}

void Assembler::cmov(Cond c, Width w, Reg dst, Reg src) {
  assert_w32_or_w64(w);
  emit_op_reg(rex_for(w), {0x0F, static_cast<uint8_t>(0x40 | static_cast<uint8_t>(c))},
              reg_number(dst), src);
}

void Assembler::setcc(Cond c, Reg dst) {
  Rex rex;
  rex.byte_rm = true;
  emit_op_reg(rex, {0x0F, static_cast<uint8_t>(0x90 | static_cast<uint8_t>(c))}, 0, dst);
}

void Assembler::push(Reg r) {
  if (high1(r) != 0) buf_.emit8(0x41);
  buf_.emit8(static_cast<uint8_t>(0x50 + low3(r)));
}

void Assembler::pop(Reg r) {
  if (high1(r) != 0) buf_.emit8(0x41);
  buf_.emit8(static_cast<uint8_t>(0x58 + low3(r)));
}

// ---------------------------------------------------------------------------------------------
// Instructions: integer arithmetic
// ---------------------------------------------------------------------------------------------

// The classic ALU block: opcode 8*op + 1 is "op r/m, r" and 8*op + 3 is "op r, r/m"; 0x83 /op
// takes a sign-extended imm8, 0x81 /op an imm32 (sign-extended to 64 bits under REX.W).
void Assembler::alu(AluOp op, Width w, Reg dst, Reg src) {
  assert_w32_or_w64(w);
  emit_op_reg(rex_for(w), {static_cast<uint8_t>(8 * static_cast<uint8_t>(op) + 1)},
              reg_number(src), dst);
}

void Assembler::alu(AluOp op, Width w, Reg dst, int32_t imm) {
  assert_w32_or_w64(w);
  bool short_imm = fits_int8(imm);
  emit_op_reg(rex_for(w), {static_cast<uint8_t>(short_imm ? 0x83 : 0x81)},
              static_cast<uint8_t>(op), dst);
  emit_imm(short_imm ? Width::W8 : Width::W32, imm);
}

void Assembler::alu(AluOp op, Width w, Reg dst, const Mem& src) {
  assert_w32_or_w64(w);
  emit_op_mem(rex_for(w), {static_cast<uint8_t>(8 * static_cast<uint8_t>(op) + 3)},
              reg_number(dst), src);
}

void Assembler::alu(AluOp op, Width w, const Mem& dst, Reg src) {
  assert_w32_or_w64(w);
  emit_op_mem(rex_for(w), {static_cast<uint8_t>(8 * static_cast<uint8_t>(op) + 1)},
              reg_number(src), dst);
}

void Assembler::alu(AluOp op, Width w, const Mem& dst, int32_t imm) {
  assert_w32_or_w64(w);
  bool short_imm = fits_int8(imm);
  emit_op_mem(rex_for(w), {static_cast<uint8_t>(short_imm ? 0x83 : 0x81)},
              static_cast<uint8_t>(op), dst);
  emit_imm(short_imm ? Width::W8 : Width::W32, imm);
}

void Assembler::test(Width w, Reg a, Reg b) {
  assert_w32_or_w64(w);
  emit_op_reg(rex_for(w), {0x85}, reg_number(b), a);
}

void Assembler::test(Width w, Reg a, int32_t imm) {
  assert_w32_or_w64(w);
  emit_op_reg(rex_for(w), {0xF7}, 0, a);
  buf_.emit32(static_cast<uint32_t>(imm));
}

// Group 3 (0xF7 /n) and group 5 (0xFF /n) one-operand forms.
void Assembler::emit_group(uint8_t opcode, uint8_t digit, Width w, Reg r) {
  assert_w32_or_w64(w);
  emit_op_reg(rex_for(w), {opcode}, digit, r);
}

void Assembler::neg(Width w, Reg r) { emit_group(0xF7, 3, w, r); }
void Assembler::not_(Width w, Reg r) { emit_group(0xF7, 2, w, r); }
void Assembler::mul(Width w, Reg src) { emit_group(0xF7, 4, w, src); }
void Assembler::div(Width w, Reg divisor) { emit_group(0xF7, 6, w, divisor); }
void Assembler::idiv(Width w, Reg divisor) { emit_group(0xF7, 7, w, divisor); }
void Assembler::inc(Width w, Reg r) { emit_group(0xFF, 0, w, r); }
void Assembler::dec(Width w, Reg r) { emit_group(0xFF, 1, w, r); }

void Assembler::imul(Width w, Reg dst, Reg src) {
  assert_w32_or_w64(w);
  emit_op_reg(rex_for(w), {0x0F, 0xAF}, reg_number(dst), src);
}

void Assembler::imul(Width w, Reg dst, Reg src, int32_t imm) {
  assert_w32_or_w64(w);
  bool short_imm = fits_int8(imm);
  emit_op_reg(rex_for(w), {static_cast<uint8_t>(short_imm ? 0x6B : 0x69)}, reg_number(dst), src);
  emit_imm(short_imm ? Width::W8 : Width::W32, imm);
}

void Assembler::sign_extend_rax(Width w) {
  assert_w32_or_w64(w);
  if (w == Width::W64) buf_.emit8(0x48);
  buf_.emit8(0x99);
}

// ---------------------------------------------------------------------------------------------
// Instructions: shifts, rotates, byte swaps
// ---------------------------------------------------------------------------------------------

void Assembler::shift(ShiftOp op, Width w, Reg dst, uint8_t count) {
  ZS_ASSERT(w != Width::W8);
  emit_op_reg(rex_for(w), {0xC1}, static_cast<uint8_t>(op), dst);
  buf_.emit8(count);
}

void Assembler::shift_cl(ShiftOp op, Width w, Reg dst) {
  ZS_ASSERT(w != Width::W8);
  emit_op_reg(rex_for(w), {0xD3}, static_cast<uint8_t>(op), dst);
}

// VEX.pp selects the implied prefix: 01 = 66 (SHLX), 10 = F3 (SARX), 11 = F2 (SHRX).
void Assembler::shlx(Width w, Reg dst, Reg src, Reg count) {
  emit_vex_shift(1, w, dst, src, count);
}
void Assembler::sarx(Width w, Reg dst, Reg src, Reg count) {
  emit_vex_shift(2, w, dst, src, count);
}
void Assembler::shrx(Width w, Reg dst, Reg src, Reg count) {
  emit_vex_shift(3, w, dst, src, count);
}

void Assembler::bswap(Width w, Reg r) {
  assert_w32_or_w64(w);
  uint8_t bits = static_cast<uint8_t>((w == Width::W64 ? 8 : 0) | high1(r));
  if (bits != 0) buf_.emit8(0x40 | bits);
  buf_.emit8(0x0F);
  buf_.emit8(static_cast<uint8_t>(0xC8 + low3(r)));
}

// ---------------------------------------------------------------------------------------------
// Instructions: atomics
// ---------------------------------------------------------------------------------------------

void Assembler::lock_alu(AluOp op, Width w, const Mem& dst, Reg src) {
  assert_w32_or_w64(w);
  ZS_ASSERT(op != AluOp::Cmp);  // LOCK CMP is #UD: CMP does not write its destination
  Rex rex = rex_for(w);
  rex.lock = true;
  emit_op_mem(rex, {static_cast<uint8_t>(8 * static_cast<uint8_t>(op) + 1)}, reg_number(src),
              dst);
}

void Assembler::lock_xadd(Width w, const Mem& dst, Reg src) {
  assert_w32_or_w64(w);
  Rex rex = rex_for(w);
  rex.lock = true;
  emit_op_mem(rex, {0x0F, 0xC1}, reg_number(src), dst);
}

// XCHG with a memory operand asserts LOCK by itself (SDM vol. 2, XCHG), so no prefix.
void Assembler::xchg(Width w, const Mem& dst, Reg src) {
  assert_w32_or_w64(w);
  emit_op_mem(rex_for(w), {0x87}, reg_number(src), dst);
}

void Assembler::lock_cmpxchg(Width w, const Mem& dst, Reg src) {
  assert_w32_or_w64(w);
  Rex rex = rex_for(w);
  rex.lock = true;
  emit_op_mem(rex, {0x0F, 0xB1}, reg_number(src), dst);
}

// ---------------------------------------------------------------------------------------------
// Instructions: control flow
// ---------------------------------------------------------------------------------------------

void Assembler::jmp(Label target) {
  buf_.emit8(0xE9);
  emit_rel(FixupKind::Rel32, target);
}

void Assembler::jcc(Cond c, Label target) {
  buf_.emit8(0x0F);
  buf_.emit8(static_cast<uint8_t>(0x80 | static_cast<uint8_t>(c)));
  emit_rel(FixupKind::Rel32, target);
}

void Assembler::jmp_short(Label target) {
  buf_.emit8(0xEB);
  emit_rel(FixupKind::Rel8, target);
}

void Assembler::jcc_short(Cond c, Label target) {
  buf_.emit8(static_cast<uint8_t>(0x70 | static_cast<uint8_t>(c)));
  emit_rel(FixupKind::Rel8, target);
}

void Assembler::call(Label target) {
  buf_.emit8(0xE8);
  emit_rel(FixupKind::Rel32, target);
}

// Near indirect call/jmp default to 64-bit operands in 64-bit mode: no REX.W needed.
void Assembler::call(Reg target) { emit_op_reg(Rex{}, {0xFF}, 2, target); }
void Assembler::call(const Mem& target) { emit_op_mem(Rex{}, {0xFF}, 2, target); }
void Assembler::jmp(Reg target) { emit_op_reg(Rex{}, {0xFF}, 4, target); }

void Assembler::call_external(uint64_t target) {
  buf_.emit8(0xE8);
  externals_.push_back(ExternalFixup{.at = offset(), .end = offset() + 4, .target = target});
  buf_.emit32(0);
}

void Assembler::jmp_external(uint64_t target) {
  buf_.emit8(0xE9);
  externals_.push_back(ExternalFixup{.at = offset(), .end = offset() + 4, .target = target});
  buf_.emit32(0);
}

void Assembler::ret() { buf_.emit8(0xC3); }

// ---------------------------------------------------------------------------------------------
// Instructions: miscellaneous
// ---------------------------------------------------------------------------------------------

void Assembler::nop(size_t n) {
  // The recommended multi-byte NOP sequences, 1 to 9 bytes (SDM vol. 2, NOP, Table 4-12).
  static constexpr uint8_t kNops[9][9] = {
      {0x90},
      {0x66, 0x90},
      {0x0F, 0x1F, 0x00},
      {0x0F, 0x1F, 0x40, 0x00},
      {0x0F, 0x1F, 0x44, 0x00, 0x00},
      {0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00},
      {0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00},
      {0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
      {0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
  };
  while (n > 0) {
    size_t chunk = n < 9 ? n : 9;
    buf_.emit(std::span<const uint8_t>(kNops[chunk - 1], chunk));
    n -= chunk;
  }
}

void Assembler::align(size_t alignment) {
  ZS_ASSERT(alignment != 0 && (alignment & (alignment - 1)) == 0);
  nop((alignment - offset() % alignment) % alignment);
}

void Assembler::int3() { buf_.emit8(0xCC); }

void Assembler::ud2() {
  buf_.emit8(0x0F);
  buf_.emit8(0x0B);
}

void Assembler::rdtsc() {
  buf_.emit8(0x0F);
  buf_.emit8(0x31);
}

void Assembler::lfence() {
  buf_.emit8(0x0F);
  buf_.emit8(0xAE);
  buf_.emit8(0xE8);
}

void Assembler::mfence() {
  buf_.emit8(0x0F);
  buf_.emit8(0xAE);
  buf_.emit8(0xF0);
}

void Assembler::pause() {
  buf_.emit8(0xF3);
  buf_.emit8(0x90);
}

void Assembler::emit_bytes(std::span<const uint8_t> bytes) { buf_.emit(bytes); }

void Assembler::emit_u64(uint64_t v) { buf_.emit64(v); }

}  // namespace zs::ebpf::x86
