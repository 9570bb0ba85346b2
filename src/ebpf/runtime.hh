// The API the server's event loop drives. Three layers with different lifetimes:
//   Program     (program.hh)  loaded + verified once, immutable, shared by all threads;
//   Executable  per worker (or shared): the program compiled for one engine (JIT code is RX);
//   Instance    per worker, one in-flight invocation at a time: a cage, a native stack, state.
// Per request: start(entry, args) -> Finished(r0) | Yielded | Faulted(reason, pc); after
// Yielded call resume() later (from the same thread) or cancel(). Nothing here blocks, throws,
// or uses signals for preemption; a SIGSEGV handler (installed once) only turns cage faults of
// JIT code into clean Faulted outcomes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "base/result.hh"
#include "ebpf/cage.hh"
#include "ebpf/helpers.hh"
#include "ebpf/interpreter.hh"
#include "ebpf/outcome.hh"
#include "ebpf/program.hh"

namespace zs::ebpf {

namespace jit {
class Code;
}

enum class Engine { kInterpreter, kJit };

struct ExecutableOptions {
  Engine engine = Engine::kJit;
  // JIT only: emit safepoints (budget countdown at backward jumps and function entries). Without
  // them a JIT'd program never yields and the CPU cap is not enforced.
  bool preemption = true;
};

class Executable {
 public:
  // Compiles `program` for the chosen engine. JIT errors (code too large, mmap failure) are values.
  static Result<std::shared_ptr<const Executable>> create(std::shared_ptr<const Program> program,
                                                          ExecutableOptions options = {});
  ~Executable();

  const Program& program() const { return *program_; }
  const std::shared_ptr<const Program>& program_ptr() const { return program_; }
  const ExecutableOptions& options() const { return options_; }
  const jit::Code* code() const { return code_.get(); }

 private:
  Executable() = default;
  std::shared_ptr<const Program> program_;
  ExecutableOptions options_;
  std::unique_ptr<jit::Code> code_;
};

struct InstanceOptions {
  // A running invocation yields once it has run this long since start()/resume(). 0: never.
  std::chrono::nanoseconds slice = std::chrono::milliseconds(2);
  // Total CPU time one invocation may use across all its slices before it is ended as
  // Faulted("cpu limit"). 0: unlimited.
  std::chrono::nanoseconds cpu_limit = std::chrono::seconds(1);
  // Test hook: identical cage layouts across instances (no random guard sizes), so guest
  // addresses compare equal between two instances in differential tests.
  bool fixed_layout_for_test = false;
  // Test hook: a fixed budget quantum (units between clock checks) instead of the adaptive one,
  // so tests can force a safepoint check, and with a 1 ns slice a yield, every few instructions.
  uint32_t budget_quantum_for_test = 0;
};

class Instance {
 public:
  static Result<std::unique_ptr<Instance>> create(std::shared_ptr<const Executable> exec,
                                                  InstanceOptions options = {});
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  // Starts an invocation of the named entry point (or slot `entry_pc`, which must be an entry or
  // function start) with R1..R5 = args. Must not be called while one is in flight (yielded).
  // The frames the program can use are zeroed first; scratch is left as the host filled it.
  Outcome start(std::string_view entry, std::span<const uint64_t> args = {});
  Outcome start_at(uint32_t entry_pc, std::span<const uint64_t> args = {});
  // Continues a Yielded invocation where it stopped. After a parked yield (Outcome::parked),
  // `helper_result` becomes the return value of the helper that parked; otherwise it is ignored.
  Outcome resume(uint64_t helper_result = 0);
  // Abandons a Yielded invocation (nothing on the guest stacks needs destruction).
  void cancel();
  bool in_flight() const { return in_flight_; }

  // Writable per-invocation scratch memory: host view and its guest address.
  std::span<uint8_t> scratch() const { return cage_->scratch_bytes(); }
  uint64_t scratch_addr() const { return cage_->scratch().addr; }
  const Cage& cage() const { return *cage_; }
  const Executable& executable() const { return *exec_; }
  // Opaque pointer helpers see through InvocationContext::user_data().
  void set_user_data(void* p) { ctx_.user_data_ = p; }

  // Internal: entry points for the JIT's stubs and the fault handler (see runtime.cc).
  struct Hooks;

 private:
  Instance() = default;
  Result<void> init_jit();
  Outcome run_interpreter();
  Outcome run_jit(bool first);
  Outcome finish_fault(FaultKind kind, uint32_t pc);
  bool slice_over(uint64_t now) const;

  std::shared_ptr<const Executable> exec_;
  InstanceOptions options_;
  std::unique_ptr<Cage> cage_;
  InvocationContext ctx_;
  std::unique_ptr<Interpreter> interp_;
  uint8_t* native_stack_ = nullptr;  // JIT only: mapping with a guard page at the bottom
  size_t native_stack_size_ = 0;
  bool in_flight_ = false;
  bool parked_ = false;
  uint64_t park_value_ = 0;
  // Timekeeping in TSC ticks.
  uint64_t slice_ticks_ = 0;
  uint64_t cpu_limit_ticks_ = 0;
  uint64_t slice_start_ = 0;
  uint64_t cpu_used_ = 0;
  uint64_t quantum_ = 0;       // budget units per refill (self-calibrating, JIT)
  uint64_t last_refill_ = 0;
  // Set by the guest-side hooks before switching back to the host.
  // kNone after the switch back means the trampoline's normal exit (finished).
  enum class Exit { kNone, kYielded, kFaulted } exit_ = Exit::kNone;
  FaultKind exit_fault_ = FaultKind::kNone;
  uint32_t exit_pc_ = 0;
};

}  // namespace zs::ebpf
