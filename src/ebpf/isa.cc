// The opcode table behind op_info(): which of the 256 opcodes exist in RFC 9669 and their kinds.
// Built once at compile time from the class/op/mode tables so no opcode is listed twice.
// Legacy packet loads (LD ABS/IND) and CALLX are deliberately absent: the runtime rejects them.
#include "ebpf/isa.hh"

#include <array>

namespace zs::ebpf {
namespace {

struct AluName {
  uint8_t op;
  std::string_view name;
};

constexpr AluName kAluNames[] = {
    {kAluAdd, "add"}, {kAluSub, "sub"}, {kAluMul, "mul"}, {kAluDiv, "div"},
    {kAluOr, "or"},   {kAluAnd, "and"}, {kAluLsh, "lsh"}, {kAluRsh, "rsh"},
    {kAluNeg, "neg"}, {kAluMod, "mod"}, {kAluXor, "xor"}, {kAluMov, "mov"},
    {kAluArsh, "arsh"}, {kAluEnd, "end"},
};

constexpr AluName kJmpNames[] = {
    {kJmpJeq, "jeq"},   {kJmpJgt, "jgt"},   {kJmpJge, "jge"},   {kJmpJset, "jset"},
    {kJmpJne, "jne"},   {kJmpJsgt, "jsgt"}, {kJmpJsge, "jsge"}, {kJmpJlt, "jlt"},
    {kJmpJle, "jle"},   {kJmpJslt, "jslt"}, {kJmpJsle, "jsle"},
};

constexpr std::array<OpInfo, 256> build_table() {
  std::array<OpInfo, 256> t{};
  for (const auto& a : kAluNames) {
    for (uint8_t cls : {kClassAlu, kClassAlu64}) {
      if (a.op == kAluNeg) {
        t[a.op | cls | kSrcK] = {OpKind::kNeg, a.name};
      } else if (a.op == kAluEnd) {
        // ALU: K = to little-endian, X = to big-endian. ALU64: K = unconditional bswap (v4).
        if (cls == kClassAlu) {
          t[a.op | cls | kSrcK] = {OpKind::kEnd, "le"};
          t[a.op | cls | kSrcX] = {OpKind::kEnd, "be"};
        } else {
          t[a.op | cls | kSrcK] = {OpKind::kEnd, "bswap"};
        }
      } else {
        t[a.op | cls | kSrcK] = {OpKind::kAluK, a.name};
        t[a.op | cls | kSrcX] = {OpKind::kAluX, a.name};
      }
    }
  }
  for (const auto& j : kJmpNames) {
    for (uint8_t cls : {kClassJmp, kClassJmp32}) {
      t[j.op | cls | kSrcK] = {OpKind::kJcondK, j.name};
      t[j.op | cls | kSrcX] = {OpKind::kJcondX, j.name};
    }
  }
  t[kOpJa] = {OpKind::kJa, "ja"};
  t[kOpJa32] = {OpKind::kJa32, "ja32"};
  t[kOpCall] = {OpKind::kCall, "call"};
  t[kOpExit] = {OpKind::kExit, "exit"};
  t[kOpLddw] = {OpKind::kLddw, "lddw"};
  constexpr std::string_view kLdx[4] = {"ldxw", "ldxh", "ldxb", "ldxdw"};
  constexpr std::string_view kLdxs[3] = {"ldxsw", "ldxsh", "ldxsb"};
  constexpr std::string_view kSt[4] = {"stw", "sth", "stb", "stdw"};
  constexpr std::string_view kStx[4] = {"stxw", "stxh", "stxb", "stxdw"};
  for (uint8_t s = 0; s < 4; ++s) {
    uint8_t size = static_cast<uint8_t>(s << 3);
    t[kClassLdx | kModeMem | size] = {OpKind::kLdx, kLdx[s]};
    t[kClassSt | kModeMem | size] = {OpKind::kSt, kSt[s]};
    t[kClassStx | kModeMem | size] = {OpKind::kStx, kStx[s]};
    if (size != kSizeDW) t[kClassLdx | kModeMemSx | size] = {OpKind::kLdxSx, kLdxs[s]};
  }
  t[kClassStx | kModeAtomic | kSizeW] = {OpKind::kAtomic, "lock32"};
  t[kClassStx | kModeAtomic | kSizeDW] = {OpKind::kAtomic, "lock"};
  return t;
}

constexpr std::array<OpInfo, 256> kTable = build_table();

}  // namespace

const OpInfo& op_info(uint8_t opcode) { return kTable[opcode]; }

}  // namespace zs::ebpf
