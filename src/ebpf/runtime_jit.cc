// Temporary: JIT side of Instance.
#include "ebpf/runtime.hh"
#include "ebpf/jit/code.hh"
namespace zs::ebpf {
Result<void> Instance::init_jit() { return Error("jit not implemented"); }
Outcome Instance::run_jit(bool) { return finish_fault(FaultKind::kNone, 0); }
}  // namespace zs::ebpf
namespace zs::ebpf {
jit::Hooks jit_hooks() { return {}; }
}
