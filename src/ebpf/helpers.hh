// Host helpers callable from eBPF programs, and the context each call receives.
// Helpers are bound by name at load time (ELF call relocations) or by numeric id for raw
// programs; the table is immutable once a Program uses it and may be shared across threads.
// A helper runs on the worker thread that runs the program, on the instance's native stack.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hh"

namespace zs::ebpf {

class InvocationContext;

// A helper receives guest R1..R5 and the invocation's context and returns the new R0.
// It must not throw. To end the invocation with an error, return ctx.fail("why").
// Registers R1..R5 read as 0 after every helper call (so no host value can leak through them).
using HelperFn = uint64_t (*)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                              InvocationContext& ctx);

class HelperTable {
 public:
  // Adds a helper under the next free id; fails on a duplicate name.
  Result<uint32_t> add(std::string name, HelperFn function);
  // Adds a helper under a chosen id (raw `call N` programs); fails if the id or name is taken.
  Result<void> add_at(uint32_t id, std::string name, HelperFn function);

  std::optional<uint32_t> find(std::string_view name) const;
  // nullptr if no helper has this id.
  HelperFn fn(uint32_t id) const { return id < entries_.size() ? entries_[id].fn : nullptr; }
  std::string_view name(uint32_t id) const {
    return id < entries_.size() ? std::string_view(entries_[id].name) : std::string_view();
  }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    HelperFn fn = nullptr;
  };
  std::vector<Entry> entries_;
};

// What a helper may do with the invocation that called it. Valid only during the helper call.
class InvocationContext {
 public:
  // Host view of guest memory [addr, addr+len) if it lies wholly inside one readable region
  // (stack, scratch, read-only data); nullopt otherwise. len 0 gives an empty span.
  std::optional<std::span<const uint8_t>> readable(uint64_t addr, uint64_t len) const;
  // Same for writable regions (stack and scratch only).
  std::optional<std::span<uint8_t>> writable(uint64_t addr, uint64_t len) const;

  // Ends the invocation as Faulted(message) when the helper returns; returns 0 for convenience.
  uint64_t fail(std::string message);
  bool failed() const { return *status_ == kHelperFailed; }

  // Parks the invocation when the helper returns: start()/resume() then return Yielded with
  // Outcome::parked set, and the host resumes it later with resume(value); `value` becomes this
  // helper's return value (R0). For helpers that wait on I/O. Returns 0 for convenience.
  uint64_t park() {
    if (*status_ == 0) *status_ = kHelperParked;
    return 0;
  }
  bool parked() const { return *status_ == kHelperParked; }

  static constexpr uint32_t kHelperFailed = 1;
  static constexpr uint32_t kHelperParked = 2;
  const std::string& failure_message() const { return message_; }

  // Opaque per-invocation pointer the host set with Instance::set_user_data().
  void* user_data() const { return user_data_; }

 private:
  friend class Instance;
  friend class Interpreter;
  const class Cage* cage_ = nullptr;
  void* user_data_ = nullptr;
  // Lives in the cage's control block so JIT code can test it after a helper returns.
  uint32_t* status_ = nullptr;
  std::string message_;
};

}  // namespace zs::ebpf
