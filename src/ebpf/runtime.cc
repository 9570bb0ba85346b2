// Executable/Instance: the invocation state machine for both engines.
// Interpreter: runs on the caller's stack in budgeted chunks; a chunk boundary is where the
// slice and CPU cap are checked, so yielding is just returning with the state kept.
// JIT: see runtime_jit.cc (stack switching, safepoint and fault hooks).
#include "ebpf/runtime.hh"

#include <sys/mman.h>

#include <cstring>

#include "ebpf/jit/code.hh"
#include "ebpf/tsc.hh"

namespace zs::ebpf {
namespace {

// Interpreter instructions between two clock checks (~20-50 us of guest work).
constexpr uint64_t kInterpreterQuantum = 16 * 1024;

}  // namespace

// Defined in runtime_jit.cc: the host functions generated code calls.
jit::Hooks jit_hooks();

Result<std::shared_ptr<const Executable>> Executable::create(std::shared_ptr<const Program> program,
                                                             ExecutableOptions options) {
  if (!program) return Error("executable: null program");
  std::shared_ptr<Executable> e(new Executable());
  e->program_ = std::move(program);
  e->options_ = options;
  if (options.engine == Engine::kJit) {
    auto code = jit::Code::compile(*e->program_, jit::CompileOptions{options.preemption}, jit_hooks());
    if (!code) return code.error().wrap("jit");
    e->code_ = std::move(*code);
  }
  return std::shared_ptr<const Executable>(std::move(e));
}

Executable::~Executable() = default;

Result<std::unique_ptr<Instance>> Instance::create(std::shared_ptr<const Executable> exec,
                                                   InstanceOptions options) {
  if (!exec) return Error("instance: null executable");
  std::unique_ptr<Instance> in(new Instance());
  auto cage = Cage::create(exec->program(), !options.fixed_layout_for_test);
  if (!cage) return cage.error();
  in->cage_ = std::move(*cage);
  in->exec_ = std::move(exec);
  in->options_ = options;
  in->ctx_.cage_ = in->cage_.get();
  in->ctx_.status_ = &in->cage_->control()->helper_status;
  in->slice_ticks_ = options.slice.count() > 0 ? tsc::from_duration(options.slice) : 0;
  in->cpu_limit_ticks_ = options.cpu_limit.count() > 0 ? tsc::from_duration(options.cpu_limit) : 0;
  if (in->exec_->options().engine == Engine::kInterpreter) {
    in->interp_ = std::make_unique<Interpreter>(in->exec_->program(), *in->cage_, in->ctx_);
  } else if (auto r = in->init_jit(); !r) {
    return r.error();
  }
  return in;
}

Instance::~Instance() {
  if (native_stack_) munmap(native_stack_, native_stack_size_);
}

Outcome Instance::start(std::string_view entry, std::span<const uint64_t> args) {
  auto pc = exec_->program().find_entry(entry);
  if (!pc) {
    Outcome o;
    o.kind = Outcome::Kind::kFaulted;
    o.reason = "no entry point named '" + std::string(entry) + "'";
    return o;
  }
  return start_at(*pc, args);
}

Outcome Instance::start_at(uint32_t entry_pc, std::span<const uint64_t> args) {
  const Program& prog = exec_->program();
  const auto& info = prog.info();
  if (in_flight_ || entry_pc >= info.marks.size() || !(info.marks[entry_pc] & kMarkFunctionStart)) {
    Outcome o;
    o.kind = Outcome::Kind::kFaulted;
    o.pc = entry_pc;
    o.reason = in_flight_ ? "an invocation is already in flight" : "not a function start";
    return o;
  }
  // Zero the frames this program can reach so no data survives from an earlier invocation.
  const GuestRegion& st = cage_->stack();
  const uint64_t frame_top = uint64_t{st.addr} + st.size;
  const size_t used = std::min<size_t>(st.size, size_t{info.max_call_depth} * prog.limits().frame_size());
  std::memset(cage_->base() + frame_top - used, 0, used);

  ControlBlock* ctl = cage_->control();
  ctl->helper_status = 0;
  parked_ = false;
  ctx_.message_.clear();
  cpu_used_ = 0;
  slice_start_ = tsc::now();
  in_flight_ = true;
  if (interp_) {
    interp_->start(entry_pc, args, frame_top);
    return run_interpreter();
  }
  for (size_t i = 0; i < 5; ++i) ctl->args[i] = i < args.size() ? args[i] : 0;
  ctl->frame_top = frame_top;
  ctl->entry_code = exec_->code()->address_of(entry_pc);
  return run_jit(true);
}

Outcome Instance::resume(uint64_t helper_result) {
  if (!in_flight_) {
    Outcome o;
    o.kind = Outcome::Kind::kFaulted;
    o.reason = "no invocation to resume";
    return o;
  }
  slice_start_ = tsc::now();
  if (parked_) {
    parked_ = false;
    park_value_ = helper_result;
    if (interp_) interp_->set_r0(helper_result);
  }
  return interp_ ? run_interpreter() : run_jit(false);
}

void Instance::cancel() { in_flight_ = false; }

bool Instance::slice_over(uint64_t now) const {
  return slice_ticks_ != 0 && now - slice_start_ >= slice_ticks_;
}

Outcome Instance::finish_fault(FaultKind kind, uint32_t pc) {
  in_flight_ = false;
  Outcome o;
  o.kind = Outcome::Kind::kFaulted;
  o.fault = kind;
  o.pc = pc;
  auto code = exec_->program().insns();
  o.reason = describe_fault(kind, pc < code.size() ? code[pc] : Insn{}, ctx_.message_);
  return o;
}

Outcome Instance::run_interpreter() {
  for (;;) {
    uint64_t budget = options_.budget_quantum_for_test ? options_.budget_quantum_for_test
                                                       : kInterpreterQuantum;
    Interpreter::Stop stop = interp_->run(budget);
    if (stop == Interpreter::Stop::kExit) {
      in_flight_ = false;
      Outcome o;
      o.r0 = interp_->r0();
      return o;
    }
    if (stop == Interpreter::Stop::kFault) return finish_fault(interp_->fault(), interp_->pc());
    const uint64_t now = tsc::now();
    if (stop == Interpreter::Stop::kPark) {
      cpu_used_ += now - slice_start_;
      parked_ = true;
      Outcome o;
      o.kind = Outcome::Kind::kYielded;
      o.parked = true;
      return o;
    }
    if (cpu_limit_ticks_ != 0 && cpu_used_ + (now - slice_start_) >= cpu_limit_ticks_)
      return finish_fault(FaultKind::kCpuLimit, interp_->pc());
    if (slice_over(now)) {
      cpu_used_ += now - slice_start_;
      Outcome o;
      o.kind = Outcome::Kind::kYielded;
      return o;
    }
  }
}

}  // namespace zs::ebpf
