// The pointer cage: one power-of-two virtual window per program instance. Guest addresses are
// offsets into the window; every guest load/store is confined to it by masking (JIT: 32-bit LEA
// plus AND), and page protections decide what the masked address may do: the stack and scratch
// regions are read-write, the program's data image read-only, everything else (randomized guard
// gaps) PROT_NONE. Owned by one Instance, used on one thread. Holds no host pointers inside the
// window; the ControlBlock the JIT needs sits in a page just below it, out of guest reach.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "base/result.hh"

namespace zs::ebpf {

class Program;
class InvocationContext;

inline constexpr size_t kPageSize = 4096;
inline constexpr uint32_t kMinGuardPages = 16;
inline constexpr uint32_t kMaxGuardPages = 127;
// Unmapped tail after the window: absorbs an access that starts within 7 bytes of the end.
inline constexpr size_t kTailGuardSize = 16 * kPageSize;

struct GuestRegion {
  uint32_t addr = 0;
  uint32_t size = 0;
  bool contains(uint64_t a, uint64_t len) const {
    return a >= addr && len <= size && a - addr <= size - len;
  }
};

// Per-instance state the JIT'd code and its stubs reach at [r12 - kControlBlockOffset + field].
// Plain data with fixed offsets (the translator uses offsetof).
struct ControlBlock {
  uint64_t budget = 0;        // safepoint countdown, parked here across helper calls
  uint64_t context = 0;       // InvocationContext* handed to helpers as their last argument
  uint64_t runtime = 0;       // the Instance running on this cage
  uint32_t helper_status = 0; // set by a helper: kHelperFailed / kHelperParked (helpers.hh)
  uint32_t pc = 0;            // guest pc of the helper call / safepoint / fault being handled
  uint64_t args[5] = {};      // R1..R5 at entry
  uint64_t frame_top = 0;     // R10 at entry (guest address)
  uint64_t entry_code = 0;    // native address of the entry function
  uint64_t result = 0;        // R0 at exit
  uint64_t host_sp = 0;       // saved native stack pointers for the stack switch
  uint64_t guest_sp = 0;
};
inline constexpr size_t kControlBlockOffset = kPageSize;

class Cage {
 public:
  // Reserves and lays out a window for `program`: random guards, stack, scratch, and the
  // program's read-only data at program.rodata_addr(). Fails only if mmap/mprotect fail.
  // `randomize` false places every guard at its minimum size (tests comparing two cages).
  static Result<std::unique_ptr<Cage>> create(const Program& program, bool randomize = true);
  ~Cage();
  Cage(const Cage&) = delete;
  Cage& operator=(const Cage&) = delete;

  uint8_t* base() const { return base_; }
  uint64_t size() const { return size_; }
  uint64_t mask() const { return size_ - 1; }
  const GuestRegion& stack() const { return stack_; }
  const GuestRegion& scratch() const { return scratch_; }
  const GuestRegion& rodata() const { return rodata_; }
  ControlBlock* control() const {
    return reinterpret_cast<ControlBlock*>(base_ - kControlBlockOffset);
  }
  // Host view of the scratch region (the host fills it before start()).
  std::span<uint8_t> scratch_bytes() const { return {base_ + scratch_.addr, scratch_.size}; }

  // The JIT's confinement (low 32 bits, masked to the window) followed by the check the page
  // protections make. nullptr means the JIT'd access would fault. Used by the interpreter.
  uint8_t* translate(uint64_t addr, unsigned size, bool write) const {
    uint64_t a = static_cast<uint32_t>(addr) & mask();
    bool ok = stack_.contains(a, size) || scratch_.contains(a, size) ||
              (!write && rodata_.contains(a, size));
    return ok ? base_ + a : nullptr;
  }

  // Exact range checks for helpers: the whole range must lie inside one region. The returned
  // pointer is also masked into the window (a no-op once the check passed) so a mispredicted
  // check cannot steer a speculative host access outside the cage (research doc §4c).
  std::optional<std::span<const uint8_t>> readable(uint64_t addr, uint64_t len) const;
  std::optional<std::span<uint8_t>> writable(uint64_t addr, uint64_t len) const;

  // Whether a host address lies in this cage's window or tail guard (SIGSEGV classification).
  bool owns(uintptr_t host) const {
    auto b = reinterpret_cast<uintptr_t>(base_);
    return host >= b && host - b < size_ + kTailGuardSize;
  }

 private:
  Cage() = default;
  uint8_t* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  GuestRegion stack_, scratch_, rodata_;
};

}  // namespace zs::ebpf
