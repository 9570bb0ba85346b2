// Fault texts. Derived from the instruction alone so both engines agree word for word.
#include "ebpf/outcome.hh"

namespace zs::ebpf {

std::string describe_fault(FaultKind kind, const Insn& insn, const std::string& helper_message) {
  switch (kind) {
    case FaultKind::kNone: return "no fault";
    case FaultKind::kMemory: {
      const uint8_t cls = insn_class(insn.opcode);
      const char* what = cls == kClassLdx ? "load" : "store";
      if (mem_mode(insn.opcode) == kModeAtomic) what = "atomic access";
      if (cls != kClassLdx && cls != kClassSt && cls != kClassStx) return "invalid memory access";
      return std::string("invalid memory access (") + what + " of " +
             std::to_string(mem_size_bytes(insn.opcode)) + " bytes)";
    }
    case FaultKind::kMisaligned: return "misaligned atomic access";
    case FaultKind::kHelper: return "helper failed: " + helper_message;
    case FaultKind::kCpuLimit: return "cpu limit";
    case FaultKind::kCancelled: return "cancelled";
  }
  return "unknown fault";
}

}  // namespace zs::ebpf
