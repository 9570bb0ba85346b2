// Fuzz target: the verifier on arbitrary instruction slots (input = raw 8-byte slots; the
// first byte picks the entry-point count and limits). Verification must end with a value; an
// accepted program must also satisfy the invariants the engines rely on (re-checked here).
#include <cstdint>
#include <cstring>
#include <vector>

#include "ebpf/isa.hh"
#include "ebpf/verifier.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zs::ebpf;
  if (size < 1) return 0;
  const uint8_t knobs = data[0];
  ++data;
  --size;
  std::vector<Insn> code(size / kInsnSize);
  for (size_t i = 0; i < code.size(); ++i) std::memcpy(static_cast<void*>(&code[i]), data + i * kInsnSize, kInsnSize);
  std::vector<uint32_t> entries = {0};
  if ((knobs & 1) && code.size() > 2) entries.push_back(static_cast<uint32_t>(code.size() / 2));
  Limits limits;
  limits.max_call_depth = 1 + (knobs >> 5);
  limits.stack_size = 4096 * limits.max_call_depth;
  auto info = verify(code, entries, limits, [](uint32_t id) { return id < 4; });
  if (!info) return 0;
  // Invariants: every function ends in exit/ja, jumps stay in their function.
  for (size_t f = 0; f < info->function_starts.size(); ++f) {
    const uint32_t end = info->function_end(f);
    const uint8_t last = code[end - 1].opcode;
    if (last != kOpExit && last != kOpJa && last != kOpJa32) __builtin_trap();
  }
  for (uint32_t pc = 0; pc < code.size(); ++pc) {
    if (info->marks[pc] & kMarkLddwHigh) continue;
    const Insn& i = code[pc];
    if (i.dst() > 10 || i.src() > 10) __builtin_trap();
    if (!is_cond_jump(i.opcode) && i.opcode != kOpJa && i.opcode != kOpJa32) continue;
    const int64_t t = int64_t{pc} + (i.opcode == kOpJa32 ? i.imm : i.offset) + 1;
    const size_t f = info->function_of(pc);
    if (t < info->function_starts[f] || t >= info->function_end(f)) __builtin_trap();
    if (info->marks[t] & kMarkLddwHigh) __builtin_trap();
  }
  return 0;
}
