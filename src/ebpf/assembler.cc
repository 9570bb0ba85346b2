// Two-pass assembler: pass 1 assigns slot numbers to labels, pass 2 encodes each line.
// Mnemonic spelling follows bpf_conformance's assembler (research doc §5b); encodings come
// from isa.hh. Number ranges are checked exactly as upstream does (imm32 decimal must fit s32,
// hex must fit u32; offsets s16 or hex u16), because negative tests depend on it.
#include "ebpf/assembler.hh"

#include <charconv>
#include <map>
#include <optional>
#include <string>

namespace zs::ebpf {
namespace {

struct Line {
  size_t number = 0;
  std::string mnemonic;
  std::vector<std::string> ops;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Splits on whitespace, drops trailing commas, and keeps a bracketed memory operand whole even
// if it contains spaces ("[%r1 + 2]").
std::vector<std::string> tokenize(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) ++i;
    if (i >= s.size()) break;
    std::string tok;
    if (s[i] == '[') {
      while (i < s.size() && s[i] != ']') {
        if (s[i] != ' ' && s[i] != '\t') tok.push_back(s[i]);
        ++i;
      }
      if (i < s.size()) tok.push_back(s[i++]);
    } else {
      while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != ',') tok.push_back(s[i++]);
    }
    out.push_back(std::move(tok));
  }
  return out;
}

bool is_hex(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

// Parses an optionally signed decimal or 0x-hex number into magnitude + sign.
bool parse_number(std::string_view s, bool& negative, uint64_t& magnitude) {
  negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  return ec == std::errc() && p == s.data() + s.size();
}

std::optional<int32_t> parse_imm32(std::string_view s) {
  bool neg;
  uint64_t m;
  if (!parse_number(s, neg, m)) return std::nullopt;
  if (is_hex(s)) {
    if (m > 0xffffffffULL) return std::nullopt;
    uint32_t v = static_cast<uint32_t>(m);
    return static_cast<int32_t>(neg ? 0u - v : v);
  }
  if (neg ? m > 0x80000000ULL : m > 0x7fffffffULL) return std::nullopt;
  int64_t v = neg ? -static_cast<int64_t>(m) : static_cast<int64_t>(m);
  return static_cast<int32_t>(v);
}

std::optional<int16_t> parse_offset(std::string_view s) {
  bool neg;
  uint64_t m;
  if (!parse_number(s, neg, m)) return std::nullopt;
  if (is_hex(s)) {
    if (m > 0xffff) return std::nullopt;
    uint16_t v = static_cast<uint16_t>(m);
    return static_cast<int16_t>(neg ? static_cast<uint16_t>(0u - v) : v);
  }
  if (neg ? m > 0x8000 : m > 0x7fff) return std::nullopt;
  return static_cast<int16_t>(neg ? -static_cast<int64_t>(m) : static_cast<int64_t>(m));
}

std::optional<uint64_t> parse_imm64(std::string_view s) {
  bool neg;
  uint64_t m;
  if (!parse_number(s, neg, m)) return std::nullopt;
  return neg ? 0 - m : m;
}

std::optional<uint8_t> parse_reg(std::string_view s) {
  if (s.size() < 3 || s[0] != '%' || s[1] != 'r') return std::nullopt;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 15) return std::nullopt;
  return static_cast<uint8_t>(v);
}

struct MemOperand {
  uint8_t reg;
  int16_t off;
};

std::optional<MemOperand> parse_mem(std::string_view s) {
  if (s.size() < 4 || s.front() != '[' || s.back() != ']') return std::nullopt;
  s = s.substr(1, s.size() - 2);
  size_t sign = s.find_first_of("+-");
  auto reg = parse_reg(s.substr(0, sign));
  if (!reg) return std::nullopt;
  if (sign == std::string_view::npos) return MemOperand{*reg, 0};
  auto off = parse_offset(s.substr(sign));
  if (!off) return std::nullopt;
  return MemOperand{*reg, *off};
}

struct AluEntry {
  std::string_view name;
  uint8_t op;
  int16_t offset;  // 1 for sdiv/smod
};

constexpr AluEntry kAlu[] = {
    {"add", kAluAdd, 0}, {"sub", kAluSub, 0}, {"mul", kAluMul, 0}, {"div", kAluDiv, 0},
    {"sdiv", kAluDiv, 1}, {"or", kAluOr, 0}, {"and", kAluAnd, 0}, {"lsh", kAluLsh, 0},
    {"rsh", kAluRsh, 0}, {"neg", kAluNeg, 0}, {"mod", kAluMod, 0}, {"smod", kAluMod, 1},
    {"xor", kAluXor, 0}, {"mov", kAluMov, 0}, {"arsh", kAluArsh, 0},
};

constexpr AluEntry kJmp[] = {
    {"jeq", kJmpJeq, 0}, {"jgt", kJmpJgt, 0}, {"jge", kJmpJge, 0}, {"jset", kJmpJset, 0},
    {"jne", kJmpJne, 0}, {"jsgt", kJmpJsgt, 0}, {"jsge", kJmpJsge, 0}, {"jlt", kJmpJlt, 0},
    {"jle", kJmpJle, 0}, {"jslt", kJmpJslt, 0}, {"jsle", kJmpJsle, 0},
};

struct AtomicEntry {
  std::string_view name;
  int32_t imm;
};

constexpr AtomicEntry kAtomics[] = {
    {"add", kAtomicAdd}, {"or", kAtomicOr}, {"and", kAtomicAnd}, {"xor", kAtomicXor},
    {"xchg", kAtomicXchg}, {"cmpxchg", kAtomicCmpxchg},
};

// Splits "add32" into ("add", 32), "add64"/"add" into ("add", 64).
std::pair<std::string_view, int> split_width(std::string_view m) {
  if (m.size() > 2 && m.substr(m.size() - 2) == "32") return {m.substr(0, m.size() - 2), 32};
  if (m.size() > 2 && m.substr(m.size() - 2) == "64") return {m.substr(0, m.size() - 2), 64};
  return {m, 64};
}

class Encoder {
 public:
  Encoder(const std::map<std::string, size_t, std::less<>>& labels) : labels_(labels) {}

  // Appends the encoding of `line` (at slot `pc`) to `out`, or returns the error text.
  std::optional<std::string> encode(const Line& line, size_t pc, std::vector<Insn>& out);

 private:
  std::optional<int64_t> target(std::string_view tok, size_t pc) const {
    if (!tok.empty() && (tok[0] == '+' || tok[0] == '-')) {
      bool neg;
      uint64_t m;
      if (!parse_number(tok, neg, m) || is_hex(tok)) return std::nullopt;
      return neg ? -static_cast<int64_t>(m) : static_cast<int64_t>(m);
    }
    auto it = labels_.find(tok);
    if (it == labels_.end()) return std::nullopt;
    return static_cast<int64_t>(it->second) - static_cast<int64_t>(pc) - 1;
  }

  std::optional<std::string> alu(const Line& l, std::vector<Insn>& out);
  std::optional<std::string> jump(const Line& l, size_t pc, std::vector<Insn>& out);
  std::optional<std::string> call(const Line& l, size_t pc, std::vector<Insn>& out);
  std::optional<std::string> memory(const Line& l, std::vector<Insn>& out);
  std::optional<std::string> atomic(const Line& l, std::vector<Insn>& out);

  const std::map<std::string, size_t, std::less<>>& labels_;
};

std::string operand_count_error(std::string_view m) {
  return "Invalid number of operands for " + std::string(m);
}

std::optional<std::string> Encoder::alu(const Line& l, std::vector<Insn>& out) {
  std::string_view m = l.mnemonic;
  // movsx<from><class width>: movsx832, movsx1632 (ALU), movsx864, movsx1664, movsx3264 (ALU64).
  if (m.substr(0, 5) == "movsx") {
    std::string_view rest = m.substr(5);
    struct Sx { std::string_view s; uint8_t cls; int16_t off; };
    constexpr Sx kSx[] = {{"832", kClassAlu, 8}, {"1632", kClassAlu, 16}, {"864", kClassAlu64, 8},
                          {"1664", kClassAlu64, 16}, {"3264", kClassAlu64, 32}};
    for (const auto& s : kSx) {
      if (rest != s.s) continue;
      if (l.ops.size() != 2) return operand_count_error(m);
      auto d = parse_reg(l.ops[0]);
      auto r = parse_reg(l.ops[1]);
      if (!d || !r) return std::string("Invalid register");
      out.push_back(Insn::make(s.cls | kSrcX | kAluMov, *d, *r, s.off, 0));
      return std::nullopt;
    }
    return "Invalid mnemonic '" + std::string(m) + "'";
  }
  auto [base, width] = split_width(m);
  for (const auto& e : kAlu) {
    if (base != e.name) continue;
    uint8_t cls = width == 32 ? kClassAlu : kClassAlu64;
    if (e.op == kAluNeg) {
      if (l.ops.size() != 1) return operand_count_error(m);
      auto d = parse_reg(l.ops[0]);
      if (!d) return std::string("Invalid register");
      out.push_back(Insn::make(cls | kAluNeg, *d, 0, 0, 0));
      return std::nullopt;
    }
    if (l.ops.size() != 2) return operand_count_error(m);
    auto d = parse_reg(l.ops[0]);
    if (!d) return std::string("Invalid register");
    if (l.ops[1].size() > 0 && l.ops[1][0] == '%') {
      auto s = parse_reg(l.ops[1]);
      if (!s) return std::string("Invalid register");
      out.push_back(Insn::make(cls | kSrcX | e.op, *d, *s, e.offset, 0));
    } else {
      auto imm = parse_imm32(l.ops[1]);
      if (!imm) return "Invalid immediate '" + l.ops[1] + "'";
      out.push_back(Insn::make(cls | kSrcK | e.op, *d, 0, e.offset, *imm));
    }
    return std::nullopt;
  }
  return "Invalid mnemonic '" + std::string(m) + "'";
}

std::optional<std::string> Encoder::jump(const Line& l, size_t pc, std::vector<Insn>& out) {
  std::string_view m = l.mnemonic;
  if (m == "ja" || m == "ja32") {
    if (l.ops.size() != 1) return operand_count_error(m);
    auto t = target(l.ops[0], pc);
    if (!t) return "Invalid label '" + l.ops[0] + "'";
    if (m == "ja") {
      if (*t < INT16_MIN || *t > INT16_MAX) return std::string("Jump offset out of range");
      out.push_back(Insn::make(kOpJa, 0, 0, static_cast<int16_t>(*t), 0));
    } else {
      out.push_back(Insn::make(kOpJa32, 0, 0, 0, static_cast<int32_t>(*t)));
    }
    return std::nullopt;
  }
  auto [base, width] = split_width(m);
  for (const auto& e : kJmp) {
    if (base != e.name) continue;
    uint8_t cls = width == 32 ? kClassJmp32 : kClassJmp;
    if (l.ops.size() != 3) return operand_count_error(m);
    auto d = parse_reg(l.ops[0]);
    if (!d) return std::string("Invalid register");
    auto t = target(l.ops[2], pc);
    if (!t) return "Invalid label '" + l.ops[2] + "'";
    if (*t < INT16_MIN || *t > INT16_MAX) return std::string("Jump offset out of range");
    auto off = static_cast<int16_t>(*t);
    if (!l.ops[1].empty() && l.ops[1][0] == '%') {
      auto s = parse_reg(l.ops[1]);
      if (!s) return std::string("Invalid register");
      out.push_back(Insn::make(cls | kSrcX | e.op, *d, *s, off, 0));
    } else {
      auto imm = parse_imm32(l.ops[1]);
      if (!imm) return "Invalid immediate '" + l.ops[1] + "'";
      out.push_back(Insn::make(cls | kSrcK | e.op, *d, 0, off, *imm));
    }
    return std::nullopt;
  }
  return "Invalid mnemonic '" + std::string(m) + "'";
}

std::optional<std::string> Encoder::call(const Line& l, size_t pc, std::vector<Insn>& out) {
  const auto& ops = l.ops;
  if (ops.size() == 1 && !ops[0].empty() && ops[0][0] == '%') {
    auto r = parse_reg(ops[0]);
    if (!r) return std::string("Invalid register");
    // CALLX: the conformance assembler puts the register in dst (research doc §1b).
    out.push_back(Insn::make(kOpCallx, *r, 0, 0, 0));
    return std::nullopt;
  }
  if (ops.size() == 1 || (ops.size() == 2 && (ops[0] == "helper" || ops[0] == "runtime"))) {
    auto imm = parse_imm32(ops.back());
    if (!imm) return "Invalid immediate '" + ops.back() + "'";
    uint8_t src = ops.size() == 2 && ops[0] == "runtime" ? kCallBtf : kCallHelper;
    out.push_back(Insn::make(kOpCall, 0, src, 0, *imm));
    return std::nullopt;
  }
  if (ops.size() == 2 && ops[0] == "local") {
    auto t = target(ops[1], pc);
    if (!t) return "Invalid label '" + ops[1] + "'";
    out.push_back(Insn::make(kOpCall, 0, kCallLocal, 0, static_cast<int32_t>(*t)));
    return std::nullopt;
  }
  return operand_count_error("call");
}

std::optional<std::string> Encoder::memory(const Line& l, std::vector<Insn>& out) {
  std::string_view m = l.mnemonic;
  auto op = [&]() -> std::optional<uint8_t> {
    for (int i = 0; i < 256; ++i) {
      const OpInfo& info = op_info(static_cast<uint8_t>(i));
      if ((info.kind == OpKind::kLdx || info.kind == OpKind::kLdxSx || info.kind == OpKind::kSt ||
           info.kind == OpKind::kStx) && info.name == m)
        return static_cast<uint8_t>(i);
    }
    return std::nullopt;
  }();
  if (!op) return "Invalid mnemonic '" + std::string(m) + "'";
  if (l.ops.size() != 2) return operand_count_error(m);
  OpKind kind = op_info(*op).kind;
  if (kind == OpKind::kLdx || kind == OpKind::kLdxSx) {
    auto d = parse_reg(l.ops[0]);
    if (!d) return std::string("Invalid register");
    auto mem = parse_mem(l.ops[1]);
    if (!mem) return "Invalid memory operand '" + l.ops[1] + "'";
    out.push_back(Insn::make(*op, *d, mem->reg, mem->off, 0));
    return std::nullopt;
  }
  auto mem = parse_mem(l.ops[0]);
  if (!mem) return "Invalid memory operand '" + l.ops[0] + "'";
  if (kind == OpKind::kSt) {
    auto imm = parse_imm32(l.ops[1]);
    if (!imm) return "Invalid immediate '" + l.ops[1] + "'";
    out.push_back(Insn::make(*op, mem->reg, 0, mem->off, *imm));
  } else {
    auto s = parse_reg(l.ops[1]);
    if (!s) return std::string("Invalid register");
    out.push_back(Insn::make(*op, mem->reg, *s, mem->off, 0));
  }
  return std::nullopt;
}

std::optional<std::string> Encoder::atomic(const Line& l, std::vector<Insn>& out) {
  // lock [fetch] OP[32] [dst+off], src
  const auto& ops = l.ops;
  bool fetch = !ops.empty() && ops[0] == "fetch";
  size_t i = fetch ? 1 : 0;
  if (ops.size() != i + 3) return operand_count_error("lock");
  auto [base, width] = split_width(ops[i]);
  std::optional<int32_t> imm;
  for (const auto& a : kAtomics)
    if (a.name == base) imm = a.imm;
  if (!imm) return "Invalid atomic operation '" + ops[i] + "'";
  if (fetch) *imm |= kAtomicFetch;
  auto mem = parse_mem(ops[i + 1]);
  if (!mem) return "Invalid memory operand '" + ops[i + 1] + "'";
  auto s = parse_reg(ops[i + 2]);
  if (!s) return std::string("Invalid register");
  uint8_t size = width == 32 ? kSizeW : kSizeDW;
  out.push_back(Insn::make(kClassStx | kModeAtomic | size, mem->reg, *s, mem->off, *imm));
  return std::nullopt;
}

std::optional<std::string> Encoder::encode(const Line& l, size_t pc, std::vector<Insn>& out) {
  std::string_view m = l.mnemonic;
  if (m == "exit") {
    if (!l.ops.empty()) return operand_count_error(m);
    out.push_back(Insn::make(kOpExit, 0, 0, 0, 0));
    return std::nullopt;
  }
  if (m == "call") return call(l, pc, out);
  if (m == "lock") return atomic(l, out);
  if (m == "lddw") {
    if (l.ops.size() != 2) return operand_count_error(m);
    auto d = parse_reg(l.ops[0]);
    if (!d) return std::string("Invalid register");
    auto v = parse_imm64(l.ops[1]);
    if (!v) return "Invalid immediate '" + l.ops[1] + "'";
    out.push_back(Insn::make(kOpLddw, *d, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(*v))));
    out.push_back(Insn::make(0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(*v >> 32))));
    return std::nullopt;
  }
  // Byte swaps: le16/32/64, be16/32/64 (ALU END), swap*/bswap* (ALU64 END).
  for (std::string_view prefix : {"le", "be", "bswap", "swap"}) {
    if (m.substr(0, prefix.size()) != prefix) continue;
    std::string_view w = m.substr(prefix.size());
    if (w != "16" && w != "32" && w != "64") break;
    if (l.ops.size() != 1) return operand_count_error(m);
    auto d = parse_reg(l.ops[0]);
    if (!d) return std::string("Invalid register");
    uint8_t op = prefix == "le"   ? (kClassAlu | kAluEnd | kSrcK)
                 : prefix == "be" ? (kClassAlu | kAluEnd | kSrcX)
                                  : (kClassAlu64 | kAluEnd | kSrcK);
    int32_t width = w == "16" ? 16 : w == "32" ? 32 : 64;
    out.push_back(Insn::make(op, *d, 0, 0, width));
    return std::nullopt;
  }
  if (!m.empty() && m[0] == 'j') return jump(l, pc, out);
  if (m.substr(0, 2) == "ld" || m.substr(0, 2) == "st") return memory(l, out);
  return alu(l, out);
}

}  // namespace

Result<std::vector<Insn>> assemble(std::string_view text) {
  std::vector<Line> lines;
  std::map<std::string, size_t, std::less<>> labels;
  size_t pc = 0;
  size_t number = 0;
  bool exit_seen = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++number;
    if (size_t hash = raw.find('#'); hash != std::string_view::npos) raw = raw.substr(0, hash);
    raw = trim(raw);
    if (raw.empty()) continue;
    std::vector<std::string> toks = tokenize(raw);
    if (toks.size() == 1 && toks[0].size() > 1 && toks[0].back() == ':') {
      std::string name = toks[0].substr(0, toks[0].size() - 1);
      if (!labels.emplace(name, pc).second)
        return Error("line " + std::to_string(number) + ": duplicate label '" + name + "'");
      continue;
    }
    Line l;
    l.number = number;
    l.mnemonic = toks[0];
    l.ops.assign(toks.begin() + 1, toks.end());
    if (l.mnemonic == "exit" && !exit_seen) {
      exit_seen = true;
      labels.emplace("exit", pc);
    }
    pc += l.mnemonic == "lddw" ? 2 : 1;
    lines.push_back(std::move(l));
  }
  std::vector<Insn> out;
  out.reserve(pc);
  Encoder enc(labels);
  for (const Line& l : lines) {
    if (auto err = enc.encode(l, out.size(), out))
      return Error("line " + std::to_string(l.number) + ": " + *err);
  }
  return out;
}

}  // namespace zs::ebpf
