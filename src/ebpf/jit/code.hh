// JIT-compiled code for one Program: x86-64 machine code in its own mapping, written RW, then
// flipped to RX before it ever runs (never W+X). Immutable after compile(), so it may be shared by
// threads; each run needs its own Cage (r12 = cage base) and native stack. Translation rules
// are in translator.cc; the native-offset table maps a faulting RIP back to the guest pc.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "base/result.hh"

namespace zs::ebpf {
class Program;
}

namespace zs::ebpf::jit {

// Host functions the generated stubs call. Each receives the Instance* stored in the cage's
// ControlBlock::runtime; the fault hooks never return (they switch back to the host stack).
struct Hooks {
  uint64_t (*on_budget)(void* instance) = nullptr;         // returns the refilled budget
  uint64_t (*on_helper_status)(void* instance) = nullptr;  // failed (no return) or parked;
                                                           // returns the helper's R0
  void (*on_misaligned)(void* instance) = nullptr;         // misaligned atomic at ctl->pc
};

struct CompileOptions {
  bool preemption = true;
};

class Code {
 public:
  static Result<std::unique_ptr<Code>> compile(const Program& program, const CompileOptions& options,
                                               const Hooks& hooks);
  ~Code();
  Code(const Code&) = delete;
  Code& operator=(const Code&) = delete;

  // Native address of the code for guest slot `pc` (a function start).
  uint64_t address_of(uint32_t pc) const { return base() + insn_offsets_[pc]; }
  // Where a fresh invocation starts (jumped to by zs_ebpf_enter with r12 = cage base, on the
  // guest native stack): loads guest registers from the ControlBlock, calls
  // ControlBlock::entry_code, stores R0 in ControlBlock::result and switches back to
  // ControlBlock::host_sp (popping what zs_ebpf_enter pushed).
  uint64_t trampoline() const { return base() + trampoline_offset_; }
  bool contains(uint64_t rip) const { return rip >= base() && rip - base() < code_size_; }
  // Guest pc whose translation contains `rip` (rip must satisfy contains()).
  uint32_t pc_at(uint64_t rip) const;
  size_t size() const { return code_size_; }

 private:
  Code() = default;
  uint64_t base() const { return reinterpret_cast<uint64_t>(mapping_); }
  uint8_t* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  size_t code_size_ = 0;
  size_t trampoline_offset_ = 0;
  std::vector<uint32_t> insn_offsets_;  // native offset of each guest slot (size n + 1)
};

}  // namespace zs::ebpf::jit
