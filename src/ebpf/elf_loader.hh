// Loads eBPF ELF relocatable objects as clang emits them (`clang -O2 -target bpf -mcpu=v3 -c`)
// into a verified Program. Every executable section is a named entry point; all code sections
// are linked into one instruction array so local calls across sections work; helpers are bound
// by symbol name; .rodata and .data become the read-only data image (a store into .data faults
// at run time, as in the reference server); .bss is refused: scripts have no writable globals.
// It does not execute anything and never trusts the file: every offset is bounds-checked, so a
// malformed ELF yields an error, never a crash. Relies on the ELF64 gABI and LLVM's BPF
// relocation rules (linux Documentation/bpf/llvm_reloc.rst).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "base/result.hh"
#include "ebpf/helpers.hh"
#include "ebpf/limits.hh"
#include "ebpf/program.hh"

namespace zs::ebpf {

// Parses, links, relocates and verifies. Errors say what and where, e.g.
// "section zeroserve.request: call to unknown helper 'zs_frobnicate'" or
// "'counter' lives in .bss: zero-initialized writable globals are not supported".
// `helpers` is kept by the Program (shared). Thread-safe (pure function of its inputs).
Result<std::shared_ptr<const Program>> load_elf(std::span<const uint8_t> bytes,
                                                std::shared_ptr<const HelperTable> helpers,
                                                const Limits& limits = {});

}  // namespace zs::ebpf
