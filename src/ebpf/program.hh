// A loaded, verified eBPF program: linked instructions, named entry points, the read-only data
// image and the helper table it was bound against. Immutable after creation, so one Program is
// shared (std::shared_ptr<const Program>) by every worker thread; per-thread state (JIT code,
// cage, invocation) lives in Executable/Instance (runtime.hh).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hh"
#include "ebpf/helpers.hh"
#include "ebpf/isa.hh"
#include "ebpf/limits.hh"
#include "ebpf/verifier.hh"

namespace zs::ebpf {

struct EntryPoint {
  std::string name;  // section name for ELF programs ("zeroserve.request"), "main" for raw code
  uint32_t pc = 0;
};

// Everything a Program is made of, before verification.
struct ProgramImage {
  std::vector<Insn> insns;  // helper calls: src 0, imm = id in the helper table
  std::vector<EntryPoint> entries{{"main", 0}};
  std::vector<uint8_t> rodata;  // read-only data image, already relocated
  uint32_t rodata_addr = 0;     // guest address of rodata[0] (0: choose one; only if no relocations)
};

class Program {
 public:
  // Verifies `image` against `helpers` and `limits`. Errors carry the verifier's reason.
  static Result<std::shared_ptr<const Program>> create(ProgramImage image,
                                                       std::shared_ptr<const HelperTable> helpers,
                                                       const Limits& limits = {});

  // A random page-aligned guest address for read-only data of `size` bytes that every cage
  // built with `limits` can host above its stack and scratch regions. Used by the ELF loader
  // before relocating; fails if the cage window is too small.
  static Result<uint32_t> choose_rodata_addr(const Limits& limits, size_t size);

  std::span<const Insn> insns() const { return image_.insns; }
  const std::vector<EntryPoint>& entries() const { return image_.entries; }
  std::optional<uint32_t> find_entry(std::string_view name) const;
  std::span<const uint8_t> rodata() const { return image_.rodata; }
  uint32_t rodata_addr() const { return image_.rodata_addr; }
  const HelperTable& helpers() const { return *helpers_; }
  const Limits& limits() const { return limits_; }
  const VerifierInfo& info() const { return info_; }

 private:
  Program() = default;
  ProgramImage image_;
  std::shared_ptr<const HelperTable> helpers_;
  Limits limits_;
  VerifierInfo info_;
};

}  // namespace zs::ebpf
