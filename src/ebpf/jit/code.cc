// Temporary: JIT not yet implemented.
#include "ebpf/jit/code.hh"

namespace zs::ebpf::jit {
Result<std::unique_ptr<Code>> Code::compile(const Program&, const CompileOptions&, const Hooks&) {
  return Error("not implemented");
}
Code::~Code() = default;
uint32_t Code::pc_at(uint64_t) const { return 0; }
}  // namespace zs::ebpf::jit
