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

INSTANTIATE_TEST_SUITE_P(Engines, Semantics, testing::Values(Engine::kInterpreter, Engine::kJit),
                         [](const testing::TestParamInfo<Engine>& p) {
                           return p.param == Engine::kJit ? std::string("jit") : std::string("interpreter");
                         });

}  // namespace
}  // namespace zs::ebpf
