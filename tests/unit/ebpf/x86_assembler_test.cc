// Tests for the x86-64 assembler (src/ebpf/jit/x86_64/assembler.hh). The oracle is GNU objdump,
// an independent decoder: every instruction form is encoded for every register, width and edge
// immediate, disassembled in one batch, and compared text by text and offset by offset. A set of
// sequences is also run natively (mmap RW, copy, mprotect RX, call) to prove behaviour.
// Needs objdump (binutils) at test time; its path comes from CMake (ZS_OBJDUMP_PATH).
#include "ebpf/jit/x86_64/assembler.hh"

#include <cpuid.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace zs::ebpf::x86 {
namespace {

constexpr Reg kAllRegs[kRegCount] = {
    Reg::Rax, Reg::Rcx, Reg::Rdx, Reg::Rbx, Reg::Rsp, Reg::Rbp, Reg::Rsi, Reg::Rdi,
    Reg::R8,  Reg::R9,  Reg::R10, Reg::R11, Reg::R12, Reg::R13, Reg::R14, Reg::R15,
};
constexpr Width kAluWidths[] = {Width::W32, Width::W64};
constexpr Width kAllWidths[] = {Width::W8, Width::W16, Width::W32, Width::W64};
constexpr int32_t kImm32Edges[] = {0, 1, -1, 127, -128, 128, -129, 0x1234, INT32_MIN, INT32_MAX};

// ---------------------------------------------------------------------------------------------
// Expected text, in objdump's Intel syntax
// ---------------------------------------------------------------------------------------------

const char* const kNames[4][kRegCount] = {
    {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
     "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"},
    {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
     "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"},
    {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
     "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"},
    {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
     "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"},
};
const char* const kCondNames[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
                                    "s", "ns", "p", "np", "l", "ge", "le", "g"};
const char* const kAluNames[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};

std::string name(Reg r, Width w) {
  return kNames[static_cast<int>(w)][reg_number(r)];
}

std::string hex(uint64_t v) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(v));
  return text;
}

// An immediate as objdump prints it: the value sign-extended to the operand size, in hex.
std::string imm(int64_t v, Width w) {
  uint64_t u = static_cast<uint64_t>(v);
  if (w != Width::W64) u &= (uint64_t{1} << (8 * width_bytes(w))) - 1;
  return hex(u);
}

std::string ptr(Width w) {
  static const char* const kPtr[4] = {"BYTE PTR ", "WORD PTR ", "DWORD PTR ", "QWORD PTR "};
  return kPtr[static_cast<int>(w)];
}

// objdump prints the displacement whenever one is encoded; rbp/r13 bases always encode one.
std::string mem_text(const Mem& m) {
  std::string s = "[" + name(m.base, Width::W64);
  if (m.has_index) {
    s += "+" + name(m.index, Width::W64) + "*" + std::to_string(1 << static_cast<int>(m.scale));
  }
  bool base_needs_disp = (reg_number(m.base) & 7) == 5;
  if (m.disp != 0 || base_needs_disp) {
    int64_t d = m.disp;
    s += d < 0 ? "-" + hex(static_cast<uint64_t>(-d)) : "+" + hex(static_cast<uint64_t>(d));
  }
  return s + "]";
}

// Memory operands covering every base (the rsp/r12 SIB and rbp/r13 displacement special cases
// included), every legal index, every scale and displacement sizes 0 / 8 / 32 bits.
std::vector<Mem> sample_mems() {
  std::vector<Mem> out;
  for (Reg base : kAllRegs) {
    for (int32_t disp : {0, 8, -8, 127, -128, 128, 0x12345, INT32_MIN, INT32_MAX}) {
      out.push_back(mem(base, disp));
    }
  }
  for (Reg base : kAllRegs) {
    for (Reg index : kAllRegs) {
      if (index == Reg::Rsp) continue;
      out.push_back(mem(base, index));
      out.push_back(mem(base, index, Scale::X8, -16));
    }
  }
  for (Scale s : {Scale::X1, Scale::X2, Scale::X4, Scale::X8}) {
    out.push_back(mem(Reg::R12, Reg::R11, s, 0x1000));
    out.push_back(mem(Reg::Rbp, Reg::R13, s, 0));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The oracle: objdump over a temporary file
// ---------------------------------------------------------------------------------------------

struct DisasmLine {
  uint64_t address;
  std::string text;  // normalized: single spaces, no "# comment"
};

std::string normalize(const std::string& text) {
  std::string out;
  size_t comment = text.find('#');
  std::string t = comment == std::string::npos ? text : text.substr(0, comment);
  for (char c : t) {
    bool space = c == ' ' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Disassembles `code` as if loaded at `vma`. Fails the current test if objdump cannot run.
std::vector<DisasmLine> disassemble(std::span<const uint8_t> code, uint64_t vma = 0) {
  std::vector<DisasmLine> lines;
  char path[] = "/tmp/zs_x86_asm_test_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    ADD_FAILURE() << "mkstemp failed";
    return lines;
  }
  bool written = write(fd, code.data(), code.size()) == static_cast<ssize_t>(code.size());
  close(fd);
  EXPECT_TRUE(written);
  std::string cmd = std::string(ZS_OBJDUMP_PATH) +
                    " -D -b binary -m i386:x86-64 -M intel --insn-width=16 --adjust-vma=" +
                    hex(vma) + " " + path + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << cmd;
    unlink(path);
    return lines;
  }
  char raw[512];
  while (std::fgets(raw, sizeof raw, pipe) != nullptr) {
    // "  1a:\t41 0f b6 75 00       \tmovzx  esi,BYTE PTR [r13+0x0]"
    std::string line(raw);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    size_t colon = line.find(":\t");
    if (colon == std::string::npos) continue;
    size_t tab = line.find('\t', colon + 2);
    if (tab == std::string::npos) continue;
    char* end = nullptr;
    uint64_t address = std::strtoull(line.c_str(), &end, 16);
    if (end != line.c_str() + colon) continue;
    lines.push_back(DisasmLine{address, normalize(line.substr(tab + 1))});
  }
  EXPECT_EQ(pclose(pipe), 0) << cmd;
  unlink(path);
  return lines;
}

// Collects instructions with their expected disassembly, then checks them all against objdump:
// each must start at the address objdump decoded (so lengths agree) and print as expected.
class Batch {
 public:
  Assembler& next(std::string expected) {
    expected_.push_back(Expected{asm_.offset(), std::move(expected)});
    return asm_;
  }
  Assembler& assembler() { return asm_; }
  size_t count() const { return expected_.size(); }

  void check(uint64_t vma = 0) {
    ASSERT_TRUE(asm_.finish().ok());
    if (vma != 0) {
      ASSERT_TRUE(asm_.link_external(vma).ok());
    }
    std::vector<DisasmLine> lines = disassemble(asm_.code(), vma);
    ::testing::Test::RecordProperty("instructions", static_cast<int>(expected_.size()));
    ASSERT_EQ(lines.size(), expected_.size()) << "instruction count differs from objdump's";
    int reported = 0;
    for (size_t i = 0; i < lines.size() && reported < 20; ++i) {
      const Expected& e = expected_[i];
      if (lines[i].address != vma + e.offset || lines[i].text != e.text) {
        ++reported;
        ADD_FAILURE() << "instruction " << i << " at " << hex(e.offset) << ": expected '"
                      << e.text << "', objdump says '" << lines[i].text << "' at "
                      << hex(lines[i].address) << " (bytes " << bytes_at(i) << ")";
      }
    }
  }

 private:
  struct Expected {
    size_t offset;
    std::string text;
  };
  std::string bytes_at(size_t i) const {
    size_t from = expected_[i].offset;
    size_t to = i + 1 < expected_.size() ? expected_[i + 1].offset : asm_.code().size();
    std::string s;
    for (size_t k = from; k < to && k < asm_.code().size(); ++k) {
      char b[4];
      std::snprintf(b, sizeof b, "%02x ", asm_.code()[k]);
      s += b;
    }
    return s;
  }

  Assembler asm_;
  std::vector<Expected> expected_;
};

// ---------------------------------------------------------------------------------------------
// Encodings checked against objdump
// ---------------------------------------------------------------------------------------------

TEST(X86AssemblerEncoding, MovRegisterToRegisterAllPairs) {
  Batch b;
  for (Width w : kAluWidths) {
    for (Reg dst : kAllRegs) {
      for (Reg src : kAllRegs) {
        b.next("mov " + name(dst, w) + "," + name(src, w)).mov(w, dst, src);
      }
    }
  }
  b.check();
}

TEST(X86AssemblerEncoding, MovImmediates) {
  Batch b;
  for (Reg dst : kAllRegs) {
    for (int32_t v : kImm32Edges) {
      b.next("mov " + name(dst, Width::W32) + "," + imm(v, Width::W32)).mov(Width::W32, dst, v);
      b.next("mov " + name(dst, Width::W64) + "," + imm(v, Width::W64)).mov(Width::W64, dst, v);
    }
    for (uint64_t v : {uint64_t{0}, uint64_t{1}, ~uint64_t{0}, uint64_t{1} << 63,
                       uint64_t{0x123456789abcdef0}}) {
      b.next("movabs " + name(dst, Width::W64) + "," + hex(v)).mov_imm64(dst, v);
    }
  }
  b.check();
}

TEST(X86AssemblerEncoding, MovImmPicksTheShortestCorrectForm) {
  struct Case {
    uint64_t value;
    std::string text;
    size_t length;
  };
  const Case cases[] = {
      {0, "mov eax,0x0", 5},
      {0xffffffff, "mov eax,0xffffffff", 5},
      {0x7fffffff, "mov eax,0x7fffffff", 5},
      {~uint64_t{0}, "mov rax,0xffffffffffffffff", 7},
      {0xffffffff80000000, "mov rax,0xffffffff80000000", 7},
      {0x100000000, "movabs rax,0x100000000", 10},
      {0x7fffffffffffffff, "movabs rax,0x7fffffffffffffff", 10},
  };
  for (const Case& c : cases) {
    Assembler a;
    a.mov_imm(Reg::Rax, c.value);
    ASSERT_TRUE(a.finish().ok());
    EXPECT_EQ(a.code().size(), c.length) << c.text;
    std::vector<DisasmLine> lines = disassemble(a.code());
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].text, c.text);
  }
  Batch b;  // every register, the r8-r15 REX.B path included
  for (Reg dst : kAllRegs) {
    b.next("mov " + name(dst, Width::W32) + ",0x80000000").mov_imm(dst, 0x80000000);
    b.next("mov " + name(dst, Width::W64) + ",0xfffffffffffffffe").mov_imm(dst, ~uint64_t{1});
    b.next("movabs " + name(dst, Width::W64) + ",0x8000000000000000")
        .mov_imm(dst, uint64_t{1} << 63);
  }
  b.check();
}

TEST(X86AssemblerEncoding, LoadsEveryWidthEveryAddressingForm) {
  Batch b;
  std::vector<Mem> mems = sample_mems();
  for (size_t i = 0; i < mems.size(); ++i) {
    Reg dst = kAllRegs[i % kRegCount];
    const Mem& m = mems[i];
    b.next("movzx " + name(dst, Width::W32) + "," + ptr(Width::W8) + mem_text(m))
        .load(Width::W8, dst, m);
    b.next("movzx " + name(dst, Width::W32) + "," + ptr(Width::W16) + mem_text(m))
        .load(Width::W16, dst, m);
    b.next("mov " + name(dst, Width::W32) + "," + ptr(Width::W32) + mem_text(m))
        .load(Width::W32, dst, m);
    b.next("mov " + name(dst, Width::W64) + "," + ptr(Width::W64) + mem_text(m))
        .load(Width::W64, dst, m);
    b.next("movsx " + name(dst, Width::W64) + "," + ptr(Width::W8) + mem_text(m))
        .load_signed(Width::W8, dst, m);
    b.next("movsx " + name(dst, Width::W64) + "," + ptr(Width::W16) + mem_text(m))
        .load_signed(Width::W16, dst, m);
    b.next("movsxd " + name(dst, Width::W64) + "," + ptr(Width::W32) + mem_text(m))
        .load_signed(Width::W32, dst, m);
    b.next("mov " + name(dst, Width::W64) + "," + ptr(Width::W64) + mem_text(m))
        .load_signed(Width::W64, dst, m);
  }
  b.check();
}

TEST(X86AssemblerEncoding, StoresEveryWidthEverySourceRegister) {
  Batch b;
  std::vector<Mem> mems = sample_mems();
  for (Width w : kAllWidths) {
    for (Reg src : kAllRegs) {  // W8 from spl/bpl/sil/dil must not turn into ah/ch/dh/bh
      for (const Mem& m : {mem(Reg::Rdi, 0), mem(Reg::R12, Reg::R11, 16), mem(Reg::Rsp, -8)}) {
        b.next("mov " + ptr(w) + mem_text(m) + "," + name(src, w)).store(w, m, src);
      }
    }
  }
  for (size_t i = 0; i < mems.size(); ++i) {
    Width w = kAllWidths[i % 4];
    b.next("mov " + ptr(w) + mem_text(mems[i]) + "," + name(Reg::Rsi, w))
        .store(w, mems[i], Reg::Rsi);
  }
  b.check();
}

TEST(X86AssemblerEncoding, StoreImmediates) {
  Batch b;
  for (const Mem& m : {mem(Reg::Rdi, 0), mem(Reg::R13, 0), mem(Reg::R12, Reg::R11, -1)}) {
    for (int32_t v : {0, 1, -1, 127, -128, 255}) {
      b.next("mov " + ptr(Width::W8) + mem_text(m) + "," + imm(v, Width::W8))
          .store(Width::W8, m, v);
    }
    for (int32_t v : {0, 1, -1, 0x7fff, -32768, 65535}) {
      b.next("mov " + ptr(Width::W16) + mem_text(m) + "," + imm(v, Width::W16))
          .store(Width::W16, m, v);
    }
    for (int32_t v : kImm32Edges) {
      b.next("mov " + ptr(Width::W32) + mem_text(m) + "," + imm(v, Width::W32))
          .store(Width::W32, m, v);
      b.next("mov " + ptr(Width::W64) + mem_text(m) + "," + imm(v, Width::W64))
          .store(Width::W64, m, v);
    }
  }
  b.check();
}

TEST(X86AssemblerEncoding, ZeroAndSignExtendingRegisterMoves) {
  Batch b;
  for (Reg dst : kAllRegs) {
    for (Reg src : kAllRegs) {
      b.next("movzx " + name(dst, Width::W32) + "," + name(src, Width::W8))
          .movzx(Width::W8, dst, src);
      b.next("movzx " + name(dst, Width::W32) + "," + name(src, Width::W16))
          .movzx(Width::W16, dst, src);
      b.next("mov " + name(dst, Width::W32) + "," + name(src, Width::W32))
          .movzx(Width::W32, dst, src);
      for (Width to : kAluWidths) {
        b.next("movsx " + name(dst, to) + "," + name(src, Width::W8))
            .movsx(to, Width::W8, dst, src);
        b.next("movsx " + name(dst, to) + "," + name(src, Width::W16))
            .movsx(to, Width::W16, dst, src);
      }
      b.next("movsxd " + name(dst, Width::W64) + "," + name(src, Width::W32))
          .movsx(Width::W64, Width::W32, dst, src);
    }
  }
  b.check();
}

TEST(X86AssemblerEncoding, LeaIncludingTheCageForm) {
  Batch b;
  std::vector<Mem> mems = sample_mems();
  for (size_t i = 0; i < mems.size(); ++i) {
    Reg dst = kAllRegs[(i * 7) % kRegCount];
    b.next("lea " + name(dst, Width::W32) + "," + mem_text(mems[i]))
        .lea(Width::W32, dst, mems[i]);
    b.next("lea " + name(dst, Width::W64) + "," + mem_text(mems[i]))
        .lea(Width::W64, dst, mems[i]);
  }
  b.check();
}

TEST(X86AssemblerEncoding, AluRegisterRegisterAllOpsAllPairs) {
  Batch b;
  for (int op = 0; op < 8; ++op) {
    for (Width w : kAluWidths) {
      for (Reg dst : kAllRegs) {
        for (Reg src : kAllRegs) {
          b.next(std::string(kAluNames[op]) + " " + name(dst, w) + "," + name(src, w))
              .alu(static_cast<AluOp>(op), w, dst, src);
        }
      }
    }
  }
  b.check();
}

TEST(X86AssemblerEncoding, AluImmediateAndMemoryForms) {
  Batch b;
  for (int op = 0; op < 8; ++op) {
    AluOp o = static_cast<AluOp>(op);
    std::string n = kAluNames[op];
    for (Width w : kAluWidths) {
      for (Reg dst : kAllRegs) {
        for (int32_t v : kImm32Edges) {
          b.next(n + " " + name(dst, w) + "," + imm(v, w)).alu(o, w, dst, v);
        }
      }
      for (const Mem& m : {mem(Reg::Rsp, 8), mem(Reg::R13, 0), mem(Reg::R12, Reg::R11, -4)}) {
        for (Reg r : {Reg::Rax, Reg::Rsi, Reg::R9, Reg::R15}) {
          b.next(n + " " + name(r, w) + "," + ptr(w) + mem_text(m)).alu(o, w, r, m);
          b.next(n + " " + ptr(w) + mem_text(m) + "," + name(r, w)).alu(o, w, m, r);
        }
        for (int32_t v : {0, -1, 100, 1000, INT32_MIN}) {
          b.next(n + " " + ptr(w) + mem_text(m) + "," + imm(v, w)).alu(o, w, m, v);
        }
      }
    }
  }
  // The named shorthands route to the right operation.
  Assembler& a = b.next("add rax,rdi");
  a.add(Width::W64, Reg::Rax, Reg::Rdi);
  b.next("sub r9d,0x5").sub(Width::W32, Reg::R9, 5);
  b.next("and rbx,r12").and_(Width::W64, Reg::Rbx, Reg::R12);
  b.next("or esi,0x100").or_(Width::W32, Reg::Rsi, 0x100);
  b.next("xor r11d,r11d").xor_(Width::W32, Reg::R11, Reg::R11);
  b.next("xor rax,0xffffffffffffffff").xor_(Width::W64, Reg::Rax, -1);
  b.next("cmp r15,rbp").cmp(Width::W64, Reg::R15, Reg::Rbp);
  b.next("cmp ecx,0x0").cmp(Width::W32, Reg::Rcx, 0);
  b.next("add r8,0x7f").add(Width::W64, Reg::R8, 127);
  b.next("sub rsp,0x200").sub(Width::W64, Reg::Rsp, 512);
  b.next("and edx,0xff").and_(Width::W32, Reg::Rdx, 255);
  b.next("or r13,rdi").or_(Width::W64, Reg::R13, Reg::Rdi);
  b.check();
}

TEST(X86AssemblerEncoding, UnaryMultiplyDivideAndTest) {
  Batch b;
  for (Width w : kAluWidths) {
    for (Reg r : kAllRegs) {
      b.next("neg " + name(r, w)).neg(w, r);
      b.next("not " + name(r, w)).not_(w, r);
      b.next("inc " + name(r, w)).inc(w, r);
      b.next("dec " + name(r, w)).dec(w, r);
      b.next("mul " + name(r, w)).mul(w, r);
      b.next("div " + name(r, w)).div(w, r);
      b.next("idiv " + name(r, w)).idiv(w, r);
      for (Reg s : kAllRegs) {
        b.next("test " + name(r, w) + "," + name(s, w)).test(w, r, s);
        b.next("imul " + name(r, w) + "," + name(s, w)).imul(w, r, s);
      }
      for (int32_t v : kImm32Edges) {
        b.next("test " + name(r, w) + "," + imm(v, w)).test(w, r, v);
        b.next("imul " + name(r, w) + "," + name(Reg::R13, w) + "," + imm(v, w))
            .imul(w, r, Reg::R13, v);
      }
    }
  }
  b.next("cdq").sign_extend_rax(Width::W32);
  b.next("cqo").sign_extend_rax(Width::W64);
  b.check();
}

TEST(X86AssemblerEncoding, ShiftsRotatesAndByteSwaps) {
  Batch b;
  const struct {
    ShiftOp op;
    const char* name;
  } ops[] = {{ShiftOp::Rol, "rol"}, {ShiftOp::Ror, "ror"}, {ShiftOp::Shl, "shl"},
             {ShiftOp::Shr, "shr"}, {ShiftOp::Sar, "sar"}};
  for (const auto& op : ops) {
    for (Width w : {Width::W16, Width::W32, Width::W64}) {
      for (Reg r : kAllRegs) {
        for (uint8_t count : {0, 1, 8, 31, 63}) {
          b.next(std::string(op.name) + " " + name(r, w) + "," + hex(count))
              .shift(op.op, w, r, count);
        }
        b.next(std::string(op.name) + " " + name(r, w) + ",cl").shift_cl(op.op, w, r);
      }
    }
  }
  b.next("shl rax,0x20").shl(Width::W64, Reg::Rax, 32);
  b.next("shr r12d,0x3").shr(Width::W32, Reg::R12, 3);
  b.next("sar r15,0x3f").sar(Width::W64, Reg::R15, 63);
  b.next("rol si,0x8").rol(Width::W16, Reg::Rsi, 8);
  for (Width w : kAluWidths) {
    for (Reg r : kAllRegs) b.next("bswap " + name(r, w)).bswap(w, r);
  }
  b.check();
}

TEST(X86AssemblerEncoding, Bmi2ShiftsEveryRegisterInEverySlot) {
  Batch b;
  for (Width w : kAluWidths) {
    for (Reg dst : kAllRegs) {
      for (Reg src : kAllRegs) {
        Reg count = kAllRegs[(reg_number(dst) + 3 * reg_number(src)) % kRegCount];
        std::string ops = " " + name(dst, w) + "," + name(src, w) + "," + name(count, w);
        b.next("shlx" + ops).shlx(w, dst, src, count);
        b.next("shrx" + ops).shrx(w, dst, src, count);
        b.next("sarx" + ops).sarx(w, dst, src, count);
      }
      for (Reg count : kAllRegs) {
        b.next("shlx " + name(Reg::R9, w) + "," + name(dst, w) + "," + name(count, w))
            .shlx(w, Reg::R9, dst, count);
      }
    }
  }
  b.check();
}

TEST(X86AssemblerEncoding, AtomicsAndExchanges) {
  Batch b;
  const struct {
    AluOp op;
    const char* name;
  } ops[] = {{AluOp::Add, "add"}, {AluOp::Or, "or"}, {AluOp::And, "and"},
             {AluOp::Xor, "xor"}, {AluOp::Sub, "sub"}};
  std::vector<Mem> mems = {mem(Reg::R12, Reg::R11, 0), mem(Reg::R12, Reg::R11, -8),
                           mem(Reg::Rdi, 0), mem(Reg::Rbp, -16), mem(Reg::R13, 0),
                           mem(Reg::Rsp, 0), mem(Reg::R12, 0x1000)};
  for (Width w : kAluWidths) {
    for (Reg src : kAllRegs) {
      for (const Mem& m : mems) {
        std::string operands = " " + ptr(w) + mem_text(m) + "," + name(src, w);
        for (const auto& op : ops) {
          b.next("lock " + std::string(op.name) + operands).lock_alu(op.op, w, m, src);
        }
        b.next("lock xadd" + operands).lock_xadd(w, m, src);
        b.next("xchg" + operands).xchg(w, m, src);
        b.next("lock cmpxchg" + operands).lock_cmpxchg(w, m, src);
      }
      for (Reg other : kAllRegs) {
        b.next("xchg " + name(src, w) + "," + name(other, w)).xchg(w, src, other);
      }
    }
  }
  b.check();
}

TEST(X86AssemblerEncoding, ConditionalMovesAndSets) {
  Batch b;
  for (int c = 0; c < 16; ++c) {
    Cond cond = static_cast<Cond>(c);
    for (Reg r : kAllRegs) {
      b.next("set" + std::string(kCondNames[c]) + " " + name(r, Width::W8)).setcc(cond, r);
      for (Width w : kAluWidths) {
        Reg src = kAllRegs[(reg_number(r) + c + 1) % kRegCount];
        b.next("cmov" + std::string(kCondNames[c]) + " " + name(r, w) + "," + name(src, w))
            .cmov(cond, w, r, src);
      }
    }
  }
  b.check();
}

TEST(X86AssemblerEncoding, StackAndIndirectControlFlow) {
  Batch b;
  for (Reg r : kAllRegs) {
    b.next("push " + name(r, Width::W64)).push(r);
    b.next("pop " + name(r, Width::W64)).pop(r);
    b.next("call " + name(r, Width::W64)).call(r);
    b.next("jmp " + name(r, Width::W64)).jmp(r);
    b.next("call QWORD PTR " + mem_text(mem(r, 8))).call(mem(r, 8));
  }
  b.next("call QWORD PTR [r12+r11*8+0x10]").call(mem(Reg::R12, Reg::R11, Scale::X8, 16));
  b.next("ret").ret();
  b.next("int3").int3();
  b.next("ud2").ud2();
  b.next("rdtsc").rdtsc();
  b.next("lfence").lfence();
  b.next("mfence").mfence();
  b.next("pause").pause();
  b.check();
}

TEST(X86AssemblerEncoding, LabelsJumpsAndCallsForwardAndBackward) {
  Batch b;
  Assembler& a = b.assembler();
  Label start = a.new_label();
  Label far_end = a.new_label();
  Label near_end = a.new_label();
  a.bind(start);
  // Backward targets are known when emitted; forward ones are patched by finish().
  b.next("jmp 0x0").jmp(start);
  b.next("jmp 0x0").jmp_short(start);
  b.next("call 0x0").call(start);
  b.next("lea r11,[rip+" + hex(0 - (a.offset() + 7)) + "]").lea(Reg::R11, start);
  for (int c = 0; c < 16; ++c) {
    b.next("j" + std::string(kCondNames[c]) + " 0x0").jcc(static_cast<Cond>(c), start);
  }
  // Forward short jumps: 16 x 2 bytes, then the label right after them.
  size_t short_block = a.offset();
  size_t near_target = short_block + 16 * 2;
  for (int c = 0; c < 16; ++c) {
    b.next("j" + std::string(kCondNames[c]) + " " + hex(near_target))
        .jcc_short(static_cast<Cond>(c), near_end);
  }
  a.bind(near_end);
  // Forward rel32 jumps over 300 bytes of nops, past rel8 reach.
  size_t far_block = a.offset();
  size_t far_target = far_block + 5 + 5 + 7 + 16 * 6 + 300;
  b.next("jmp " + hex(far_target)).jmp(far_end);
  b.next("call " + hex(far_target)).call(far_end);
  b.next("lea rax,[rip+" + hex(far_target - (a.offset() + 7)) + "]").lea(Reg::Rax, far_end);
  for (int c = 0; c < 16; ++c) {
    b.next("j" + std::string(kCondNames[c]) + " " + hex(far_target))
        .jcc(static_cast<Cond>(c), far_end);
  }
  for (int i = 0; i < 300; ++i) b.next("nop").nop(1);
  ASSERT_EQ(a.offset(), far_target);
  a.bind(far_end);
  b.next("ret").ret();
  EXPECT_EQ(a.label_offset(start), 0u);
  EXPECT_EQ(a.label_offset(far_end), far_target);
  b.check();
}

TEST(X86AssemblerEncoding, ExternalCallsAreRelativeToTheRuntimeAddress) {
  Batch b;
  const uint64_t runtime = 0x7f0000100000;
  b.next("call 0x7f0000200000").call_external(0x7f0000200000);
  b.next("jmp 0x7f0000000000").jmp_external(0x7f0000000000);
  b.next("call " + hex(runtime)).call_external(runtime);  // backward, to byte 0
  // The farthest reachable target: rel32 = INT32_MAX from the end of the call (offset 20).
  b.next("call " + hex(runtime + 20 + INT32_MAX)).call_external(runtime + 20 + INT32_MAX);
  b.check(runtime);
}

// Beyond the enumerated grids: random memory operands (any base, any legal index and scale,
// random displacements) through every instruction that takes one. Fixed seed: reproducible.
TEST(X86AssemblerEncoding, RandomMemoryOperandsThroughEveryMemoryInstruction) {
  std::mt19937_64 rng(20261122);
  auto pick_reg = [&] { return kAllRegs[rng() % kRegCount]; };
  auto random_mem = [&] {
    Reg base = pick_reg();
    int32_t disp = 0;
    switch (rng() % 4) {
      case 0: disp = 0; break;
      case 1: disp = static_cast<int8_t>(rng()); break;
      default: disp = static_cast<int32_t>(rng()); break;
    }
    if (rng() % 2 == 0) return mem(base, disp);
    Reg index = pick_reg();
    while (index == Reg::Rsp) index = pick_reg();
    return mem(base, index, static_cast<Scale>(rng() % 4), disp);
  };
  Batch b;
  for (int i = 0; i < 400; ++i) {
    Mem m = random_mem();
    std::string mt = mem_text(m);
    Reg r = pick_reg();
    Width w = kAllWidths[rng() % 4];
    Width aw = kAluWidths[rng() % 2];
    int32_t v = static_cast<int32_t>(rng());
    int op = static_cast<int>(rng() % 8);
    b.next((w <= Width::W16 ? "movzx " + name(r, Width::W32) : "mov " + name(r, w)) + "," +
           ptr(w) + mt)
        .load(w, r, m);
    b.next("mov " + ptr(w) + mt + "," + name(r, w)).store(w, m, r);
    b.next("mov " + ptr(aw) + mt + "," + imm(v, aw)).store(aw, m, v);
    b.next("lea " + name(r, aw) + "," + mt).lea(aw, r, m);
    b.next(std::string(kAluNames[op]) + " " + name(r, aw) + "," + ptr(aw) + mt)
        .alu(static_cast<AluOp>(op), aw, r, m);
    b.next(std::string(kAluNames[op]) + " " + ptr(aw) + mt + "," + imm(v, aw))
        .alu(static_cast<AluOp>(op), aw, m, v);
    b.next("lock xadd " + ptr(aw) + mt + "," + name(r, aw)).lock_xadd(aw, m, r);
    b.next("lock cmpxchg " + ptr(aw) + mt + "," + name(r, aw)).lock_cmpxchg(aw, m, r);
    b.next("call QWORD PTR " + mt).call(m);
  }
  b.check();
}

TEST(X86AssemblerEncoding, NopsOfEveryLengthAndAlignment) {
  for (size_t n = 1; n <= 40; ++n) {
    Assembler a;
    a.nop(n);
    ASSERT_TRUE(a.finish().ok());
    ASSERT_EQ(a.code().size(), n);
    std::vector<DisasmLine> lines = disassemble(a.code());
    ASSERT_FALSE(lines.empty());
    for (const DisasmLine& l : lines) {
      // objdump names the 2-byte form by its historical meaning, "xchg ax,ax".
      EXPECT_TRUE(l.text.rfind("nop", 0) == 0 || l.text == "xchg ax,ax") << n << ": " << l.text;
    }
  }
  for (size_t start = 0; start < 20; ++start) {
    Assembler a;
    a.emit_bytes(std::vector<uint8_t>(start, 0xCC));
    a.align(16);
    EXPECT_EQ(a.offset(), (start + 15) / 16 * 16);
    a.align(16);
    EXPECT_EQ(a.offset(), (start + 15) / 16 * 16) << "aligning an aligned offset adds nothing";
  }
}

// ---------------------------------------------------------------------------------------------
// Exact bytes for the encodings whose special cases matter most (Intel SDM vol. 2 §2.1-2.3)
// ---------------------------------------------------------------------------------------------

std::vector<uint8_t> bytes_of(const std::function<void(Assembler&)>& emit) {
  Assembler a;
  emit(a);
  EXPECT_TRUE(a.finish().ok());
  return std::vector<uint8_t>(a.code().begin(), a.code().end());
}

TEST(X86AssemblerBytes, SpecialCasesOfModRmAndRex) {
  using V = std::vector<uint8_t>;
  // A byte store from sil needs an empty REX, else 88 37 would store dh.
  EXPECT_EQ(bytes_of([](Assembler& a) { a.store(Width::W8, mem(Reg::Rdi), Reg::Rsi); }),
            (V{0x40, 0x88, 0x37}));
  EXPECT_EQ(bytes_of([](Assembler& a) { a.store(Width::W8, mem(Reg::Rdi), Reg::Rbx); }),
            (V{0x88, 0x1F}));
  // rsp/r12 bases need a SIB byte; rbp/r13 bases need a displacement.
  EXPECT_EQ(bytes_of([](Assembler& a) { a.load(Width::W64, Reg::Rax, mem(Reg::Rsp)); }),
            (V{0x48, 0x8B, 0x04, 0x24}));
  EXPECT_EQ(bytes_of([](Assembler& a) { a.load(Width::W64, Reg::Rax, mem(Reg::R12)); }),
            (V{0x49, 0x8B, 0x04, 0x24}));
  EXPECT_EQ(bytes_of([](Assembler& a) { a.load(Width::W64, Reg::Rax, mem(Reg::Rbp)); }),
            (V{0x48, 0x8B, 0x45, 0x00}));
  EXPECT_EQ(bytes_of([](Assembler& a) { a.load(Width::W64, Reg::Rax, mem(Reg::R13)); }),
            (V{0x49, 0x8B, 0x45, 0x00}));
  // The cage access: mov eax, [r12 + r11].
  EXPECT_EQ(bytes_of([](Assembler& a) {
              a.load(Width::W32, Reg::Rax, mem(Reg::R12, Reg::R11));
            }),
            (V{0x43, 0x8B, 0x04, 0x1C}));
  // r13 as a base with an index still needs the disp8.
  EXPECT_EQ(bytes_of([](Assembler& a) {
              a.load(Width::W64, Reg::Rcx, mem(Reg::R13, Reg::R12, Scale::X4, 0));
            }),
            (V{0x4B, 0x8B, 0x4C, 0xA5, 0x00}));
  // SHLX rax, rdi, rcx: three-byte VEX, map 0F38, pp = 66.
  EXPECT_EQ(bytes_of([](Assembler& a) { a.shlx(Width::W64, Reg::Rax, Reg::Rdi, Reg::Rcx); }),
            (V{0xC4, 0xE2, 0xF1, 0xF7, 0xC7}));
  EXPECT_EQ(bytes_of([](Assembler& a) { a.mov_imm64(Reg::R10, 0x1122334455667788); }),
            (V{0x49, 0xBA, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}));
}

// ---------------------------------------------------------------------------------------------
// Passes, buffers and errors
// ---------------------------------------------------------------------------------------------

// A program touching every length-relevant feature: forward and backward labels, short jumps,
// external calls, immediates of every size, alignment.
void emit_sample_program(Assembler& a) {
  Label top = a.new_label();
  Label out = a.new_label();
  a.push(Reg::Rbx);
  a.align(16);
  a.bind(top);
  a.mov_imm(Reg::Rax, 0x123456789);
  a.mov_imm(Reg::Rcx, 7);
  a.add(Width::W64, Reg::Rax, 1000);
  a.add(Width::W32, Reg::Rax, 1);
  a.load(Width::W8, Reg::Rsi, mem(Reg::R13, 0));
  a.store(Width::W64, mem(Reg::R12, Reg::R11, 0x1000), Reg::R15);
  a.jcc(Cond::E, out);
  a.jcc_short(Cond::Ne, top);
  a.call_external(0x1000);
  a.shlx(Width::W64, Reg::Rax, Reg::Rax, Reg::Rcx);
  a.jmp(top);
  a.align(8);
  a.bind(out);
  a.pop(Reg::Rbx);
  a.ret();
}

TEST(X86AssemblerPasses, MeasureOnlyPassMatchesTheRealPass) {
  Assembler measure = Assembler::measure_only();
  emit_sample_program(measure);
  ASSERT_TRUE(measure.finish().ok());
  EXPECT_TRUE(measure.code().empty());
  EXPECT_TRUE(measure.link_external(0x1234).ok());

  Assembler real;
  emit_sample_program(real);
  ASSERT_TRUE(real.finish().ok());
  EXPECT_EQ(measure.offset(), real.offset());
  EXPECT_EQ(real.code().size(), real.offset());
  EXPECT_GT(real.offset(), 40u);

  // Pass 2 into a fixed buffer of exactly the measured size gives the same bytes.
  std::vector<uint8_t> exact(measure.offset() + 1, 0xAB);
  Assembler fixed(std::span<uint8_t>(exact.data(), measure.offset()));
  emit_sample_program(fixed);
  ASSERT_TRUE(fixed.finish().ok());
  EXPECT_TRUE(std::equal(real.code().begin(), real.code().end(), exact.begin()));
  EXPECT_EQ(exact.back(), 0xAB);
}

TEST(X86AssemblerPasses, TooSmallFixedBufferIsAnErrorAndNeverOverruns) {
  std::vector<uint8_t> memory(64, 0xAB);
  Assembler a(std::span<uint8_t>(memory.data(), 16));
  emit_sample_program(a);
  Result<void> r = a.finish();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("fixed buffer holds only 16"), std::string::npos)
      << r.error().message();
  EXPECT_EQ(a.code().size(), 16u);
  for (size_t i = 16; i < memory.size(); ++i) ASSERT_EQ(memory[i], 0xAB) << i;
  EXPECT_TRUE(a.buffer().overflowed());
}

TEST(X86AssemblerPasses, UnboundLabelIsReported) {
  Assembler a;
  Label never = a.new_label();
  a.jmp(never);
  Result<void> r = a.finish();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("never bound"), std::string::npos) << r.error().message();
}

TEST(X86AssemblerPasses, ShortJumpOutOfReachIsReportedBothDirections) {
  {
    Assembler a;
    Label l = a.new_label();
    a.jmp_short(l);
    a.nop(127);  // displacement 127: still fits
    a.bind(l);
    EXPECT_TRUE(a.finish().ok());
  }
  {
    Assembler a;
    Label l = a.new_label();
    a.jmp_short(l);
    a.nop(128);
    a.bind(l);
    Result<void> r = a.finish();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("rel8"), std::string::npos) << r.error().message();
  }
  {
    Assembler a;
    Label l = a.new_label();
    a.bind(l);
    a.nop(126);
    a.jcc_short(Cond::E, l);  // -128 from the end of the jump: fits
    EXPECT_TRUE(a.finish().ok());
  }
  {
    Assembler a;
    Label l = a.new_label();
    a.bind(l);
    a.nop(127);
    a.jcc_short(Cond::E, l);
    EXPECT_FALSE(a.finish().ok());
  }
}

TEST(X86AssemblerPasses, ExternalTargetOutOfRel32ReachIsReported) {
  Assembler a;
  a.call_external(uint64_t{1} << 40);
  ASSERT_TRUE(a.finish().ok());
  EXPECT_FALSE(a.link_external(0x10000).ok());
  EXPECT_TRUE(a.link_external((uint64_t{1} << 40) - 0x10000).ok());
}

TEST(X86AssemblerPasses, CodeBufferIsLittleEndianInEveryMode) {
  const std::vector<uint8_t> expected = {0x11, 0x33, 0x22, 0x77, 0x66, 0x55, 0x44, 0xF0, 0xDE,
                                         0xBC, 0x9A, 0x78, 0x56, 0x34, 0x12, 0xAA, 0xBB};
  auto fill = [](CodeBuffer& buf) {
    buf.emit8(0x11);
    buf.emit16(0x2233);
    buf.emit32(0x44556677);
    buf.emit64(0x123456789abcdef0);
    const uint8_t tail[] = {0xAA, 0xBB};
    buf.emit(tail);
  };
  CodeBuffer growable;
  fill(growable);
  EXPECT_EQ(std::vector<uint8_t>(growable.bytes().begin(), growable.bytes().end()), expected);
  growable.patch32(3, 0x01020304);
  growable.patch8(0, 0xEE);
  EXPECT_EQ(growable.bytes()[0], 0xEE);
  EXPECT_EQ(growable.bytes()[3], 0x04);
  EXPECT_EQ(growable.bytes()[6], 0x01);
  growable.patch32(100, 0);  // nothing stored there: ignored

  std::vector<uint8_t> storage(expected.size());
  CodeBuffer fixed(storage);
  fill(fixed);
  EXPECT_EQ(storage, expected);
  EXPECT_FALSE(fixed.overflowed());
  fixed.emit8(0);
  EXPECT_TRUE(fixed.overflowed());
  EXPECT_EQ(fixed.size(), expected.size() + 1);
  EXPECT_EQ(fixed.bytes().size(), expected.size());

  CodeBuffer measure = CodeBuffer::measure_only();
  fill(measure);
  EXPECT_TRUE(measure.measuring());
  EXPECT_EQ(measure.size(), expected.size());
  EXPECT_TRUE(measure.bytes().empty());
  EXPECT_FALSE(measure.overflowed());

  Assembler a;  // the raw-data emitters of the top layer
  a.emit_u64(0x0102030405060708);
  a.emit_bytes(std::vector<uint8_t>{9, 10});
  EXPECT_EQ(std::vector<uint8_t>(a.code().begin(), a.code().end()),
            (std::vector<uint8_t>{8, 7, 6, 5, 4, 3, 2, 1, 9, 10}));
}

TEST(X86AssemblerPasses, LabelIdsAreDenseInCreationOrder) {
  Assembler a;
  for (uint32_t i = 0; i < 5; ++i) EXPECT_EQ(a.new_label().id(), i);
  EXPECT_FALSE(Label().valid());
  Label l = a.new_label();
  EXPECT_FALSE(a.is_bound(l));
  a.nop(3);
  a.bind(l);
  EXPECT_TRUE(a.is_bound(l));
  EXPECT_EQ(a.label_offset(l), 3u);
}

// ---------------------------------------------------------------------------------------------
// Native execution
// ---------------------------------------------------------------------------------------------

// Code memory the way the JIT will use it: RW while written, RX when run, never both.
class ExecMemory {
 public:
  explicit ExecMemory(size_t size) {
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_ = (size + page - 1) / page * page;
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_NE(p, MAP_FAILED);
    base_ = static_cast<uint8_t*>(p);
  }
  ~ExecMemory() { munmap(base_, size_); }
  ExecMemory(const ExecMemory&) = delete;
  ExecMemory& operator=(const ExecMemory&) = delete;

  std::span<uint8_t> writable() { return {base_, size_}; }
  uint64_t address() const { return reinterpret_cast<uint64_t>(base_); }
  void make_executable() { EXPECT_EQ(mprotect(base_, size_, PROT_READ | PROT_EXEC), 0); }
  template <typename Fn>
  Fn entry(size_t offset = 0) const {
    return reinterpret_cast<Fn>(base_ + offset);
  }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
};

// Assembles with `emit` (two passes, as the JIT does), maps the result RX, returns the memory.
std::unique_ptr<ExecMemory> compile(const std::function<void(Assembler&)>& emit) {
  Assembler measure = Assembler::measure_only();
  emit(measure);
  EXPECT_TRUE(measure.finish().ok());
  auto memory = std::make_unique<ExecMemory>(measure.offset());
  Assembler a(memory->writable());
  emit(a);
  Result<void> done = a.finish();
  EXPECT_TRUE(done.ok()) << (done.ok() ? "" : done.error().message());
  EXPECT_EQ(a.offset(), measure.offset());
  EXPECT_TRUE(a.link_external(memory->address()).ok());
  memory->make_executable();
  return memory;
}

using Fn1 = uint64_t (*)(uint64_t);
using Fn2 = uint64_t (*)(uint64_t, uint64_t);
using Fn3 = uint64_t (*)(uint64_t, uint64_t, uint64_t);

const uint64_t kValues[] = {0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x100, 0x7fffffff, 0x80000000,
                            0xffffffff, 0x100000000, 0x123456789abcdef0, 0x7fffffffffffffff,
                            0x8000000000000000, 0xfffffffffffffffe, 0xffffffffffffffff};

bool cpu_has_bmi2() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ebx & (1u << 8)) != 0;  // CPUID.(EAX=07H, ECX=0):EBX.BMI2[bit 8]
}

TEST(X86AssemblerExec, ArithmeticAndThirtyTwoBitZeroExtension) {
  // f(a, b) = ((a + b) * 3 - (a ^ b)) | (~b & 0xff00); computed in r10/r11 to exercise REX.
  auto f64 = compile([](Assembler& a) {
    a.mov(Width::W64, Reg::R10, Reg::Rdi);
    a.add(Width::W64, Reg::R10, Reg::Rsi);
    a.imul(Width::W64, Reg::R10, Reg::R10, 3);
    a.mov(Width::W64, Reg::R11, Reg::Rdi);
    a.xor_(Width::W64, Reg::R11, Reg::Rsi);
    a.sub(Width::W64, Reg::R10, Reg::R11);
    a.mov(Width::W64, Reg::Rax, Reg::Rsi);
    a.not_(Width::W64, Reg::Rax);
    a.and_(Width::W64, Reg::Rax, 0xff00);
    a.or_(Width::W64, Reg::Rax, Reg::R10);
    a.ret();
  });
  // The same in 32 bits: every 32-bit write must clear bits 32-63.
  auto f32 = compile([](Assembler& a) {
    a.mov(Width::W64, Reg::R10, Reg::Rdi);
    a.add(Width::W32, Reg::R10, Reg::Rsi);
    a.imul(Width::W32, Reg::R10, Reg::R10, 3);
    a.mov(Width::W64, Reg::R11, Reg::Rdi);
    a.xor_(Width::W32, Reg::R11, Reg::Rsi);
    a.sub(Width::W32, Reg::R10, Reg::R11);
    a.mov(Width::W64, Reg::Rax, Reg::Rsi);
    a.not_(Width::W32, Reg::Rax);
    a.and_(Width::W32, Reg::Rax, 0xff00);
    a.or_(Width::W32, Reg::Rax, Reg::R10);
    a.ret();
  });
  auto neg_mul = compile([](Assembler& a) {  // f(a, b) = -(a * b) + 1, via imul r, r
    a.mov(Width::W64, Reg::Rax, Reg::Rdi);
    a.imul(Width::W64, Reg::Rax, Reg::Rsi);
    a.neg(Width::W64, Reg::Rax);
    a.inc(Width::W64, Reg::Rax);
    a.ret();
  });
  for (uint64_t x : kValues) {
    for (uint64_t y : kValues) {
      uint64_t e64 = ((x + y) * 3 - (x ^ y)) | (~y & 0xff00);
      uint32_t x32 = static_cast<uint32_t>(x), y32 = static_cast<uint32_t>(y);
      uint64_t e32 = static_cast<uint32_t>(((x32 + y32) * 3u - (x32 ^ y32)) | (~y32 & 0xff00u));
      EXPECT_EQ(f64->entry<Fn2>()(x, y), e64) << x << " " << y;
      EXPECT_EQ(f32->entry<Fn2>()(x, y), e32) << x << " " << y;
      EXPECT_EQ(neg_mul->entry<Fn2>()(x, y), 0 - x * y + 1);
    }
  }
}

TEST(X86AssemblerExec, DivisionSignedAndUnsigned) {
  auto make = [](Width w, bool is_signed, bool want_remainder) {
    return compile([=](Assembler& a) {
      a.mov(Width::W64, Reg::Rax, Reg::Rdi);
      if (is_signed) {
        a.sign_extend_rax(w);
        a.idiv(w, Reg::Rsi);
      } else {
        a.xor_(Width::W32, Reg::Rdx, Reg::Rdx);
        a.div(w, Reg::Rsi);
      }
      if (want_remainder) a.mov(w, Reg::Rax, Reg::Rdx);
      if (w == Width::W32) a.mov(Width::W32, Reg::Rax, Reg::Rax);
      a.ret();
    });
  };
  auto udiv64 = make(Width::W64, false, false), umod64 = make(Width::W64, false, true);
  auto sdiv64 = make(Width::W64, true, false), smod64 = make(Width::W64, true, true);
  auto udiv32 = make(Width::W32, false, false), umod32 = make(Width::W32, false, true);
  auto sdiv32 = make(Width::W32, true, false), smod32 = make(Width::W32, true, true);
  for (uint64_t x : kValues) {
    for (uint64_t y : kValues) {
      uint32_t x32 = static_cast<uint32_t>(x), y32 = static_cast<uint32_t>(y);
      if (y != 0) {
        EXPECT_EQ(udiv64->entry<Fn2>()(x, y), x / y);
        EXPECT_EQ(umod64->entry<Fn2>()(x, y), x % y);
        int64_t sx = static_cast<int64_t>(x), sy = static_cast<int64_t>(y);
        if (!(sx == INT64_MIN && sy == -1)) {  // #DE on hardware; the JIT must filter it
          EXPECT_EQ(sdiv64->entry<Fn2>()(x, y), static_cast<uint64_t>(sx / sy));
          EXPECT_EQ(smod64->entry<Fn2>()(x, y), static_cast<uint64_t>(sx % sy));
        }
      }
      if (y32 != 0) {
        EXPECT_EQ(udiv32->entry<Fn2>()(x, y), x32 / y32);
        EXPECT_EQ(umod32->entry<Fn2>()(x, y), x32 % y32);
        int32_t sx = static_cast<int32_t>(x32), sy = static_cast<int32_t>(y32);
        if (!(sx == INT32_MIN && sy == -1)) {
          EXPECT_EQ(sdiv32->entry<Fn2>()(x, y), static_cast<uint32_t>(sx / sy));
          EXPECT_EQ(smod32->entry<Fn2>()(x, y), static_cast<uint32_t>(sx % sy));
        }
      }
    }
  }
}

// Reference shifts with the hardware's count masking (which eBPF also specifies).
uint64_t ref_shift(ShiftOp op, Width w, uint64_t v, uint64_t count) {
  if (w == Width::W64) {
    unsigned n = count & 63;
    if (op == ShiftOp::Shl) return v << n;
    if (op == ShiftOp::Shr) return v >> n;
    return static_cast<uint64_t>(static_cast<int64_t>(v) >> n);
  }
  unsigned n = count & 31;
  uint32_t v32 = static_cast<uint32_t>(v);
  if (op == ShiftOp::Shl) return static_cast<uint32_t>(v32 << n);
  if (op == ShiftOp::Shr) return v32 >> n;
  return static_cast<uint32_t>(static_cast<int32_t>(v32) >> n);
}

// The SDM's shift pseudo-code does not write the destination when the masked count is 0, so
// whether a 32-bit shift by 0 clears bits 32-63 is not promised: compare only the low half then.
uint64_t low_bits_if_count_zero(Width w, uint64_t count, uint64_t v) {
  return w == Width::W32 && (count & 31) == 0 ? static_cast<uint32_t>(v) : v;
}

TEST(X86AssemblerExec, ShiftsByRegisterImmediateAndBmi2) {
  const bool bmi2 = cpu_has_bmi2();
  RecordProperty("bmi2", bmi2 ? "yes" : "no");
  const uint64_t counts[] = {0, 1, 5, 31, 32, 33, 63, 64, 65, 255};
  for (ShiftOp op : {ShiftOp::Shl, ShiftOp::Shr, ShiftOp::Sar}) {
    for (Width w : kAluWidths) {
      auto by_cl = compile([=](Assembler& a) {
        a.mov(Width::W64, Reg::Rax, Reg::Rdi);
        a.mov(Width::W64, Reg::Rcx, Reg::Rsi);
        a.shift_cl(op, w, Reg::Rax);
        a.ret();
      });
      // BMI2 form with operands in registers that need REX.R/B and VEX.vvvv bit 3.
      auto by_x = compile([=](Assembler& a) {
        a.mov(Width::W64, Reg::R10, Reg::Rdi);
        a.mov(Width::W64, Reg::R11, Reg::Rsi);
        if (op == ShiftOp::Shl) a.shlx(w, Reg::R9, Reg::R10, Reg::R11);
        if (op == ShiftOp::Shr) a.shrx(w, Reg::R9, Reg::R10, Reg::R11);
        if (op == ShiftOp::Sar) a.sarx(w, Reg::R9, Reg::R10, Reg::R11);
        a.mov(Width::W64, Reg::Rax, Reg::R9);
        a.ret();
      });
      for (uint64_t v : kValues) {
        for (uint64_t c : counts) {
          uint64_t expected = ref_shift(op, w, v, c);
          EXPECT_EQ(low_bits_if_count_zero(w, c, by_cl->entry<Fn2>()(v, c)),
                    low_bits_if_count_zero(w, c, expected));
          if (bmi2) {  // SHLX/SHRX/SARX always write (and so zero-extend) their destination
            EXPECT_EQ(by_x->entry<Fn2>()(v, c), expected);
          }
        }
      }
      for (uint8_t c : {0, 1, 7, 31}) {
        auto by_imm = compile([=](Assembler& a) {
          a.mov(Width::W64, Reg::R10, Reg::Rdi);
          a.mov(Width::W64, Reg::Rax, Reg::R10);
          a.shift(op, w, Reg::Rax, c);
          a.ret();
        });
        for (uint64_t v : kValues) {
          EXPECT_EQ(low_bits_if_count_zero(w, c, by_imm->entry<Fn1>()(v)),
                    low_bits_if_count_zero(w, c, ref_shift(op, w, v, c)));
        }
      }
    }
  }
}

TEST(X86AssemblerExec, ByteSwapsAndRotate16) {
  auto swap64 = compile([](Assembler& a) {
    a.mov(Width::W64, Reg::Rax, Reg::Rdi);
    a.bswap(Width::W64, Reg::Rax);
    a.ret();
  });
  auto swap32 = compile([](Assembler& a) {
    a.mov(Width::W64, Reg::R8, Reg::Rdi);
    a.bswap(Width::W32, Reg::R8);
    a.mov(Width::W64, Reg::Rax, Reg::R8);
    a.ret();
  });
  auto swap16 = compile([](Assembler& a) {
    a.mov(Width::W64, Reg::Rax, Reg::Rdi);
    a.rol(Width::W16, Reg::Rax, 8);
    a.movzx(Width::W16, Reg::Rax, Reg::Rax);
    a.ret();
  });
  for (uint64_t v : kValues) {
    EXPECT_EQ(swap64->entry<Fn1>()(v), __builtin_bswap64(v));
    EXPECT_EQ(swap32->entry<Fn1>()(v), __builtin_bswap32(static_cast<uint32_t>(v)));
    EXPECT_EQ(swap16->entry<Fn1>()(v), __builtin_bswap16(static_cast<uint16_t>(v)));
  }
}

TEST(X86AssemblerExec, LoadsAndStoresThroughCageStyleAddressing) {
  alignas(16) uint8_t memory[64];
  for (Width w : kAllWidths) {
    // store(base, value): [r12 + r11 + 8] = value, with r12 = base and r11 = 16.
    auto store = compile([=](Assembler& a) {
      a.push(Reg::R12);
      a.mov(Width::W64, Reg::R12, Reg::Rdi);
      a.mov(Width::W32, Reg::R11, 16);
      a.store(w, mem(Reg::R12, Reg::R11, 8), Reg::Rsi);  // W8: sil, not dh
      a.pop(Reg::R12);
      a.ret();
    });
    auto load = compile([=](Assembler& a) {  // via rbp, which needs an explicit disp8
      a.push(Reg::Rbp);
      a.mov(Width::W64, Reg::Rbp, Reg::Rdi);
      a.load(w, Reg::Rax, mem(Reg::Rbp, 24));
      a.pop(Reg::Rbp);
      a.ret();
    });
    auto load_signed = compile([=](Assembler& a) {  // via r13, same special case
      a.push(Reg::R13);
      a.lea(Width::W64, Reg::R13, mem(Reg::Rdi, 24));
      a.load_signed(w, Reg::Rax, mem(Reg::R13, 0));
      a.pop(Reg::R13);
      a.ret();
    });
    auto store_imm = compile([=](Assembler& a) {  // via rsp, which needs a SIB
      a.store(w, mem(Reg::Rsp, -16), w == Width::W8 ? -2 : -3);
      a.load(w, Reg::Rax, mem(Reg::Rsp, -16));
      a.ret();
    });
    int bytes = width_bytes(w);
    for (uint64_t v : kValues) {
      std::memset(memory, 0xEE, sizeof memory);
      store->entry<Fn2>()(reinterpret_cast<uint64_t>(memory), v);
      uint64_t stored = 0;
      std::memcpy(&stored, memory + 24, static_cast<size_t>(bytes));
      uint64_t mask = w == Width::W64 ? ~uint64_t{0} : (uint64_t{1} << (8 * bytes)) - 1;
      EXPECT_EQ(stored, v & mask);
      EXPECT_EQ(memory[23], 0xEE);
      EXPECT_EQ(memory[24 + bytes], 0xEE);
      EXPECT_EQ(load->entry<Fn1>()(reinterpret_cast<uint64_t>(memory)), v & mask);
      uint64_t sign_bit = uint64_t{1} << (8 * bytes - 1);
      uint64_t extended = (v & mask) | ((v & sign_bit) != 0 ? ~mask : 0);
      EXPECT_EQ(load_signed->entry<Fn1>()(reinterpret_cast<uint64_t>(memory)), extended);
    }
    uint64_t expected_imm = (w == Width::W8 ? uint64_t{0xfe} : ~uint64_t{2}) &
                            (w == Width::W64 ? ~uint64_t{0} : (uint64_t{1} << (8 * bytes)) - 1);
    EXPECT_EQ(store_imm->entry<Fn1>()(0), expected_imm);
  }
}

TEST(X86AssemblerExec, AtomicsReturnOldValuesAndAreAtomic) {
  auto fetch_add = compile([](Assembler& a) {
    a.lock_xadd(Width::W64, mem(Reg::Rdi), Reg::Rsi);
    a.mov(Width::W64, Reg::Rax, Reg::Rsi);
    a.ret();
  });
  auto cmpxchg = compile([](Assembler& a) {  // (p, expected, desired) -> old value
    a.mov(Width::W64, Reg::Rax, Reg::Rsi);
    a.lock_cmpxchg(Width::W64, mem(Reg::Rdi), Reg::Rdx);
    a.ret();
  });
  auto cmpxchg32 = compile([](Assembler& a) {
    a.mov(Width::W64, Reg::Rax, Reg::Rsi);
    a.lock_cmpxchg(Width::W32, mem(Reg::Rdi), Reg::Rdx);
    a.ret();
  });
  auto exchange = compile([](Assembler& a) {
    a.xchg(Width::W64, mem(Reg::Rdi), Reg::Rsi);
    a.mov(Width::W64, Reg::Rax, Reg::Rsi);
    a.ret();
  });
  uint64_t cell = 40;
  uint64_t p = reinterpret_cast<uint64_t>(&cell);
  EXPECT_EQ(fetch_add->entry<Fn2>()(p, 2), 40u);
  EXPECT_EQ(cell, 42u);
  EXPECT_EQ(cmpxchg->entry<Fn3>()(p, 41, 7), 42u);  // mismatch: unchanged
  EXPECT_EQ(cell, 42u);
  EXPECT_EQ(cmpxchg->entry<Fn3>()(p, 42, 7), 42u);  // match: swapped
  EXPECT_EQ(cell, 7u);
  EXPECT_EQ(exchange->entry<Fn2>()(p, 99), 7u);
  EXPECT_EQ(cell, 99u);
  cell = 0xAAAAAAAA00000005;
  EXPECT_EQ(cmpxchg32->entry<Fn3>()(p, 5, 6), 5u);  // 32-bit: only the low half compared/set
  EXPECT_EQ(cell, 0xAAAAAAAA00000006u);

  const struct {
    AluOp op;
    uint64_t (*ref)(uint64_t, uint64_t);
  } ops[] = {{AluOp::Add, [](uint64_t x, uint64_t y) { return x + y; }},
             {AluOp::Or, [](uint64_t x, uint64_t y) { return x | y; }},
             {AluOp::And, [](uint64_t x, uint64_t y) { return x & y; }},
             {AluOp::Xor, [](uint64_t x, uint64_t y) { return x ^ y; }}};
  for (const auto& op : ops) {
    for (Width w : kAluWidths) {
      auto fn = compile([&](Assembler& a) {  // returns the new value, through [r12 + r11]
        a.push(Reg::R12);
        a.mov(Width::W64, Reg::R12, Reg::Rdi);
        a.xor_(Width::W32, Reg::R11, Reg::R11);
        a.lock_alu(op.op, w, mem(Reg::R12, Reg::R11), Reg::Rsi);
        a.load(w, Reg::Rax, mem(Reg::R12, Reg::R11));
        a.pop(Reg::R12);
        a.ret();
      });
      for (uint64_t x : kValues) {
        for (uint64_t y : {uint64_t{0}, uint64_t{0xff00ff00ff00ff00}, ~uint64_t{0}, uint64_t{3}}) {
          cell = x;
          uint64_t expected = op.ref(x, y);
          if (w == Width::W32) expected = static_cast<uint32_t>(expected);
          EXPECT_EQ(fn->entry<Fn2>()(p, y), expected);
          if (w == Width::W32) {
            EXPECT_EQ(cell >> 32, x >> 32) << "upper half must be untouched";
          }
        }
      }
    }
  }

  // Two threads adding concurrently lose no update.
  std::atomic<uint64_t> counter{0};
  uint64_t counter_address = reinterpret_cast<uint64_t>(&counter);
  auto adder = fetch_add->entry<Fn2>();
  auto work = [&] {
    for (int i = 0; i < 100000; ++i) adder(counter_address, 1);
  };
  std::thread t1(work), t2(work);
  t1.join();
  t2.join();
  EXPECT_EQ(counter.load(), 200000u);
}

// The eleven eBPF jump conditions, mapped to x86 conditions (JSET is TEST + Ne); checked three
// ways (Jcc, SETcc, CMOVcc), in 64- and 32-bit forms, register and immediate operands.
TEST(X86AssemblerExec, ComparisonsForEveryEbpfCondition) {
  struct Condition {
    const char* name;
    Cond cond;
    bool is_test;
    bool (*ref64)(uint64_t, uint64_t);
    bool (*ref32)(uint32_t, uint32_t);
  };
  const Condition conditions[] = {
      {"jeq", Cond::E, false, [](uint64_t x, uint64_t y) { return x == y; },
       [](uint32_t x, uint32_t y) { return x == y; }},
      {"jne", Cond::Ne, false, [](uint64_t x, uint64_t y) { return x != y; },
       [](uint32_t x, uint32_t y) { return x != y; }},
      {"jgt", Cond::A, false, [](uint64_t x, uint64_t y) { return x > y; },
       [](uint32_t x, uint32_t y) { return x > y; }},
      {"jge", Cond::Ae, false, [](uint64_t x, uint64_t y) { return x >= y; },
       [](uint32_t x, uint32_t y) { return x >= y; }},
      {"jlt", Cond::B, false, [](uint64_t x, uint64_t y) { return x < y; },
       [](uint32_t x, uint32_t y) { return x < y; }},
      {"jle", Cond::Be, false, [](uint64_t x, uint64_t y) { return x <= y; },
       [](uint32_t x, uint32_t y) { return x <= y; }},
      {"jsgt", Cond::G, false,
       [](uint64_t x, uint64_t y) { return int64_t(x) > int64_t(y); },
       [](uint32_t x, uint32_t y) { return int32_t(x) > int32_t(y); }},
      {"jsge", Cond::Ge, false,
       [](uint64_t x, uint64_t y) { return int64_t(x) >= int64_t(y); },
       [](uint32_t x, uint32_t y) { return int32_t(x) >= int32_t(y); }},
      {"jslt", Cond::L, false,
       [](uint64_t x, uint64_t y) { return int64_t(x) < int64_t(y); },
       [](uint32_t x, uint32_t y) { return int32_t(x) < int32_t(y); }},
      {"jsle", Cond::Le, false,
       [](uint64_t x, uint64_t y) { return int64_t(x) <= int64_t(y); },
       [](uint32_t x, uint32_t y) { return int32_t(x) <= int32_t(y); }},
      {"jset", Cond::Ne, true, [](uint64_t x, uint64_t y) { return (x & y) != 0; },
       [](uint32_t x, uint32_t y) { return (x & y) != 0; }},
  };
  const int32_t imms[] = {0, 1, -1, 0x7f, INT32_MIN, INT32_MAX};
  for (const Condition& c : conditions) {
    for (Width w : kAluWidths) {
      auto compare = [&](Assembler& a) {
        if (c.is_test) a.test(w, Reg::Rdi, Reg::Rsi);
        else a.cmp(w, Reg::Rdi, Reg::Rsi);
      };
      auto by_jcc = compile([&](Assembler& a) {
        Label taken = a.new_label();
        compare(a);
        a.jcc(c.cond, taken);
        a.mov(Width::W32, Reg::Rax, 0);
        a.ret();
        a.bind(taken);
        a.mov(Width::W32, Reg::Rax, 1);
        a.ret();
      });
      auto by_setcc = compile([&](Assembler& a) {
        a.mov(Width::W64, Reg::Rax, -1);  // setcc writes only the low byte
        compare(a);
        a.setcc(c.cond, Reg::Rax);
        a.movzx(Width::W8, Reg::Rax, Reg::Rax);
        a.ret();
      });
      auto by_cmov = compile([&](Assembler& a) {
        a.mov(Width::W32, Reg::Rax, 0);
        a.mov(Width::W32, Reg::R10, 1);
        compare(a);
        a.cmov(c.cond, Width::W64, Reg::Rax, Reg::R10);
        a.ret();
      });
      for (uint64_t x : kValues) {
        for (uint64_t y : kValues) {
          bool expected = w == Width::W64
                              ? c.ref64(x, y)
                              : c.ref32(static_cast<uint32_t>(x), static_cast<uint32_t>(y));
          EXPECT_EQ(by_jcc->entry<Fn2>()(x, y), expected ? 1u : 0u)
              << c.name << " " << x << " " << y;
          EXPECT_EQ(by_setcc->entry<Fn2>()(x, y), expected ? 1u : 0u) << c.name;
          EXPECT_EQ(by_cmov->entry<Fn2>()(x, y), expected ? 1u : 0u) << c.name;
        }
      }
      for (int32_t k : imms) {  // immediate forms: the imm is sign-extended to the width
        auto by_imm = compile([&](Assembler& a) {
          a.mov(Width::W32, Reg::Rax, 0);
          if (c.is_test) a.test(w, Reg::Rdi, k);
          else a.cmp(w, Reg::Rdi, k);
          a.setcc(c.cond, Reg::Rax);
          a.ret();
        });
        uint64_t y = static_cast<uint64_t>(static_cast<int64_t>(k));
        for (uint64_t x : kValues) {
          bool expected = w == Width::W64
                              ? c.ref64(x, y)
                              : c.ref32(static_cast<uint32_t>(x), static_cast<uint32_t>(y));
          EXPECT_EQ(by_imm->entry<Fn1>()(x), expected ? 1u : 0u) << c.name << " imm " << k;
        }
      }
    }
  }
}

TEST(X86AssemblerExec, LoopsLocalCallsAndExternalCalls) {
  // sum(n) = n + (n-1) + ... + 1, with a forward exit, a backward loop and both jump sizes.
  for (bool short_jumps : {false, true}) {
    auto sum = compile([=](Assembler& a) {
      Label loop = a.new_label(), done = a.new_label();
      a.xor_(Width::W32, Reg::Rax, Reg::Rax);
      a.test(Width::W64, Reg::Rdi, Reg::Rdi);
      short_jumps ? a.jcc_short(Cond::E, done) : a.jcc(Cond::E, done);
      a.bind(loop);
      a.add(Width::W64, Reg::Rax, Reg::Rdi);
      a.dec(Width::W64, Reg::Rdi);
      short_jumps ? a.jcc_short(Cond::Ne, loop) : a.jcc(Cond::Ne, loop);
      a.bind(done);
      a.ret();
    });
    for (uint64_t n : {0, 1, 2, 10, 1000, 100000}) {
      EXPECT_EQ(sum->entry<Fn1>()(n), n * (n + 1) / 2);
    }
  }
  // A local call to a function placed after its caller: f(x) = square(x) + 1.
  auto local = compile([](Assembler& a) {
    Label square = a.new_label();
    a.call(square);
    a.add(Width::W64, Reg::Rax, 1);
    a.ret();
    a.align(16);
    a.bind(square);
    a.mov(Width::W64, Reg::Rax, Reg::Rdi);
    a.imul(Width::W64, Reg::Rax, Reg::Rax);
    a.ret();
  });
  EXPECT_EQ(local->entry<Fn1>()(12), 145u);
  // Indirect call through a RIP-relative lea.
  auto indirect = compile([](Assembler& a) {
    Label target = a.new_label();
    a.lea(Reg::R11, target);
    a.call(Reg::R11);
    a.add(Width::W64, Reg::Rax, Reg::Rax);
    a.ret();
    a.bind(target);
    a.lea(Width::W64, Reg::Rax, mem(Reg::Rdi, Reg::Rsi, Scale::X4, 3));
    a.ret();
  });
  EXPECT_EQ(indirect->entry<Fn2>()(10, 5), 2u * (10 + 5 * 4 + 3));

  // External calls: a helper assembled into the second page, called by absolute address from
  // code in the first page, as the JIT will call its per-program thunks.
  ExecMemory memory(2 * 4096);
  uint64_t helper_address = memory.address() + 4096;
  Assembler helper(memory.writable().subspan(4096));
  helper.lea(Width::W64, Reg::Rax, mem(Reg::Rdi, Reg::Rsi, 0));  // rax = rdi + rsi
  helper.ret();
  ASSERT_TRUE(helper.finish().ok());
  Assembler main_code(memory.writable().first(4096));
  Label tail = main_code.new_label();
  main_code.call_external(helper_address);                 // rax = x + y
  main_code.mov(Width::W64, Reg::Rdi, Reg::Rax);
  main_code.mov(Width::W64, Reg::Rsi, Reg::Rax);
  main_code.jmp(tail);
  main_code.ud2();
  main_code.bind(tail);
  main_code.jmp_external(helper_address);                  // tail call: 2 * (x + y)
  ASSERT_TRUE(main_code.finish().ok());
  ASSERT_TRUE(main_code.link_external(memory.address()).ok());
  memory.make_executable();
  EXPECT_EQ(memory.entry<Fn2>()(20, 1), 42u);
}

TEST(X86AssemblerExec, TimeStampCounterAdvances) {
  auto tsc = compile([](Assembler& a) {
    a.rdtsc();
    a.shl(Width::W64, Reg::Rdx, 32);
    a.or_(Width::W64, Reg::Rax, Reg::Rdx);
    a.ret();
  });
  uint64_t t1 = tsc->entry<uint64_t (*)()>()();
  uint64_t t2 = tsc->entry<uint64_t (*)()>()();
  EXPECT_NE(t1, 0u);
  EXPECT_GE(t2, t1);
}

}  // namespace
}  // namespace zs::ebpf::x86
