// Interpreter semantics the conformance suite does not pin down on its own: the division and
// shift corner cases of RFC 9669 §4.1 checked against hand-computed values, on both engines.
#include <gtest/gtest.h>

#include "ebpf/assembler.hh"
#include "ebpf/runtime.hh"

namespace zs::ebpf {
namespace {

uint64_t run(const std::string& text, Engine e) {
  auto code = assemble(text);
  EXPECT_TRUE(code.ok()) << (code.ok() ? "" : code.error().message());
  ProgramImage image;
  image.insns = *code;
  auto prog = Program::create(std::move(image), nullptr);
  EXPECT_TRUE(prog.ok()) << (prog.ok() ? "" : prog.error().message());
  auto exec = Executable::create(*prog, ExecutableOptions{e, true});
  auto in = Instance::create(*exec);
  Outcome o = (*in)->start("main");
  EXPECT_TRUE(o.finished()) << o.reason;
  return o.r0;
}

class Semantics : public testing::TestWithParam<Engine> {};

TEST_P(Semantics, DivisionCorners) {
  const Engine e = GetParam();
  EXPECT_EQ(run("mov %r0, 7\nmov %r1, 0\ndiv %r0, %r1\nexit", e), 0u);
  EXPECT_EQ(run("mov %r0, 7\nmov %r1, 0\nmod %r0, %r1\nexit", e), 7u);
  EXPECT_EQ(run("lddw %r0, 0x1ffffffff\nmov %r1, 0\nmod32 %r0, %r1\nexit", e), 0xffffffffu);
  EXPECT_EQ(run("lddw %r0, 0x8000000000000000\nmov %r1, -1\nsdiv %r0, %r1\nexit", e), 0x8000000000000000u);
  EXPECT_EQ(run("lddw %r0, 0x8000000000000000\nmov %r1, -1\nsmod %r0, %r1\nexit", e), 0u);
  EXPECT_EQ(run("mov32 %r0, 0x80000000\nsdiv32 %r0, -1\nexit", e), 0x80000000u);
  EXPECT_EQ(run("mov %r0, -13\nsmod %r0, 3\nexit", e), static_cast<uint64_t>(-1));
  EXPECT_EQ(run("mov %r0, -13\nsdiv %r0, 3\nexit", e), static_cast<uint64_t>(-4));
  EXPECT_EQ(run("mov %r0, -1\ndiv %r0, -10\nexit", e), 1u);
  // rax/rdx hold guest R0/R3 in the JIT: dividing into R3 and by R0 must keep both right.
  EXPECT_EQ(run("mov %r0, 5\nmov %r3, 100\ndiv %r3, %r0\nadd %r0, %r3\nexit", e), 25u);
  EXPECT_EQ(run("mov %r0, 100\nmov %r3, 7\nmod %r0, %r3\nmul %r0, 1000\nadd %r0, %r3\nexit", e), 2007u);
}

TEST_P(Semantics, ShiftsAndSwaps) {
  const Engine e = GetParam();
  EXPECT_EQ(run("mov %r0, 1\nlsh %r0, 65\nexit", e), 2u);
  EXPECT_EQ(run("mov32 %r0, 1\nlsh32 %r0, 33\nexit", e), 2u);
  EXPECT_EQ(run("lddw %r0, 0xffffffff00000001\nmov %r4, 0\nlsh32 %r0, %r4\nexit", e), 1u);
  EXPECT_EQ(run("mov %r0, -16\nmov %r4, 2\narsh %r0, %r4\nexit", e), static_cast<uint64_t>(-4));
  EXPECT_EQ(run("lddw %r0, 0x1122334455667788\nle16 %r0\nexit", e), 0x7788u);
  EXPECT_EQ(run("lddw %r0, 0x1122334455667788\nbe16 %r0\nexit", e), 0x8877u);
  EXPECT_EQ(run("lddw %r0, 0x1122334455667788\nbswap32 %r0\nexit", e), 0x88776655u);
  EXPECT_EQ(run("mov %r0, 0xff\nmovsx864 %r0, %r0\nexit", e), static_cast<uint64_t>(-1));
  EXPECT_EQ(run("mov %r0, 0xff\nmovsx832 %r0, %r0\nexit", e), 0xffffffffu);
}

TEST_P(Semantics, AtomicsIntoEveryRegister) {
  const Engine e = GetParam();
  // fetch-or with R0 as the source (the JIT's CMPXCHG loop must not lose R0).
  EXPECT_EQ(run("stdw [%r10-8], 6\nmov %r0, 1\nlock fetch or [%r10-8], %r0\nldxdw %r1, [%r10-8]\n"
                "lsh %r1, 8\nor %r0, %r1\nexit", e),
            (7u << 8) | 6u);
  EXPECT_EQ(run("stw [%r10-8], 12\nmov %r0, 12\nmov %r1, 99\nlock cmpxchg32 [%r10-8], %r1\n"
                "ldxw %r2, [%r10-8]\nlsh %r2, 8\nor %r0, %r2\nexit", e),
            (99u << 8) | 12u);
  EXPECT_EQ(run("stdw [%r10-8], 3\nmov %r6, 4\nlock fetch xor [%r10-8], %r6\nldxdw %r0, [%r10-8]\n"
                "lsh %r0, 8\nor %r0, %r6\nexit", e),
            (7u << 8) | 3u);
}

// The JIT fuses clang's five-instruction rotate into mov+ror only when the spare temporary is
// dead; these pin both outcomes (and the 64-bit form) against the interpreter's plain semantics.
TEST_P(Semantics, RotatePatterns) {
  const Engine e = GetParam();
  const std::string rot32 =
      "mov32 %r1, 0x12345678\nmov32 %r2, %r1\nrsh32 %r2, 7\nmov32 %r3, %r1\nlsh32 %r3, 25\n"
      "or32 %r3, %r2\n";
  // Temporary r2 dead (overwritten): r0 = rotr32(0x12345678, 7).
  EXPECT_EQ(run(rot32 + "mov %r2, 0\nmov %r0, %r3\nexit", e), 0xf02468acu);
  // Temporary r2 live afterwards: its value (x >> 7) must survive.
  EXPECT_EQ(run(rot32 + "mov %r0, %r3\nlsh %r0, 32\nor %r0, %r2\nexit", e),
            (uint64_t{0xf02468acu} << 32) | (0x12345678u >> 7));
  // OR into the other temporary, left shift first.
  EXPECT_EQ(run("mov32 %r1, 0x80000001\nmov32 %r4, %r1\nlsh32 %r4, 4\nmov32 %r5, %r1\nrsh32 %r5, 28\n"
                "or32 %r5, %r4\nmov %r4, 0\nmov %r0, %r5\nexit", e),
            0x18u);
  // 64-bit rotate.
  EXPECT_EQ(run("lddw %r1, 0x0123456789abcdef\nmov %r2, %r1\nrsh %r2, 8\nmov %r3, %r1\nlsh %r3, 56\n"
                "or %r2, %r3\nmov %r3, 1\nmov %r0, %r2\nexit", e),
            0xef0123456789abcdull);
}

INSTANTIATE_TEST_SUITE_P(Engines, Semantics, testing::Values(Engine::kInterpreter, Engine::kJit),
                         [](const testing::TestParamInfo<Engine>& p) {
                           return p.param == Engine::kJit ? std::string("jit") : std::string("interpreter");
                         });

}  // namespace
}  // namespace zs::ebpf
