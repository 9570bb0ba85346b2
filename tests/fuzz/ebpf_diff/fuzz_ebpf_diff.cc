// Fuzz target: differential execution. The input drives the random program generator
// (tests/unit/ebpf/random_program.hh), so every input is a verifier-passing program; it runs
// on the interpreter, on the JIT, and on the JIT yielding at every safepoint (resumed until it
// ends), with identical cage layouts; any difference in outcome, r0, fault kind or fault pc is
// a crash.
#include <chrono>
#include <cstdint>

#include "ebpf/runtime.hh"
#include "unit/ebpf/random_program.hh"

namespace {

uint64_t helper_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                    zs::ebpf::InvocationContext&) {
  return (a * 0x9e3779b97f4a7c15ull) ^ (b + 3 * c) ^ (d << 7) ^ (e >> 3);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zs::ebpf;
  static auto helpers = [] {
    auto h = std::make_shared<HelperTable>();
    (void)h->add("mix", helper_mix);
    return std::shared_ptr<const HelperTable>(h);
  }();
  if (size < 2) return 0;
  testing_support::ByteSource src(data + 1, size - 1);
  ProgramImage image;
  image.insns = testing_support::random_program(src, 4 + data[0] % 64);
  auto prog = Program::create(image, helpers);
  if (!prog) __builtin_trap();  // the generator only makes valid programs
  Outcome out[3];
  for (int k = 0; k < 3; ++k) {
    auto exec = Executable::create(*prog, ExecutableOptions{k ? Engine::kJit : Engine::kInterpreter, true});
    if (!exec) __builtin_trap();
    InstanceOptions opts;
    opts.slice = std::chrono::nanoseconds(k == 2 ? 1 : 0);
    opts.budget_quantum_for_test = k == 2 ? 1 : 0;
    opts.cpu_limit = std::chrono::nanoseconds(0);
    opts.fixed_layout_for_test = true;
    auto in = Instance::create(*exec, opts);
    if (!in) __builtin_trap();
    uint64_t args[2] = {(*in)->scratch_addr(), 64};
    out[k] = (*in)->start("main", args);
    while (out[k].yielded()) out[k] = (*in)->resume();
  }
  for (int k = 1; k < 3; ++k) {
    if (out[0].kind != out[k].kind) __builtin_trap();
    if (out[0].finished() && out[0].r0 != out[k].r0) __builtin_trap();
    if (out[0].faulted() && (out[0].fault != out[k].fault || out[0].pc != out[k].pc)) __builtin_trap();
  }
  return 0;
}
