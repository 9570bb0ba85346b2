// How an invocation ends or pauses, shared by both engines so their results compare directly:
// Finished(r0), Yielded (resume later), or Faulted(reason, pc). Fault reasons are built from the
// fault kind and the faulting instruction only, never from engine internals, so the interpreter
// and the JIT report identical text for the same fault.
#pragma once

#include <cstdint>
#include <string>

#include "ebpf/isa.hh"

namespace zs::ebpf {

enum class FaultKind : uint32_t {
  kNone = 0,
  kMemory,      // a masked load/store hit a guard gap or wrote read-only data
  kMisaligned,  // an atomic operation on an address not aligned to its size
  kHelper,      // a helper called ctx.fail(message)
  kCpuLimit,    // the invocation used more CPU time than InstanceOptions::cpu_limit
  kCancelled,   // the host cancelled a yielded invocation
};

struct Outcome {
  enum class Kind { kFinished, kYielded, kFaulted };
  Kind kind = Kind::kFinished;
  uint64_t r0 = 0;        // kFinished: the program's return value
  uint32_t pc = 0;        // kFaulted: guest instruction index where it happened
  FaultKind fault = FaultKind::kNone;
  bool parked = false;    // kYielded because a helper called ctx.park() (resume with its result)
  std::string reason;     // kFaulted: human-readable ("invalid memory access (store of 4 bytes)")

  bool finished() const { return kind == Kind::kFinished; }
  bool yielded() const { return kind == Kind::kYielded; }
  bool faulted() const { return kind == Kind::kFaulted; }
};

// The reason text for a fault of `kind` at instruction `insn` (helper faults pass their message).
std::string describe_fault(FaultKind kind, const Insn& insn, const std::string& helper_message = {});

}  // namespace zs::ebpf
