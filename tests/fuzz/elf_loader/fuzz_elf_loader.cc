// Fuzz target: the ELF loader on arbitrary bytes. Loading must fail cleanly or produce a
// verified program; a program that loads is also run once on the interpreter (with a CPU cap),
// so relocation results the verifier accepted are exercised too.
#include <chrono>
#include <cstdint>
#include <memory>

#include "ebpf/elf_loader.hh"
#include "ebpf/runtime.hh"

namespace {

uint64_t any_helper(uint64_t a, uint64_t b, uint64_t, uint64_t, uint64_t, zs::ebpf::InvocationContext&) {
  return a ^ b;
}

std::shared_ptr<const zs::ebpf::HelperTable> helpers() {
  static auto table = [] {
    auto h = std::make_shared<zs::ebpf::HelperTable>();
    for (const char* n : {"host_add", "host_mix", "host_sum_bytes", "memcpy", "memset"})
      (void)h->add(n, any_helper);
    return h;
  }();
  return table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zs::ebpf;
  auto prog = load_elf(std::span<const uint8_t>(data, size), helpers());
  if (!prog) return 0;
  auto exec = Executable::create(*prog, ExecutableOptions{Engine::kInterpreter, true});
  if (!exec) __builtin_trap();
  InstanceOptions opts;
  opts.cpu_limit = std::chrono::milliseconds(5);
  auto in = Instance::create(*exec, opts);
  if (!in) return 0;
  Outcome o = (*in)->start((*prog)->entries().front().name);
  while (o.yielded()) o = (*in)->resume();
  return 0;
}
