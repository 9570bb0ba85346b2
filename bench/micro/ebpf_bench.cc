// eBPF runtime micro benchmarks: JIT vs interpreter vs native C on SHA-256 compression, a
// byte-scanning loop (FNV-1a over 16 KiB), JSON-ish scanning and arithmetic with local calls;
// the cost of preemption (2 ms slices vs no safepoints) on a loop-heavy program; the cost of one
// empty invocation; and load + verify + JIT of a 10,000-instruction program.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>

#include "ebpf/assembler.hh"
#include "ebpf/elf_loader.hh"
#include "ebpf/runtime.hh"

extern "C" {
using u64 = unsigned long long;
u64 sha256_request(u64, u64);
u64 fnv_hash_request(u64, u64);
u64 local_calls_request(u64, u64);
u64 bounded_loop_request(u64, u64);
u64 json_scan_request(u64, u64);
// The C sources declare these helpers; the benchmarked kernels never call them.
u64 host_add(u64 a, u64 b) { return a + b; }
u64 host_mix(u64 a, u64, u64, u64, u64) { return a; }
u64 host_sum_bytes(u64, u64) { return 0; }
}

namespace zs::ebpf {
namespace {

std::vector<uint8_t> input(size_t n) {
  std::vector<uint8_t> v(n);
  std::mt19937 rng(1);
  const char json[] = R"({"k": [1, 2, {"s": "v\"x"}], "n": -3.5e2} )";
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i % 3 ? json[i % (sizeof json - 1)] : rng());
  return v;
}

std::unique_ptr<Instance> instance(const char* name, Engine engine, bool preemption = true) {
  std::ifstream in(std::string(ZS_BENCH_PROGRAM_DIR) + "/" + name + ".o", std::ios::binary);
  std::vector<uint8_t> elf{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto prog = load_elf(elf, std::make_shared<HelperTable>());
  if (!prog) return nullptr;
  auto exec = Executable::create(*prog, ExecutableOptions{engine, preemption});
  if (!exec) return nullptr;
  InstanceOptions opts;
  opts.cpu_limit = std::chrono::nanoseconds(0);
  auto inst = Instance::create(*exec, opts);
  return inst ? std::move(*inst) : nullptr;
}

using Native = u64 (*)(u64, u64);

void run_guest(benchmark::State& state, const char* name, Engine engine, size_t n, bool preemption = true) {
  auto in = instance(name, engine, preemption);
  if (!in) return state.SkipWithError("load failed");
  auto data = input(n);
  std::memcpy(in->scratch().data(), data.data(), n);
  uint64_t args[2] = {in->scratch_addr(), n};
  for (auto _ : state) {
    Outcome o = in->start("zeroserve.request", args);
    while (o.yielded()) o = in->resume();
    benchmark::DoNotOptimize(o.r0);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

void run_native(benchmark::State& state, Native fn, size_t n) {
  auto data = input(n);
  for (auto _ : state) {
    benchmark::DoNotOptimize(data.data());
    benchmark::DoNotOptimize(fn(reinterpret_cast<u64>(data.data()), n));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

constexpr size_t kScan = 16 * 1024;

void BM_Sha256_Jit(benchmark::State& s) { run_guest(s, "sha256", Engine::kJit, 64); }
void BM_Sha256_Interpreter(benchmark::State& s) { run_guest(s, "sha256", Engine::kInterpreter, 64); }
void BM_Sha256_Native(benchmark::State& s) { run_native(s, sha256_request, 64); }
void BM_Fnv_Jit(benchmark::State& s) { run_guest(s, "fnv_hash", Engine::kJit, kScan); }
void BM_Fnv_Interpreter(benchmark::State& s) { run_guest(s, "fnv_hash", Engine::kInterpreter, kScan); }
void BM_Fnv_Native(benchmark::State& s) { run_native(s, fnv_hash_request, kScan); }
void BM_Json_Jit(benchmark::State& s) { run_guest(s, "json_scan", Engine::kJit, kScan); }
void BM_Json_Interpreter(benchmark::State& s) { run_guest(s, "json_scan", Engine::kInterpreter, kScan); }
void BM_Json_Native(benchmark::State& s) { run_native(s, json_scan_request, kScan); }
void BM_LocalCalls_Jit(benchmark::State& s) { run_guest(s, "local_calls", Engine::kJit, kScan); }
void BM_LocalCalls_Interpreter(benchmark::State& s) { run_guest(s, "local_calls", Engine::kInterpreter, kScan); }
void BM_LocalCalls_Native(benchmark::State& s) { run_native(s, local_calls_request, kScan); }
// Preemption cost: loop-heavy programs with safepoints (2 ms slices) and without any. The
// Collatz loop's data-dependent branches make it very sensitive to code layout, so compare the
// set, not one kernel.
void BM_Loop_Jit_Preemptible(benchmark::State& s) { run_guest(s, "bounded_loop", Engine::kJit, 1, true); }
void BM_Loop_Jit_NoPreemption(benchmark::State& s) { run_guest(s, "bounded_loop", Engine::kJit, 1, false); }
void BM_Loop_Native(benchmark::State& s) { run_native(s, bounded_loop_request, 1); }
void BM_Fnv_Jit_NoPreemption(benchmark::State& s) { run_guest(s, "fnv_hash", Engine::kJit, kScan, false); }
void BM_Json_Jit_NoPreemption(benchmark::State& s) { run_guest(s, "json_scan", Engine::kJit, kScan, false); }
void BM_Sha256_Jit_NoPreemption(benchmark::State& s) { run_guest(s, "sha256", Engine::kJit, 64, false); }
void BM_LocalCalls_Jit_NoPreemption(benchmark::State& s) { run_guest(s, "local_calls", Engine::kJit, kScan, false); }

void empty_invocation(benchmark::State& state, Engine engine) {
  auto code = assemble("mov %r0, 0\nexit");
  ProgramImage image;
  image.insns = *code;
  auto prog = Program::create(image, nullptr);
  auto exec = Executable::create(*prog, ExecutableOptions{engine, true});
  auto in = Instance::create(*exec);
  for (auto _ : state) benchmark::DoNotOptimize((*in)->start_at(0).r0);
}
void BM_EmptyInvocation_Jit(benchmark::State& s) { empty_invocation(s, Engine::kJit); }
void BM_EmptyInvocation_Interpreter(benchmark::State& s) { empty_invocation(s, Engine::kInterpreter); }

// A 10,000-slot program shaped like compiled code: ALU, loads/stores, forward branches, calls.
std::vector<Insn> big_program() {
  std::string text;
  std::mt19937 rng(3);
  int n = 0;
  while (n < 9990) {
    switch (rng() % 8) {
      case 0: text += "ldxdw %r" + std::to_string(rng() % 9) + ", [%r10-" + std::to_string(8 * (1 + rng() % 60)) + "]\n"; break;
      case 1: text += "stxdw [%r10-" + std::to_string(8 * (1 + rng() % 60)) + "], %r" + std::to_string(rng() % 10) + "\n"; break;
      case 2: text += "jgt %r" + std::to_string(rng() % 10) + ", " + std::to_string(rng() % 100) + ", +" + std::to_string(rng() % 5) + "\n"; break;
      case 3: text += "mul32 %r" + std::to_string(rng() % 9) + ", %r" + std::to_string(rng() % 10) + "\n"; break;
      default: text += "add %r" + std::to_string(rng() % 9) + ", " + std::to_string(rng() % 1000) + "\n"; break;
    }
    ++n;
  }
  text += "mov %r0, 0\nexit\n";
  return *assemble(text);
}

void BM_LoadVerifyJit_10k(benchmark::State& state) {
  const auto code = big_program();
  for (auto _ : state) {
    ProgramImage image;
    image.insns = code;
    auto prog = Program::create(std::move(image), nullptr);
    auto exec = Executable::create(*prog, ExecutableOptions{Engine::kJit, true});
    benchmark::DoNotOptimize(exec->get());
  }
}

BENCHMARK(BM_Sha256_Jit);
BENCHMARK(BM_Sha256_Interpreter);
BENCHMARK(BM_Sha256_Native);
BENCHMARK(BM_Fnv_Jit);
BENCHMARK(BM_Fnv_Interpreter);
BENCHMARK(BM_Fnv_Native);
BENCHMARK(BM_Json_Jit);
BENCHMARK(BM_Json_Interpreter);
BENCHMARK(BM_Json_Native);
BENCHMARK(BM_LocalCalls_Jit);
BENCHMARK(BM_LocalCalls_Interpreter);
BENCHMARK(BM_LocalCalls_Native);
BENCHMARK(BM_Loop_Jit_Preemptible);
BENCHMARK(BM_Loop_Jit_NoPreemption);
BENCHMARK(BM_Loop_Native);
BENCHMARK(BM_Fnv_Jit_NoPreemption);
BENCHMARK(BM_Json_Jit_NoPreemption);
BENCHMARK(BM_Sha256_Jit_NoPreemption);
BENCHMARK(BM_LocalCalls_Jit_NoPreemption);
BENCHMARK(BM_EmptyInvocation_Jit);
BENCHMARK(BM_EmptyInvocation_Interpreter);
BENCHMARK(BM_LoadVerifyJit_10k)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace zs::ebpf

BENCHMARK_MAIN();
