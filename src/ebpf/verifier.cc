// Verification in three passes over the slots: (1) each instruction alone (opcode, unused
// fields, registers), (2) control flow inside the functions that the entry points and local
// calls define, (3) the call graph (no recursion, bounded depth). Field rules: RFC 9669 §3-§5.
#include "ebpf/verifier.hh"

#include <algorithm>
#include <cstdio>
#include <string>


namespace zs::ebpf {
namespace {

Error at(size_t pc, const std::string& why) {
  return Error("insn " + std::to_string(pc) + ": " + why);
}

bool is_div_or_mod(uint8_t op) { return alu_op(op) == kAluDiv || alu_op(op) == kAluMod; }

// Writes to the destination register (R10 is read-only, RFC 9669 §2: "frame pointer").
bool writes_dst(OpKind k) {
  switch (k) {
    case OpKind::kAluK: case OpKind::kAluX: case OpKind::kNeg: case OpKind::kEnd:
    case OpKind::kLddw: case OpKind::kLdx: case OpKind::kLdxSx:
      return true;
    default:
      return false;
  }
}

// Pass 1 for one slot: returns an error text or empty.
std::string check_fields(std::span<const Insn> insns, size_t pc,
                         bool (*helper_exists)(const void*, uint32_t), const void* hctx) {
  const Insn& i = insns[pc];
  const OpInfo& info = op_info(i.opcode);
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", i.opcode);
  if (info.kind == OpKind::kInvalid) {
    if (i.opcode == kOpCallx) return "CALLX (0x8d) is not supported";
    return std::string("unknown opcode ") + hex;
  }
  if (i.dst() >= kNumRegs) return "invalid destination register r" + std::to_string(i.dst());
  if (i.src() >= kNumRegs) return "invalid source register r" + std::to_string(i.src());
  if (writes_dst(info.kind) && i.dst() == kFramePointer) return "write to read-only register r10";
  const bool alu32 = insn_class(i.opcode) == kClassAlu;
  switch (info.kind) {
    case OpKind::kAluK:
      if (i.src() != 0) return "unused src field is not zero";
      if (i.offset != 0 && !(is_div_or_mod(i.opcode) && i.offset == 1))
        return "unused offset field is not zero";
      break;
    case OpKind::kAluX:
      if (i.imm != 0) return "unused imm field is not zero";
      if (alu_op(i.opcode) == kAluMov) {
        bool ok = i.offset == 0 || i.offset == 8 || i.offset == 16 || (!alu32 && i.offset == 32);
        if (!ok) return "invalid sign-extension width " + std::to_string(i.offset);
      } else if (i.offset != 0 && !(is_div_or_mod(i.opcode) && i.offset == 1)) {
        return "unused offset field is not zero";
      }
      break;
    case OpKind::kNeg:
      if (i.src() != 0 || i.offset != 0 || i.imm != 0) return "unused field of neg is not zero";
      break;
    case OpKind::kEnd:
      if (i.src() != 0 || i.offset != 0) return "unused field of byte swap is not zero";
      if (i.imm != 16 && i.imm != 32 && i.imm != 64)
        return "invalid byte swap width " + std::to_string(i.imm);
      break;
    case OpKind::kJa:
      if (i.dst() != 0 || i.src() != 0 || i.imm != 0) return "unused field of ja is not zero";
      break;
    case OpKind::kJa32:
      if (i.dst() != 0 || i.src() != 0 || i.offset != 0) return "unused field of ja32 is not zero";
      break;
    case OpKind::kJcondK:
      if (i.src() != 0) return "unused src field is not zero";
      break;
    case OpKind::kJcondX:
      if (i.imm != 0) return "unused imm field is not zero";
      break;
    case OpKind::kCall:
      if (i.dst() != 0 || i.offset != 0) return "unused field of call is not zero";
      if (i.src() == kCallBtf) return "calls by BTF id are not supported";
      if (i.src() == kCallHelper && !helper_exists(hctx, static_cast<uint32_t>(i.imm)))
        return "call to unknown helper " + std::to_string(static_cast<uint32_t>(i.imm));
      if (i.src() > kCallLocal) return "invalid call source " + std::to_string(i.src());
      break;
    case OpKind::kExit:
      if (i.regs != 0 || i.offset != 0 || i.imm != 0) return "unused field of exit is not zero";
      break;
    case OpKind::kLddw: {
      if (i.src() != 0) return "lddw with pseudo source " + std::to_string(i.src()) + " is not supported";
      if (i.offset != 0) return "unused offset field is not zero";
      if (pc + 1 >= insns.size()) return "lddw is missing its second slot";
      const Insn& hi = insns[pc + 1];
      if (hi.opcode != 0 || hi.regs != 0 || hi.offset != 0)
        return "malformed second slot of lddw";
      break;
    }
    case OpKind::kLdx:
    case OpKind::kLdxSx:
      if (i.imm != 0) return "unused imm field is not zero";
      break;
    case OpKind::kSt:
      if (i.src() != 0) return "unused src field is not zero";
      break;
    case OpKind::kStx:
      if (i.imm != 0) return "unused imm field is not zero";
      break;
    case OpKind::kAtomic: {
      int32_t op = i.imm & ~kAtomicFetch;
      bool known = op == kAtomicAdd || op == kAtomicOr || op == kAtomicAnd || op == kAtomicXor ||
                   i.imm == kAtomicXchg || i.imm == kAtomicCmpxchg;
      if (!known) return "unknown atomic operation " + std::to_string(i.imm);
      if ((i.imm & kAtomicFetch) && i.imm != kAtomicCmpxchg && i.src() == kFramePointer)
        return "write to read-only register r10";
      break;
    }
    case OpKind::kInvalid:
      break;
  }
  return {};
}

// Slot a jump at `pc` lands on (JA32 uses imm, all others the offset).
int64_t jump_target(const Insn& i, size_t pc) {
  int64_t delta = i.opcode == kOpJa32 ? i.imm : i.offset;
  return static_cast<int64_t>(pc) + delta + 1;
}

}  // namespace

size_t VerifierInfo::function_of(uint32_t pc) const {
  auto it = std::upper_bound(function_starts.begin(), function_starts.end(), pc);
  return static_cast<size_t>(it - function_starts.begin()) - 1;
}

Result<VerifierInfo> verify_with(std::span<const Insn> insns, std::span<const uint32_t> entries,
                                 const Limits& limits, bool (*helper_exists)(const void*, uint32_t),
                                 const void* hctx) {
  const size_t n = insns.size();
  if (n == 0) return Error("empty program");
  if (n > limits.max_insns)
    return Error("program has " + std::to_string(n) + " instructions, the limit is " +
                 std::to_string(limits.max_insns));
  if (entries.empty()) return Error("program has no entry point");
  VerifierInfo info;
  info.marks.assign(n, 0);

  // Pass 1: each slot alone; collect local-call targets.
  std::vector<uint32_t> starts(entries.begin(), entries.end());
  for (size_t pc = 0; pc < n; ++pc) {
    if (info.marks[pc] & kMarkLddwHigh) continue;
    const Insn& i = insns[pc];
    if (std::string why = check_fields(insns, pc, helper_exists, hctx); !why.empty())
      return at(pc, why);
    if (i.opcode == kOpLddw) info.marks[pc + 1] |= kMarkLddwHigh;
    if (i.opcode == kOpCall && i.src() == kCallLocal) {
      int64_t t = static_cast<int64_t>(pc) + i.imm + 1;
      if (t < 0 || t >= static_cast<int64_t>(n))
        return at(pc, "call target " + std::to_string(t) + " is outside the program");
      starts.push_back(static_cast<uint32_t>(t));
    }
  }
  for (uint32_t e : entries)
    if (e >= n) return Error("entry point " + std::to_string(e) + " is outside the program");
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  for (uint32_t s : starts) {
    if (info.marks[s] & kMarkLddwHigh)
      return at(s, "function starts in the middle of an lddw");
    info.marks[s] |= kMarkFunctionStart;
  }
  info.function_starts = std::move(starts);

  // Pass 2: control flow within each function.
  const size_t nf = info.function_starts.size();
  std::vector<std::vector<size_t>> callees(nf);
  for (size_t f = 0; f < nf; ++f) {
    const uint32_t begin = info.function_starts[f];
    const uint32_t end = info.function_end(f);
    for (uint32_t pc = begin; pc < end; ++pc) {
      if (info.marks[pc] & kMarkLddwHigh) continue;
      const Insn& i = insns[pc];
      const OpKind k = op_info(i.opcode).kind;
      if (k == OpKind::kJa || k == OpKind::kJa32 || k == OpKind::kJcondK || k == OpKind::kJcondX) {
        int64_t t = jump_target(i, pc);
        if (t < begin || t >= end)
          return at(pc, "jump target " + std::to_string(t) + " is outside function [" +
                            std::to_string(begin) + ", " + std::to_string(end) + ")");
        if (info.marks[t] & kMarkLddwHigh)
          return at(pc, "jump into the middle of the lddw at " + std::to_string(t - 1));
        info.marks[t] |= kMarkJumpTarget;
      } else if (k == OpKind::kCall && i.src() == kCallLocal) {
        callees[f].push_back(info.function_of(static_cast<uint32_t>(pc + i.imm + 1)));
      }
    }
    // The last slot must not let control fall through into the next function (or off the end).
    const uint32_t last = end - 1;
    const uint8_t op = insns[last].opcode;
    if ((info.marks[last] & kMarkLddwHigh) || (op != kOpExit && op != kOpJa && op != kOpJa32))
      return at(last, "control can fall through off the end of the function starting at " +
                          std::to_string(begin));
  }

  // Pass 3: call graph. Iterative DFS with colours: grey on the path means recursion.
  std::vector<uint8_t> colour(nf, 0);  // 0 white, 1 grey, 2 black
  std::vector<uint32_t> depth(nf, 1);
  for (size_t root = 0; root < nf; ++root) {
    if (colour[root]) continue;
    std::vector<std::pair<size_t, size_t>> stack{{root, 0}};
    colour[root] = 1;
    while (!stack.empty()) {
      auto& [f, next] = stack.back();
      if (next < callees[f].size()) {
        size_t c = callees[f][next++];
        if (colour[c] == 1)
          return Error("recursive call: function at insn " +
                       std::to_string(info.function_starts[c]) + " calls itself (via insn " +
                       std::to_string(info.function_starts[f]) + ")");
        if (colour[c] == 0) {
          colour[c] = 1;
          stack.emplace_back(c, 0);
        }
        continue;
      }
      for (size_t c : callees[f]) depth[f] = std::max(depth[f], depth[c] + 1);
      colour[f] = 2;
      if (depth[f] > limits.max_call_depth)
        return Error("call depth " + std::to_string(depth[f]) + " from the function at insn " +
                     std::to_string(info.function_starts[f]) + " exceeds the limit of " +
                     std::to_string(limits.max_call_depth));
      info.max_call_depth = std::max(info.max_call_depth, depth[f]);
      stack.pop_back();
    }
  }
  return info;
}

}  // namespace zs::ebpf
