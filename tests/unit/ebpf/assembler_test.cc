// Assembler and disassembler: exact encodings of each syntax family, error messages, and a
// round trip assemble(disassemble(p)) == p over every program of the conformance suite.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ebpf/assembler.hh"
#include "ebpf/disassembler.hh"

namespace zs::ebpf {
namespace {

Insn one(const char* text) {
  auto r = assemble(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  EXPECT_EQ(r.ok() ? r->size() : 0u, 1u);
  return r.ok() && !r->empty() ? r->front() : Insn{};
}

void expect_insn(const Insn& i, uint8_t op, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  EXPECT_EQ(i.opcode, op);
  EXPECT_EQ(i.dst(), dst);
  EXPECT_EQ(i.src(), src);
  EXPECT_EQ(i.offset, off);
  EXPECT_EQ(i.imm, imm);
}

TEST(Assembler, AluForms) {
  expect_insn(one("mov %r0, 1"), 0xb7, 0, 0, 0, 1);
  expect_insn(one("mov32 %r3, %r4"), 0xbc, 3, 4, 0, 0);
  expect_insn(one("add64 %r1, -5"), 0x07, 1, 0, 0, -5);
  expect_insn(one("sdiv32 %r2, %r3"), 0x3c, 2, 3, 1, 0);
  expect_insn(one("smod %r2, 7"), 0x97, 2, 0, 1, 7);
  expect_insn(one("neg32 %r9"), 0x84, 9, 0, 0, 0);
  expect_insn(one("movsx1664 %r1, %r2"), 0xbf, 1, 2, 16, 0);
  expect_insn(one("movsx832 %r1, %r2"), 0xbc, 1, 2, 8, 0);
  expect_insn(one("be16 %r1"), 0xdc, 1, 0, 0, 16);
  expect_insn(one("le64 %r1"), 0xd4, 1, 0, 0, 64);
  expect_insn(one("bswap32 %r1"), 0xd7, 1, 0, 0, 32);
  expect_insn(one("mov32 %r0, 0xffffffff"), 0xb4, 0, 0, 0, -1);
}

TEST(Assembler, MemoryAtomicsAndControl) {
  expect_insn(one("ldxw %r0, [%r1+4]"), 0x61, 0, 1, 4, 0);
  expect_insn(one("ldxsh %r0, [%r10-2]"), 0x89, 0, 10, -2, 0);
  expect_insn(one("stdw [%r10-8], 0x12"), 0x7a, 10, 0, -8, 0x12);
  expect_insn(one("stxb [%r1], %r2"), 0x73, 1, 2, 0, 0);
  expect_insn(one("lock fetch add32 [%r10-8], %r1"), 0xc3, 10, 1, -8, 0x01);
  expect_insn(one("lock cmpxchg [%r10-8], %r1"), 0xdb, 10, 1, -8, 0xf1);
  expect_insn(one("lock xor [%r1+2], %r3"), 0xdb, 1, 3, 2, 0xa0);
  expect_insn(one("call 5"), 0x85, 0, 0, 0, 5);
  expect_insn(one("call %r2"), 0x8d, 2, 0, 0, 0);
  expect_insn(one("exit"), 0x95, 0, 0, 0, 0);
  auto p = assemble("ja L\nL:\njeq32 %r1, 3, exit\nja32 -2\nexit\ncall local L\n");
  ASSERT_TRUE(p.ok()) << p.error().message();
  ASSERT_EQ(p->size(), 5u);
  expect_insn((*p)[0], 0x05, 0, 0, 0, 0);
  expect_insn((*p)[1], 0x16, 1, 0, 1, 3);
  expect_insn((*p)[2], 0x06, 0, 0, 0, -2);
  expect_insn((*p)[4], 0x85, 0, 1, 0, -4);
  auto w = assemble("lddw %r5, 0x1122334455667788");
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->size(), 2u);
  EXPECT_EQ(lddw_imm((*w)[0], (*w)[1]), 0x1122334455667788ull);
}

TEST(Assembler, Errors) {
  struct Bad {
    const char* text;
    const char* message;
  };
  const Bad bad[] = {
      {"or %r0, %r50", "Invalid register"},
      {"lock or [%r10-8]", "Invalid number of operands for lock"},
      {"mov32 %r0, 2147483648", "Invalid immediate"},
      {"mov32 %r0, 0x100000000", "Invalid immediate"},
      {"ldxb %r0, [%r1+0x10000]", "Invalid memory operand"},
      {"ja NOT_A_LABEL", "Invalid label"},
      {"ldxq %r0, [%r1]", "Invalid mnemonic"},
      {"lddw %r0", "Invalid number of operands"},
  };
  for (const Bad& b : bad) {
    auto r = assemble(b.text);
    ASSERT_FALSE(r.ok()) << b.text;
    EXPECT_NE(r.error().message().find(b.message), std::string::npos) << r.error().message();
    EXPECT_EQ(r.error().message().rfind("line 1: ", 0), 0u) << r.error().message();
  }
}

TEST(Disassembler, RoundTripsTheConformanceSuite) {
  namespace fs = std::filesystem;
  size_t programs = 0;
  for (const auto& e : fs::directory_iterator(fs::path(ZS_CONFORMANCE_DIR) / "tests")) {
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    auto a = text.find("-- asm");
    if (a == std::string::npos) continue;
    auto end = text.find("\n--", a + 6);
    auto p = assemble(text.substr(a + 6, end == std::string::npos ? std::string::npos : end - a - 6));
    ASSERT_TRUE(p.ok()) << e.path() << ": " << p.error().message();
    bool valid = true;
    for (const Insn& i : *p) valid = valid && op_info(i.opcode).kind != OpKind::kInvalid;
    if (!valid) continue;  // callx.data: CALLX has no text form here
    std::string dis = disassemble(std::span<const Insn>(*p));
    auto q = assemble(dis);
    ASSERT_TRUE(q.ok()) << e.path() << ": " << q.error().message() << "\n" << dis;
    ASSERT_EQ(p->size(), q->size()) << e.path();
    for (size_t i = 0; i < p->size(); ++i)
      EXPECT_EQ(std::memcmp(&(*p)[i], &(*q)[i], sizeof(Insn)), 0) << e.path() << " slot " << i << "\n" << dis;
    ++programs;
  }
  EXPECT_GT(programs, 240u);
}

}  // namespace
}  // namespace zs::ebpf
