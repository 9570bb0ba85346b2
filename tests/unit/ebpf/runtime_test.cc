// Invocation API and safety, on both engines: preemption (yield every slice, resume exactly
// where stopped, CPU cap), clean faults with the right pc (out-of-range and wild pointers, R10
// games, read-only data, misaligned atomics, helper failures), register scrubbing, helper
// memory views, and a differential run of random programs (interpreter vs JIT) that the host
// must survive.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "ebpf/assembler.hh"
#include "ebpf/runtime.hh"
#include "unit/ebpf/random_program.hh"

namespace zs::ebpf {
namespace {

using namespace std::chrono_literals;

uint64_t helper_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, InvocationContext&) {
  return (a * 0x9e3779b97f4a7c15ull) ^ (b + 3 * c) ^ (d << 7) ^ (e >> 3);
}
uint64_t helper_fail(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  return ctx.fail("no such header");
}
// Writes "hi!" into the guest buffer [r1, r1+r2) and returns the sum of the readable range
// [r3, r3+r4), or fails if either range is invalid.
uint64_t helper_io(uint64_t dst, uint64_t len, uint64_t src, uint64_t n, uint64_t, InvocationContext& ctx) {
  auto out = ctx.writable(dst, len);
  auto in = ctx.readable(src, n);
  if (!out || !in || len < 3) return ctx.fail("bad range");
  std::memcpy(out->data(), "hi!", 3);
  uint64_t s = 0;
  for (uint8_t b : *in) s += b;
  return s;
}

// Parks the invocation (an "async" helper); the host supplies the result on resume.
uint64_t helper_park(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  return ctx.park();
}
// Runs another instance (passed as user data) to completion from inside a helper, the way a
// zs_call-style helper would, and returns its r0.
uint64_t helper_nested(uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  auto* other = static_cast<Instance*>(ctx.user_data());
  uint64_t args[1] = {a};
  Outcome o = other->start("main", args);
  while (o.yielded()) o = other->resume();
  return o.finished() ? o.r0 : ctx.fail("nested: " + o.reason);
}

std::shared_ptr<const HelperTable> helpers() {
  static auto table = [] {
    auto h = std::make_shared<HelperTable>();
    EXPECT_TRUE(h->add("mix", helper_mix).ok());   // id 0
    EXPECT_TRUE(h->add("fail", helper_fail).ok()); // id 1
    EXPECT_TRUE(h->add("io", helper_io).ok());     // id 2
    EXPECT_TRUE(h->add("park", helper_park).ok()); // id 3
    EXPECT_TRUE(h->add("nested", helper_nested).ok()); // id 4
    return h;
  }();
  return table;
}

std::unique_ptr<Instance> make(ProgramImage image, Engine engine, InstanceOptions opts = {},
                               bool preemption = true) {
  auto prog = Program::create(std::move(image), helpers());
  EXPECT_TRUE(prog.ok()) << (prog.ok() ? "" : prog.error().message());
  if (!prog.ok()) return nullptr;
  auto exec = Executable::create(*prog, ExecutableOptions{engine, preemption});
  EXPECT_TRUE(exec.ok()) << (exec.ok() ? "" : exec.error().message());
  auto inst = Instance::create(*exec, opts);
  EXPECT_TRUE(inst.ok()) << (inst.ok() ? "" : inst.error().message());
  return inst.ok() ? std::move(*inst) : nullptr;
}

std::unique_ptr<Instance> make_asm(const char* text, Engine engine, InstanceOptions opts = {}) {
  auto code = assemble(text);
  EXPECT_TRUE(code.ok()) << (code.ok() ? "" : code.error().message());
  ProgramImage image;
  image.insns = code.ok() ? *code : std::vector<Insn>{};
  return make(std::move(image), engine, opts);
}

class Runtime : public testing::TestWithParam<Engine> {};

TEST_P(Runtime, InfiniteLoopYieldsEverySliceAndHitsTheCpuCap) {
  InstanceOptions opts;
  opts.slice = 1ms;
  opts.cpu_limit = 40ms;
  auto in = make_asm("mov %r0, 0\nloop:\nadd %r0, 1\nja loop\n", GetParam(), opts);
  ASSERT_TRUE(in);
  auto t0 = std::chrono::steady_clock::now();
  Outcome o = in->start("main");
  int yields = 0;
  while (o.yielded()) {
    ++yields;
    o = in->resume();
  }
  auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(o.faulted());
  EXPECT_EQ(o.fault, FaultKind::kCpuLimit);
  EXPECT_EQ(o.reason, "cpu limit");
  EXPECT_GE(yields, 10);  // ~40 slices of 1 ms; generous for a loaded machine
  EXPECT_LT(elapsed, 2s);
  EXPECT_FALSE(in->in_flight());
}

TEST_P(Runtime, ResumesExactlyWhereItStopped) {
  InstanceOptions opts;
  opts.slice = 1ms;
  opts.cpu_limit = 0ns;
  const bool jit = GetParam() == Engine::kJit;
  // Sum of i*i for i < N, with R6-R9 live across yields as well.
  const char* text = jit ? "lddw %r1, 30000000\n" : "lddw %r1, 2000000\n";
  std::string prog = std::string(text) +
                     "mov %r0, 0\nmov %r2, 0\nmov %r6, 11\nmov %r9, 22\n"
                     "loop:\nmov %r3, %r2\nmul %r3, %r2\nadd %r0, %r3\nadd %r2, 1\n"
                     "jlt %r2, %r1, loop\nadd %r0, %r6\nadd %r0, %r9\nexit\n";
  auto in = make_asm(prog.c_str(), GetParam(), opts);
  ASSERT_TRUE(in);
  uint64_t n = jit ? 30000000 : 2000000, expected = 33;
  for (uint64_t i = 0; i < n; ++i) expected += i * i;
  Outcome o = in->start("main");
  int yields = 0;
  while (o.yielded()) {
    ++yields;
    o = in->resume();
  }
  ASSERT_TRUE(o.finished()) << o.reason;
  EXPECT_EQ(o.r0, expected);
  EXPECT_GE(yields, 1);
}

TEST_P(Runtime, CancelThenStartAgain) {
  InstanceOptions opts;
  opts.slice = 1ms;
  auto in = make_asm("loop:\nja loop\n", GetParam(), opts);
  ASSERT_TRUE(in);
  Outcome o = in->start("main");
  ASSERT_TRUE(o.yielded());
  EXPECT_TRUE(in->start("main").faulted());  // one invocation at a time
  in->cancel();
  EXPECT_FALSE(in->in_flight());
  EXPECT_TRUE(in->start("main").yielded());
  in->cancel();
  EXPECT_TRUE(in->start("nope").faulted());
}

void expect_fault(Instance& in, FaultKind kind, uint32_t pc, std::span<const uint64_t> args = {}) {
  Outcome o = in.start("main", args);
  ASSERT_TRUE(o.faulted()) << "r0 = " << o.r0;
  EXPECT_EQ(o.fault, kind) << o.reason;
  EXPECT_EQ(o.pc, pc) << o.reason;
}

TEST_P(Runtime, MemoryFaultsAreCleanAndCarryThePc) {
  const Engine e = GetParam();
  // Null page.
  auto null = make_asm("mov %r0, 0\nmov %r1, 0\nldxdw %r0, [%r1]\nexit", e);
  expect_fault(*null, FaultKind::kMemory, 2);
  EXPECT_EQ(null->start("main").reason, "invalid memory access (load of 8 bytes)");
  // Wild 64-bit pointer: masked into the window, lands in a guard gap.
  auto wild = make_asm("mov %r0, 0\nlddw %r1, 0xdeadbeefcafe1234\nstxw [%r1+4], %r0\nexit", e);
  expect_fault(*wild, FaultKind::kMemory, 3);
  // R10 games: writing above the stack top, and far below the stack bottom.
  auto above = make_asm("mov %r0, 1\nstdw [%r10+8], 1\nexit", e);
  expect_fault(*above, FaultKind::kMemory, 1);
  auto below = make_asm("mov %r1, %r10\nsub %r1, 65536\nmov %r0, 0\nstb [%r1], 1\nexit", e);
  expect_fault(*below, FaultKind::kMemory, 3);
  // Just past the scratch region (R1 = scratch address, R2 = its size).
  auto past = make_asm("add %r1, %r2\nldxb %r0, [%r1]\nexit", e);
  uint64_t args[2] = {past->scratch_addr(), past->scratch().size()};
  expect_fault(*past, FaultKind::kMemory, 1, args);
  // The last byte of scratch is fine.
  auto last = make_asm("add %r1, %r2\nldxb %r0, [%r1-1]\nexit", e);
  uint64_t args2[2] = {last->scratch_addr(), last->scratch().size()};
  last->scratch().back() = 0x5a;
  Outcome ok = last->start("main", args2);
  ASSERT_TRUE(ok.finished()) << ok.reason;
  EXPECT_EQ(ok.r0, 0x5au);
  // Misaligned atomic.
  auto mis = make_asm("mov %r1, 1\nlock add [%r10-12], %r1\nexit", e);
  expect_fault(*mis, FaultKind::kMisaligned, 1);
}

TEST_P(Runtime, ReadOnlyDataIsReadableButNotWritable) {
  auto addr = Program::choose_rodata_addr(Limits{}, 4096);
  ASSERT_TRUE(addr.ok());
  for (bool write : {false, true}) {
    ProgramImage image;
    image.rodata.assign(100, 0);
    image.rodata[8] = 42;
    image.rodata_addr = *addr;
    image.insns.push_back(Insn::make(kOpLddw, 1, 0, 0, static_cast<int32_t>(*addr)));
    image.insns.push_back(Insn{});
    if (write) image.insns.push_back(Insn::make(kClassSt | kModeMem | kSizeB, 1, 0, 8, 7));
    image.insns.push_back(Insn::make(kClassLdx | kModeMem | kSizeB, 0, 1, 8, 0));
    image.insns.push_back(Insn::make(kOpExit, 0, 0, 0, 0));
    auto in = make(std::move(image), GetParam());
    Outcome o = in->start("main");
    if (write) {
      ASSERT_TRUE(o.faulted());
      EXPECT_EQ(o.pc, 2u);
      EXPECT_EQ(o.reason, "invalid memory access (store of 1 bytes)");
    } else {
      ASSERT_TRUE(o.finished()) << o.reason;
      EXPECT_EQ(o.r0, 42u);
    }
  }
}

TEST_P(Runtime, HelpersSeeCheckedMemoryAndCanFail) {
  const Engine e = GetParam();
  // io(dst = stack buffer, 8, src = scratch, 4), then read back the bytes it wrote.
  auto in = make_asm(
      "mov %r6, %r1\nmov %r1, %r10\nadd %r1, -8\nmov %r2, 8\nmov %r3, %r6\nmov %r4, 4\n"
      "call 2\nldxb %r1, [%r10-8]\nldxb %r2, [%r10-6]\nlsh %r0, 16\nor %r0, %r1\nlsh %r2, 8\n"
      "or %r0, %r2\nexit",
      e);
  std::memcpy(in->scratch().data(), "\x01\x02\x03\x04", 4);
  uint64_t args[1] = {in->scratch_addr()};
  Outcome o = in->start("main", args);
  ASSERT_TRUE(o.finished()) << o.reason;
  EXPECT_EQ(o.r0, (10u << 16) | ('!' << 8) | 'h');
  // A range outside the cage regions makes the helper fail the invocation at the call.
  auto bad = make_asm("mov %r1, 16\nmov %r2, 8\nmov %r3, 0\nmov %r4, 0\ncall 2\nexit", e);
  Outcome f = bad->start("main");
  ASSERT_TRUE(f.faulted());
  EXPECT_EQ(f.fault, FaultKind::kHelper);
  EXPECT_EQ(f.pc, 4u);
  EXPECT_EQ(f.reason, "helper failed: bad range");
  auto fail = make_asm("mov %r0, 0\ncall 1\nmov %r0, 5\nexit", e);
  Outcome g = fail->start("main");
  ASSERT_TRUE(g.faulted());
  EXPECT_EQ(g.pc, 1u);
  EXPECT_EQ(g.reason, "helper failed: no such header");
}

TEST_P(Runtime, RegistersAreScrubbedAtEntryAndAfterHelpers) {
  const Engine e = GetParam();
  auto entry = make_asm(
      "mov %r0, %r3\nor %r0, %r4\nor %r0, %r5\nor %r0, %r6\nor %r0, %r7\nor %r0, %r8\n"
      "or %r0, %r9\nexit",
      e);
  Outcome o = entry->start("main");
  ASSERT_TRUE(o.finished());
  EXPECT_EQ(o.r0, 0u);
  auto after = make_asm(
      "lddw %r1, 0x1234567890\nmov %r2, %r1\nmov %r3, %r1\nmov %r4, %r1\nmov %r5, %r1\ncall 0\n"
      "mov %r0, %r1\nor %r0, %r2\nor %r0, %r3\nor %r0, %r4\nor %r0, %r5\nexit",
      e);
  Outcome p = after->start("main");
  ASSERT_TRUE(p.finished());
  EXPECT_EQ(p.r0, 0u);
  // Arguments arrive in R1..R5.
  auto args_prog = make_asm("mov %r0, %r1\nadd %r0, %r2\nadd %r0, %r3\nadd %r0, %r4\nadd %r0, %r5\nexit", e);
  uint64_t args[5] = {1, 20, 300, 4000, 50000};
  Outcome q = args_prog->start("main", args);
  ASSERT_TRUE(q.finished());
  EXPECT_EQ(q.r0, 54321u);
}

TEST_P(Runtime, StackFramesAreZeroedBetweenInvocations) {
  auto in = make_asm("ldxdw %r0, [%r10-8]\nstdw [%r10-8], 99\nexit", GetParam());
  for (int k = 0; k < 3; ++k) {
    Outcome o = in->start("main");
    ASSERT_TRUE(o.finished());
    EXPECT_EQ(o.r0, 0u);
  }
}

TEST_P(Runtime, ParkedHelpersResumeWithTheHostsValue) {
  // Two parks in a row; R6 (callee-saved) and the stack survive; R0 after each call is the
  // value given to resume().
  auto in = make_asm("mov %r6, 7\nstdw [%r10-8], 5\ncall 3\nmov %r7, %r0\ncall 3\nmul %r0, %r7\n"
                     "add %r0, %r6\nldxdw %r1, [%r10-8]\nadd %r0, %r1\nexit", GetParam());
  Outcome o = in->start("main");
  ASSERT_TRUE(o.yielded());
  EXPECT_TRUE(o.parked);
  o = in->resume(6);
  ASSERT_TRUE(o.yielded());
  EXPECT_TRUE(o.parked);
  o = in->resume(100);
  ASSERT_TRUE(o.finished()) << o.reason;
  EXPECT_EQ(o.r0, 600u + 7 + 5);
}

TEST_P(Runtime, HelperMayRunAnotherInstance) {
  auto inner = make_asm("mov %r0, %r1\nmul %r0, 3\nexit", GetParam());
  auto outer = make_asm("mov %r6, 2\nmov %r1, 14\ncall 4\nadd %r0, %r6\nexit", GetParam());
  outer->set_user_data(inner.get());
  Outcome o = outer->start("main");
  ASSERT_TRUE(o.finished()) << o.reason;
  EXPECT_EQ(o.r0, 44u);
  // A fault in the inner instance is reported through the outer helper, not as a crash.
  auto bad_inner = make_asm("ldxb %r0, [%r1]\nexit", GetParam());
  outer->set_user_data(bad_inner.get());
  Outcome f = outer->start("main");
  ASSERT_TRUE(f.faulted());
  EXPECT_EQ(f.pc, 2u);
  EXPECT_NE(f.reason.find("nested: invalid memory access"), std::string::npos) << f.reason;
}

INSTANTIATE_TEST_SUITE_P(Engines, Runtime, testing::Values(Engine::kInterpreter, Engine::kJit),
                         [](const testing::TestParamInfo<Engine>& p) {
                           return p.param == Engine::kJit ? std::string("jit") : std::string("interpreter");
                         });

TEST(Runtime, PreemptionOffMeansNoSafepoints) {
  auto code = assemble("mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, 1000000, loop\nexit");
  ASSERT_TRUE(code.ok());
  ProgramImage image;
  image.insns = *code;
  InstanceOptions opts;
  opts.slice = 1ns;  // would yield at the first safepoint if there were any
  auto in = make(std::move(image), Engine::kJit, opts, /*preemption=*/false);
  Outcome o = in->start("main");
  ASSERT_TRUE(o.finished());
  EXPECT_EQ(o.r0, 1000000u);
}

// A cage smaller than 4 GiB confines addresses with an extra AND: an address one window above
// the scratch region aliases it (same bytes on both engines), and random programs still agree.
TEST(Runtime, SmallCageMasksAddressesIntoTheWindow) {
  Limits small;
  small.cage_size = 64ull << 20;
  auto code = assemble("lddw %r3, 0x4000000\nadd %r1, %r3\nldxb %r0, [%r1+3]\nexit");
  ASSERT_TRUE(code.ok());
  for (Engine e : {Engine::kInterpreter, Engine::kJit}) {
    ProgramImage image;
    image.insns = *code;
    auto prog = Program::create(image, helpers(), small);
    ASSERT_TRUE(prog.ok()) << prog.error().message();
    auto exec = Executable::create(*prog, ExecutableOptions{e, true});
    ASSERT_TRUE(exec.ok());
    auto in = Instance::create(*exec);
    ASSERT_TRUE(in.ok());
    (*in)->scratch()[3] = 0x77;
    uint64_t args[1] = {(*in)->scratch_addr()};
    Outcome o = (*in)->start("main", args);
    ASSERT_TRUE(o.finished()) << o.reason;
    EXPECT_EQ(o.r0, 0x77u);
  }
  InstanceOptions opts;
  opts.slice = 0ns;
  opts.cpu_limit = 0ns;
  opts.fixed_layout_for_test = true;
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    testing_support::ByteSource src(seed * 0x51ed27ull);
    ProgramImage image;
    image.insns = testing_support::random_program(src, 8 + static_cast<uint32_t>(seed % 40));
    auto prog = Program::create(image, helpers(), small);
    ASSERT_TRUE(prog.ok()) << prog.error().message();
    Outcome out[2];
    for (int k = 0; k < 2; ++k) {
      auto exec = Executable::create(*prog, ExecutableOptions{k ? Engine::kJit : Engine::kInterpreter, true});
      auto in = Instance::create(*exec, opts);
      ASSERT_TRUE(in.ok());
      uint64_t args[2] = {(*in)->scratch_addr(), 64};
      out[k] = (*in)->start("main", args);
    }
    ASSERT_EQ(out[0].kind, out[1].kind) << "seed " << seed;
    ASSERT_EQ(out[0].r0, out[1].r0) << "seed " << seed;
    ASSERT_EQ(out[0].pc, out[1].pc) << "seed " << seed;
  }
}

// One shared Program/Executable, one Instance per thread (the server's model): faults, yields and
// results stay per thread while both run at once.
TEST(Runtime, InstancesOnSeveralThreadsShareOneExecutable) {
  auto code = assemble(
      "jeq %r1, 0, fault\nmov %r0, 0\nloop:\nadd %r0, %r1\nsub %r1, 1\njne %r1, 0, loop\nexit\n"
      "fault:\nldxb %r0, [%r1]\nexit");
  ASSERT_TRUE(code.ok());
  ProgramImage image;
  image.insns = *code;
  auto prog = Program::create(std::move(image), helpers());
  ASSERT_TRUE(prog.ok());
  auto exec = Executable::create(*prog, ExecutableOptions{Engine::kJit, true});
  ASSERT_TRUE(exec.ok());
  std::atomic<int> bad{0}, yields{0};
  auto worker = [&](uint64_t salt) {
    InstanceOptions opts;
    opts.slice = std::chrono::microseconds(100);
    auto in = Instance::create(*exec, opts);
    if (!in.ok()) return void(++bad);
    for (uint64_t k = 0; k < 40; ++k) {
      uint64_t n = (k % 5 == 0) ? 0 : 1000000 + salt * 7 + k;
      uint64_t args[1] = {n};
      Outcome o = (*in)->start("main", args);
      while (o.yielded()) {
        ++yields;
        o = (*in)->resume();
      }
      if (n == 0) {
        if (!o.faulted() || o.pc != 6) ++bad;
      } else if (!o.finished() || o.r0 != n * (n + 1) / 2) {
        ++bad;
      }
    }
  };
  std::thread a(worker, 1), b(worker, 2);
  a.join();
  b.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(yields.load(), 0);
}

// 10,000 random verifier-passing programs (faults included) on both engines: outcomes must be
// identical and the host must survive all of them.
TEST(Runtime, RandomProgramsAgreeOnBothEngines) {
  InstanceOptions opts;
  opts.slice = 0ns;
  opts.cpu_limit = 0ns;
  opts.fixed_layout_for_test = true;  // R1 and R10 values then match between the engines
  size_t finished = 0, faulted = 0;
  for (uint64_t seed = 1; seed <= 10000; ++seed) {
    testing_support::ByteSource src(seed * 0x9e3779b97f4a7c15ull);
    ProgramImage image;
    image.insns = testing_support::random_program(src, 8 + static_cast<uint32_t>(seed % 48));
    auto prog = Program::create(image, helpers());
    ASSERT_TRUE(prog.ok()) << "seed " << seed << ": " << prog.error().message();
    Outcome out[2];
    for (int k = 0; k < 2; ++k) {
      auto exec = Executable::create(*prog, ExecutableOptions{k ? Engine::kJit : Engine::kInterpreter, true});
      ASSERT_TRUE(exec.ok());
      auto in = Instance::create(*exec, opts);
      ASSERT_TRUE(in.ok());
      uint64_t args[2] = {(*in)->scratch_addr(), 64};
      out[k] = (*in)->start("main", args);
    }
    ASSERT_EQ(out[0].kind, out[1].kind) << "seed " << seed << ": " << out[0].reason << " / " << out[1].reason;
    if (out[0].finished()) {
      ++finished;
      ASSERT_EQ(out[0].r0, out[1].r0) << "seed " << seed;
    } else {
      ++faulted;
      ASSERT_EQ(out[0].fault, out[1].fault) << "seed " << seed;
      ASSERT_EQ(out[0].pc, out[1].pc) << "seed " << seed;
    }
  }
  EXPECT_GT(finished, 1000u);
  EXPECT_GT(faulted, 100u);
}

// Random programs with loops, yielding at (nearly) every safepoint: the JIT's stack switch must
// carry every register across yields, so resumed runs end exactly like uninterrupted ones.
TEST(Runtime, RandomProgramsSurviveYieldsAtEverySafepoint) {
  size_t yields = 0, finished = 0;
  for (uint64_t seed = 1; seed <= 2000; ++seed) {
    testing_support::ByteSource src(seed * 0x2545f4914f6cdd1dull);
    ProgramImage image;
    image.insns = testing_support::random_program(src, 12 + static_cast<uint32_t>(seed % 40));
    auto prog = Program::create(image, helpers());
    ASSERT_TRUE(prog.ok()) << "seed " << seed << ": " << prog.error().message();
    Outcome out[3];
    for (int k = 0; k < 3; ++k) {
      // 0: interpreter, no yields; 1: JIT, no yields; 2: JIT yielding at every budget check.
      InstanceOptions opts;
      opts.fixed_layout_for_test = true;
      opts.cpu_limit = 0ns;
      opts.slice = k == 2 ? 1ns : 0ns;
      opts.budget_quantum_for_test = k == 2 ? 1 : 0;
      auto exec = Executable::create(*prog, ExecutableOptions{k ? Engine::kJit : Engine::kInterpreter, true});
      auto in = Instance::create(*exec, opts);
      ASSERT_TRUE(in.ok());
      uint64_t args[2] = {(*in)->scratch_addr(), 64};
      out[k] = (*in)->start("main", args);
      while (out[k].yielded()) {
        ++yields;
        out[k] = (*in)->resume();
      }
    }
    for (int k = 1; k < 3; ++k) {
      ASSERT_EQ(out[0].kind, out[k].kind) << "seed " << seed << " run " << k << ": " << out[k].reason;
      ASSERT_EQ(out[0].r0, out[k].r0) << "seed " << seed << " run " << k;
      ASSERT_EQ(out[0].pc, out[k].pc) << "seed " << seed << " run " << k;
    }
    finished += out[0].finished();
  }
  EXPECT_GT(yields, 2000u);
  EXPECT_GT(finished, 200u);
}

// Raw random bytes: almost always rejected by the verifier, never a crash.
TEST(Runtime, RandomBytesNeverCrashTheHost) {
  size_t accepted = 0;
  for (uint64_t seed = 1; seed <= 10000; ++seed) {
    testing_support::ByteSource src(seed);
    std::vector<Insn> code(1 + seed % 16);
    for (auto& i : code) {
      // Half the opcodes are valid ones, so some programs get past the verifier.
      uint8_t op = src.u8();
      while ((src.u8() & 1) && op_info(op).kind == OpKind::kInvalid) op = src.u8();
      const bool zero_fields = src.u8() & 1;
      i = Insn::make(op, src.u8() % 11, zero_fields ? 0 : src.u8() % 11,
                     zero_fields ? 0 : static_cast<int16_t>(src.below(4)),
                     testing_support::interesting_imm(src));
    }
    code.push_back(Insn::make(kOpExit, 0, 0, 0, 0));
    ProgramImage image;
    image.insns = code;
    auto prog = Program::create(image, helpers());
    if (!prog.ok()) continue;
    ++accepted;
    for (Engine e : {Engine::kInterpreter, Engine::kJit}) {
      auto exec = Executable::create(*prog, ExecutableOptions{e, true});
      ASSERT_TRUE(exec.ok());
      InstanceOptions opts;
      opts.cpu_limit = 50ms;
      auto in = Instance::create(*exec, opts);
      ASSERT_TRUE(in.ok());
      Outcome o = (*in)->start("main");
      while (o.yielded()) o = (*in)->resume();
    }
  }
  EXPECT_GT(accepted, 0u);
}

}  // namespace
}  // namespace zs::ebpf
