// The reference interpreter: a plain switch over opcodes, written to be obviously correct; it is
// the oracle the JIT is differential-tested against. Resumable: state lives in the object, so a
// run can stop when its instruction budget is spent and continue later. Memory goes through
// Cage::translate, the same confinement the JIT applies, so faults match the JIT's.
// Not thread-safe; one Interpreter serves one invocation at a time on one thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ebpf/cage.hh"
#include "ebpf/helpers.hh"
#include "ebpf/outcome.hh"
#include "ebpf/program.hh"

namespace zs::ebpf {

class Interpreter {
 public:
  enum class Stop { kExit, kBudget, kFault, kPark };

  Interpreter(const Program& program, const Cage& cage, InvocationContext& ctx);

  // Prepares an invocation at `entry_pc`: R1..R5 = args (missing ones 0), R10 = `frame_top`,
  // every other register 0.
  void start(uint32_t entry_pc, std::span<const uint64_t> args, uint64_t frame_top);

  // Executes until the entry function exits, a fault, a helper parks (kPark, pc already past the
  // call), or `budget` instructions have run (budget is decremented in place). After kBudget or
  // kPark, call run() again to continue.
  Stop run(uint64_t& budget);

  uint64_t r0() const { return regs_[0]; }
  void set_r0(uint64_t v) { regs_[0] = v; }  // a parked helper's result, before run() resumes
  uint32_t pc() const { return pc_; }
  FaultKind fault() const { return fault_; }

 private:
  struct Frame {
    uint32_t return_pc;
    uint64_t saved[5];  // R6..R10
  };

  bool step_memory(const Insn& i);
  bool step_atomic(const Insn& i);

  const Program& program_;
  const Cage& cage_;
  InvocationContext& ctx_;
  std::span<const Insn> code_;
  uint64_t regs_[kNumRegs] = {};
  uint32_t pc_ = 0;
  std::vector<Frame> frames_;
  FaultKind fault_ = FaultKind::kNone;
};

}  // namespace zs::ebpf
