// Verifier: every rejection names the instruction and the reason; valid shapes are accepted and
// their functions found.
#include <gtest/gtest.h>

#include "ebpf/assembler.hh"
#include "ebpf/program.hh"
#include "ebpf/verifier.hh"

namespace zs::ebpf {
namespace {

Result<VerifierInfo> check(std::vector<Insn> code, Limits limits = {}) {
  const uint32_t entry = 0;
  return verify(code, std::span<const uint32_t>(&entry, 1), limits,
                [](uint32_t id) { return id == 1; });
}

Result<VerifierInfo> check_asm(const char* text, Limits limits = {}) {
  auto code = assemble(text);
  EXPECT_TRUE(code.ok()) << (code.ok() ? "" : code.error().message());
  return check(code.ok() ? *code : std::vector<Insn>{}, limits);
}

void expect_reject(const Result<VerifierInfo>& r, const std::string& fragment) {
  ASSERT_FALSE(r.ok()) << "accepted, expected: " << fragment;
  EXPECT_NE(r.error().message().find(fragment), std::string::npos) << r.error().message();
}

TEST(Verifier, AcceptsFunctionsAndRecordsThem) {
  auto r = check_asm("mov %r1, 1\ncall local f\nexit\nf:\nmov %r0, %r1\njeq %r0, 0, +1\nja +0\nexit\n");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->function_starts.size(), 2u);
  EXPECT_EQ(r->function_starts[1], 3u);
  EXPECT_EQ(r->max_call_depth, 2u);
  EXPECT_TRUE(r->marks[3] & kMarkFunctionStart);
}

TEST(Verifier, Rejections) {
  expect_reject(check({}), "empty program");
  expect_reject(check_asm("mov %r10, 1\nexit"), "insn 0: write to read-only register r10");
  expect_reject(check_asm("mov %r11, 1\nexit"), "insn 0: invalid destination register r11");
  expect_reject(check_asm("call %r1\nexit"), "insn 0: CALLX");
  expect_reject(check_asm("call 7\nexit"), "insn 0: call to unknown helper 7");
  expect_reject(check_asm("call runtime 1\nexit"), "BTF");
  expect_reject(check_asm("mov %r0, 1"), "insn 0: control can fall through");
  expect_reject(check_asm("ja +5\nexit"), "insn 0: jump target 6 is outside function [0, 2)");
  expect_reject(check_asm("ja +1\nlddw %r0, 1\nexit"), "jump into the middle of the lddw");
  expect_reject(check_asm("exit\nlddw %r0, 1"), "control can fall through");
  expect_reject(check_asm("call local f\nexit\nf:\ncall local f\nexit"), "recursive call");
  expect_reject(check_asm("lock fetch add [%r1], %r10\nexit"), "write to read-only register r10");
  expect_reject(check_asm("ldxw %r10, [%r1]\nexit"), "write to read-only register r10");
  std::vector<Insn> bad_lddw = {Insn::make(kOpLddw, 0, 0, 0, 1), Insn::make(0x07, 0, 0, 0, 0),
                                Insn::make(kOpExit, 0, 0, 0, 0)};
  expect_reject(check(bad_lddw), "insn 0: malformed second slot of lddw");
  expect_reject(check({Insn::make(0x20, 0, 0, 0, 0), Insn::make(kOpExit, 0, 0, 0, 0)}),
                "insn 0: unknown opcode 0x20");
  expect_reject(check({Insn::make(0x07, 1, 2, 0, 1), Insn::make(kOpExit, 0, 0, 0, 0)}),
                "insn 0: unused src field is not zero");
  expect_reject(check({Insn::make(kOpExit, 0, 0, 0, 0), Insn::make(kOpExit, 0, 0, 0, 1)}),
                "insn 1: unused field of exit");
  expect_reject(check({Insn::make(0xd4, 1, 0, 0, 17), Insn::make(kOpExit, 0, 0, 0, 0)}),
                "invalid byte swap width 17");
  expect_reject(check({Insn::make(0xbc, 1, 2, 32, 0), Insn::make(kOpExit, 0, 0, 0, 0)}),
                "invalid sign-extension width 32");
  expect_reject(check({Insn::make(kOpLddw, 0, 2, 0, 1), Insn{}, Insn::make(kOpExit, 0, 0, 0, 0)}),
                "pseudo source 2");
  Limits small;
  small.max_insns = 2;
  expect_reject(check_asm("mov %r0, 0\nmov %r0, 0\nexit", small), "limit is 2");
}

TEST(Verifier, CallDepthLimitIsExact) {
  // Chain of depth 3 (entry -> a -> b): passes with limit 3, fails with limit 2.
  const char* text = "call local a\nexit\na:\ncall local b\nexit\nb:\nexit";
  Limits l3;
  l3.max_call_depth = 3;
  l3.stack_size = 3 * 4096;
  EXPECT_TRUE(check_asm(text, l3).ok());
  Limits l2;
  l2.max_call_depth = 2;
  expect_reject(check_asm(text, l2), "call depth 3");
}

}  // namespace
}  // namespace zs::ebpf
