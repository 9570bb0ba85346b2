// The JIT side of Instance: running generated code on its own native stack, and the host hooks
// its stubs call. A stack switch (callee-saved registers + rsp, ~20 ns) moves between the
// caller's stack and the guest's; yielding is such a switch from inside the budget hook, and
// resuming switches back, so the guest continues exactly where it stopped. Ending an invocation
// early (fault, CPU cap, cancel) simply never switches back: the guest stack holds no objects
// with destructors (only JIT frames and the hook's plain locals).
// SIGSEGV: a handler installed once per process turns a fault at a cage address from JIT code
// into a call to on_memory_fault (by rewriting RIP/RDI/RSP); everything else is passed on.
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "ebpf/jit/code.hh"
#include "ebpf/runtime.hh"
#include "ebpf/tsc.hh"

#if defined(__SANITIZE_ADDRESS__)
#define ZS_EBPF_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZS_EBPF_ASAN 1
#endif
#endif
#ifdef ZS_EBPF_ASAN
#include <sanitizer/asan_interface.h>
#endif

// zs_ebpf_switch_stack(save, next): saves rbp/rbx/r12-r15 and rsp into *save, loads rsp = next,
// restores the registers saved there and returns into that context.
// zs_ebpf_enter(save, sp, target, cage): the same save, then rsp = sp, r12 = cage, jump to
// target (the JIT trampoline). Entering by a jump keeps call/ret pairs balanced for the return
// predictor; the trampoline's exit pops the saved registers and returns here.
extern "C" void zs_ebpf_switch_stack(uint64_t* save, uint64_t next);
extern "C" void zs_ebpf_enter(uint64_t* save, uint64_t sp, uint64_t target, uint64_t cage);
asm(R"(
  .text
  .globl zs_ebpf_enter
  .type zs_ebpf_enter, @function
zs_ebpf_enter:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  movq %rcx, %r12
  jmpq *%rdx
  .size zs_ebpf_enter, .-zs_ebpf_enter
  .text
  .globl zs_ebpf_switch_stack
  .type zs_ebpf_switch_stack, @function
zs_ebpf_switch_stack:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size zs_ebpf_switch_stack, .-zs_ebpf_switch_stack
  .section .note.GNU-stack,"",@progbits
  .text
)");

namespace zs::ebpf {
namespace {

// Budget units (≈ guest instructions) between clock checks; adapted to ~kCheckInterval.
constexpr uint64_t kInitialQuantum = 1 << 16;
constexpr uint64_t kMinQuantum = 1 << 8;
constexpr uint64_t kMaxQuantum = 1ull << 30;
constexpr std::chrono::microseconds kCheckInterval{50};

thread_local Instance* t_running = nullptr;
struct sigaction g_previous_segv;
std::once_flag g_segv_once;

}  // namespace

struct Instance::Hooks {
  static Instance* self(void* p) { return static_cast<Instance*>(p); }

  // Switches to the host for good: nobody switches back to a finished or faulted guest. Not
  // declared [[noreturn]] on purpose: ASan would treat the call as an unwind of this stack.
  static void leave(Instance* in) {
    ControlBlock* ctl = in->cage_->control();
    zs_ebpf_switch_stack(&ctl->guest_sp, ctl->host_sp);
  }

  static void fault(Instance* in, FaultKind kind) {
    in->exit_ = Exit::kFaulted;
    in->exit_fault_ = kind;
    in->exit_pc_ = in->cage_->control()->pc;
    leave(in);
  }

  // A helper set a status: failed -> fault; parked -> yield, and on resume the host's value
  // becomes the helper's result.
  static uint64_t on_helper_status(void* p) {
    Instance* in = self(p);
    ControlBlock* ctl = in->cage_->control();
    if (ctl->helper_status != InvocationContext::kHelperParked) {
      fault(in, FaultKind::kHelper);
      return 0;  // not reached
    }
    ctl->helper_status = 0;
    in->cpu_used_ += tsc::now() - in->slice_start_;
    in->parked_ = true;
    in->exit_ = Exit::kYielded;
    zs_ebpf_switch_stack(&ctl->guest_sp, ctl->host_sp);
    in->last_refill_ = tsc::now();
    return in->park_value_;
  }
  static void on_misaligned(void* p) { fault(self(p), FaultKind::kMisaligned); }
  static void on_memory_fault(void* p) { fault(self(p), FaultKind::kMemory); }

  // The safepoint slow path: CPU cap, slice end (yield), and the next quantum.
  static uint64_t on_budget(void* p) {
    Instance* in = self(p);
    uint64_t now = tsc::now();
    if (in->cpu_limit_ticks_ != 0 && in->cpu_used_ + (now - in->slice_start_) >= in->cpu_limit_ticks_) {
      fault(in, FaultKind::kCpuLimit);
      return 0;  // not reached
    }
    if (in->slice_over(now)) {
      in->cpu_used_ += now - in->slice_start_;
      in->exit_ = Exit::kYielded;
      ControlBlock* ctl = in->cage_->control();
      zs_ebpf_switch_stack(&ctl->guest_sp, ctl->host_sp);
      // Resumed: resume() reset slice_start_.
      now = tsc::now();
      in->last_refill_ = now;
      return in->quantum_;
    }
    if (in->options_.budget_quantum_for_test) return in->options_.budget_quantum_for_test;
    // Keep clock checks ~kCheckInterval apart whatever the loop shape.
    const uint64_t target = tsc::from_duration(kCheckInterval);
    const uint64_t elapsed = now - in->last_refill_;
    if (elapsed < target / 2) in->quantum_ = std::min(in->quantum_ * 2, kMaxQuantum);
    if (elapsed > target * 2) in->quantum_ = std::max(in->quantum_ / 2, kMinQuantum);
    in->last_refill_ = now;
    return in->quantum_;
  }

  static void on_segv(int sig, siginfo_t* si, void* raw) {
    auto* uc = static_cast<ucontext_t*>(raw);
    Instance* in = t_running;
    auto& g = uc->uc_mcontext.gregs;
    const auto rip = static_cast<uint64_t>(g[REG_RIP]);
    const jit::Code* code = in ? in->exec_->code() : nullptr;
    if (code && code->contains(rip) && in->cage_->owns(reinterpret_cast<uintptr_t>(si->si_addr))) {
      in->cage_->control()->pc = code->pc_at(rip);
      // Continue in on_memory_fault(in) on the guest's native stack, as if called.
      const auto rsp = static_cast<uint64_t>(g[REG_RSP]);
      g[REG_RSP] = static_cast<greg_t>(((rsp - 256) & ~uint64_t{15}) - 8);
      g[REG_RDI] = reinterpret_cast<greg_t>(in);
      g[REG_RIP] = reinterpret_cast<greg_t>(&on_memory_fault);
      return;
    }
    // Not ours: hand over to whoever handled SIGSEGV before us, or crash as usual.
    if (g_previous_segv.sa_flags & SA_SIGINFO) {
      if (g_previous_segv.sa_sigaction) return g_previous_segv.sa_sigaction(sig, si, raw);
    } else if (g_previous_segv.sa_handler != SIG_DFL && g_previous_segv.sa_handler != SIG_IGN) {
      return g_previous_segv.sa_handler(sig);
    }
    signal(SIGSEGV, SIG_DFL);  // returning re-executes the access, which now kills the process
  }
};

jit::Hooks jit_hooks() {
  jit::Hooks h;
  h.on_budget = &Instance::Hooks::on_budget;
  h.on_helper_status = &Instance::Hooks::on_helper_status;
  h.on_misaligned = &Instance::Hooks::on_misaligned;
  return h;
}

Result<void> Instance::init_jit() {
  std::call_once(g_segv_once, [] {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = &Hooks::on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_previous_segv);
  });
  native_stack_size_ = exec_->program().limits().native_stack_size + kPageSize;
  void* m = mmap(nullptr, native_stack_size_, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) return Error(std::string("native stack: ") + std::strerror(errno));
  native_stack_ = static_cast<uint8_t*>(m);
  if (mprotect(native_stack_, kPageSize, PROT_NONE) != 0)  // guard page at the bottom
    return Error(std::string("native stack guard: ") + std::strerror(errno));
  ControlBlock* ctl = cage_->control();
  ctl->context = reinterpret_cast<uint64_t>(&ctx_);
  ctl->runtime = reinterpret_cast<uint64_t>(this);
  quantum_ = options_.budget_quantum_for_test ? options_.budget_quantum_for_test : kInitialQuantum;
  return {};
}

Outcome Instance::run_jit(bool first) {
  ControlBlock* ctl = cage_->control();
  if (first) {
#ifdef ZS_EBPF_ASAN
    // An abandoned invocation may have left poisoned redzones of host frames on this stack.
    ASAN_UNPOISON_MEMORY_REGION(native_stack_ + kPageSize, native_stack_size_ - kPageSize);
#endif
    ctl->budget = quantum_;
    last_refill_ = slice_start_;
  }
  // The trampoline's normal exit switches back without touching exit_: kNone means finished.
  exit_ = Exit::kNone;
  // Nested runs are fine (a helper of one instance may start another): restore the outer one.
  Instance* outer = t_running;
  t_running = this;
  if (first) {
    // Top of the guest native stack, aligned as if a call had just happened.
    const uint64_t sp = reinterpret_cast<uint64_t>(native_stack_ + native_stack_size_) - 8;
    zs_ebpf_enter(&ctl->host_sp, sp, exec_->code()->trampoline(),
                  reinterpret_cast<uint64_t>(cage_->base()));
  } else {
    zs_ebpf_switch_stack(&ctl->host_sp, ctl->guest_sp);
  }
  t_running = outer;
  switch (exit_) {
    case Exit::kNone: {
      in_flight_ = false;
      Outcome o;
      o.r0 = ctl->result;
      return o;
    }
    case Exit::kYielded: {
      Outcome o;
      o.kind = Outcome::Kind::kYielded;
      o.parked = parked_;
      return o;
    }
    case Exit::kFaulted:
      break;
  }
  return finish_fault(exit_fault_, exit_pc_);
}

}  // namespace zs::ebpf
