// ELF parsing in four steps: (1) header and section table, all bounds-checked; (2) layout: code
// sections concatenated in section order, data sections (.rodata*, .data*) packed into one
// image that every cage maps read-only (so initialized globals are readable, never writable);
// (3) relocations: R_BPF_64_64 on LDDW -> guest address in the data image, R_BPF_64_32 on CALL ->
// helper id (symbol is a helper name) or pc-relative local call (symbol in a code section,
// target = S + (imm + 1) * 8, research doc §2b), R_BPF_64_ABS64/ABS32 inside data sections ->
// guest addresses; (4) Program::create verifies the result.
#include "ebpf/elf_loader.hh"

#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zs::ebpf {
namespace {

constexpr uint16_t kEtRel = 1;
constexpr uint16_t kEmBpf = 247;
constexpr uint32_t kShtProgbits = 1, kShtSymtab = 2, kShtRela = 4, kShtNobits = 8, kShtRel = 9;
constexpr uint64_t kShfAlloc = 2, kShfExec = 4;
constexpr uint32_t kRNone = 0, kR64_64 = 1, kRAbs64 = 2, kRAbs32 = 3, kR64_32 = 10;
constexpr uint16_t kShnUndef = 0;
constexpr size_t kMaxSections = 4096;

struct Section {
  std::string name;
  uint32_t name_off = 0;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t link = 0;
  uint32_t info = 0;
  uint64_t align = 0;
  uint64_t entsize = 0;
  // Layout results.
  bool code = false;
  uint32_t base_pc = 0;
  std::optional<uint64_t> data_offset;  // offset in the read-only image
};

struct Symbol {
  std::string name;
  uint8_t type = 0;
  uint16_t shndx = 0;
  uint64_t value = 0;
};

class Loader {
 public:
  Loader(std::span<const uint8_t> bytes, const HelperTable& helpers)
      : bytes_(bytes), helpers_(helpers) {}

  Result<ProgramImage> load(const Limits& limits);

 private:
  template <typename T>
  bool read(uint64_t off, T& out) const {
    if (off > bytes_.size() || bytes_.size() - off < sizeof(T)) return false;
    std::memcpy(&out, bytes_.data() + off, sizeof(T));
    return true;
  }
  bool in_file(uint64_t off, uint64_t size) const {
    return off <= bytes_.size() && size <= bytes_.size() - off;
  }
  std::optional<std::string> string_at(const Section& tab, uint64_t off) const;

  Result<void> parse_sections();
  Result<void> parse_symbols();
  Result<void> layout(const Limits& limits);
  Result<void> relocate();
  // One Elf64_Rel entry of `rel`, with the "section X offset N" prefix its errors carry.
  struct Relocation {
    uint64_t offset;
    uint32_t type;
    uint64_t symbol;
    std::string where;
  };
  Result<Relocation> read_relocation(const Section& rel, uint64_t index, const std::string& where_base) const;
  Result<void> relocate_code(const Section& rel, Section& target);
  Result<void> relocate_data(const Section& rel, Section& target);
  Result<uint64_t> data_address(const Symbol& sym, uint64_t addend, const std::string& where) const;

  std::span<const uint8_t> bytes_;
  const HelperTable& helpers_;
  std::vector<Section> sections_;
  std::vector<Symbol> symbols_;
  uint32_t symtab_index_ = 0;
  ProgramImage image_;
  std::vector<bool> call_bound_;  // per slot: a relocation bound this CALL
};

std::optional<std::string> Loader::string_at(const Section& tab, uint64_t off) const {
  if (off >= tab.size || !in_file(tab.offset, tab.size)) return std::nullopt;
  const char* start = reinterpret_cast<const char*>(bytes_.data() + tab.offset + off);
  const void* nul = std::memchr(start, 0, tab.size - off);
  if (!nul) return std::nullopt;
  return std::string(start, static_cast<const char*>(nul));
}

Result<void> Loader::parse_sections() {
  uint8_t ident[16];
  if (!read(0, ident) || std::memcmp(ident, "\x7f" "ELF", 4) != 0) return Error("not an ELF file");
  if (ident[4] != 2) return Error("not a 64-bit ELF file");
  if (ident[5] != 1) return Error("not a little-endian ELF file");
  if (ident[6] != 1) return Error("unsupported ELF version");
  uint16_t type, machine, shentsize, shnum, shstrndx;
  uint64_t shoff;
  if (!read(16, type) || !read(18, machine) || !read(40, shoff) || !read(58, shentsize) ||
      !read(60, shnum) || !read(62, shstrndx))
    return Error("truncated ELF header");
  if (type != kEtRel) return Error("not a relocatable object (ET_REL); compile with -c");
  if (machine != kEmBpf) return Error("not a BPF object (e_machine " + std::to_string(machine) + ")");
  if (shentsize != 64) return Error("unexpected section header size");
  if (shnum == 0 || shnum > kMaxSections || !in_file(shoff, uint64_t{shnum} * 64))
    return Error("section header table out of bounds");
  if (shstrndx >= shnum) return Error("bad section name table index");
  sections_.resize(shnum);
  for (uint16_t i = 0; i < shnum; ++i) {
    Section& s = sections_[i];
    const uint64_t h = shoff + uint64_t{i} * 64;
    (void)(read(h, s.name_off) && read(h + 4, s.type) && read(h + 8, s.flags) &&
           read(h + 24, s.offset) && read(h + 32, s.size) && read(h + 40, s.link) &&
           read(h + 44, s.info) && read(h + 48, s.align) && read(h + 56, s.entsize));
    if (s.type != kShtNobits && s.type != 0 && !in_file(s.offset, s.size))
      return Error("section " + std::to_string(i) + " lies outside the file");
  }
  const Section& names = sections_[shstrndx];
  for (uint16_t i = 0; i < shnum; ++i) {
    auto n = string_at(names, sections_[i].name_off);
    if (!n) return Error("section " + std::to_string(i) + " has a bad name offset");
    sections_[i].name = *n;
  }
  return {};
}

Result<void> Loader::parse_symbols() {
  for (uint32_t i = 0; i < sections_.size(); ++i) {
    if (sections_[i].type != kShtSymtab) continue;
    if (symtab_index_ != 0) return Error("more than one symbol table");
    symtab_index_ = i;
  }
  if (symtab_index_ == 0) return {};  // no symbols: only relocation-free programs load
  const Section& st = sections_[symtab_index_];
  if (st.link >= sections_.size()) return Error("symbol table has a bad string table link");
  const Section& strtab = sections_[st.link];
  const uint64_t count = st.size / 24;
  symbols_.resize(count);
  for (uint64_t k = 0; k < count; ++k) {
    const uint64_t e = st.offset + k * 24;
    uint32_t name_off;
    uint8_t info;
    Symbol& sym = symbols_[k];
    if (!read(e, name_off) || !read(e + 4, info) || !read(e + 6, sym.shndx) || !read(e + 8, sym.value))
      return Error("truncated symbol table");
    sym.type = info & 0xf;
    auto n = name_off == 0 ? std::optional<std::string>("") : string_at(strtab, name_off);
    if (!n) return Error("symbol " + std::to_string(k) + " has a bad name offset");
    sym.name = *n;
    if (sym.name.empty() && sym.shndx < sections_.size() && sym.shndx != kShnUndef)
      sym.name = sections_[sym.shndx].name;  // section symbols are named after their section
  }
  return {};
}

Result<void> Loader::layout(const Limits& limits) {
  uint64_t pcs = 0;
  std::vector<uint8_t> rodata;
  for (Section& s : sections_) {
    if (s.type != kShtProgbits || !(s.flags & kShfAlloc)) continue;
    if (s.flags & kShfExec) {
      if (s.size == 0) continue;
      if (s.size % kInsnSize != 0)
        return Error("section " + s.name + ": code size is not a multiple of 8");
      s.code = true;
      s.base_pc = static_cast<uint32_t>(pcs);
      pcs += s.size / kInsnSize;
      if (pcs > limits.max_insns)
        return Error("program has more than " + std::to_string(limits.max_insns) + " instructions");
      image_.entries.push_back(EntryPoint{s.name, s.base_pc});
    } else {
      // .rodata* and .data*: both become part of the read-only image. Writing to .data faults at
      // run time (as in the reference server); .bss (NOBITS) is refused when referenced.
      const uint64_t align = s.align == 0 ? 1 : s.align;
      if ((align & (align - 1)) != 0 || align > 4096) return Error("section " + s.name + ": bad alignment");
      const uint64_t off = (rodata.size() + align - 1) / align * align;
      if (off + s.size > (uint64_t{256} << 20)) return Error("read-only data too large");
      rodata.resize(off + s.size);
      if (s.size != 0) std::memcpy(rodata.data() + off, bytes_.data() + s.offset, s.size);
      s.data_offset = off;
    }
  }
  if (pcs == 0) return Error("no executable sections");
  image_.insns.resize(pcs);
  call_bound_.assign(pcs, false);
  for (const Section& s : sections_) {
    if (!s.code) continue;
    for (uint64_t k = 0; k < s.size / kInsnSize; ++k)
      image_.insns[s.base_pc + k] = insn_at(bytes_.subspan(s.offset, s.size), k);
  }
  image_.rodata = std::move(rodata);
  auto addr = Program::choose_rodata_addr(limits, image_.rodata.size());
  if (!addr) return addr.error();
  image_.rodata_addr = *addr;
  return {};
}

Result<uint64_t> Loader::data_address(const Symbol& sym, uint64_t addend,
                                      const std::string& where) const {
  const std::string what = sym.name.empty() ? std::string("symbol") : "'" + sym.name + "'";
  if (sym.shndx == kShnUndef || sym.shndx >= sections_.size())
    return Error(where + ": reference to undefined " + what);
  const Section& s = sections_[sym.shndx];
  if (s.type == kShtNobits)
    return Error(where + ": " + what + " lives in " + s.name +
                 ": zero-initialized writable globals are not supported (scripts have no writable "
                 "globals; keep state on the stack or declare the data const)");
  if (s.code) return Error(where + ": " + what + " is code; function pointers are not supported");
  if (!s.data_offset) return Error(where + ": " + what + " is not in a loadable data section");
  const uint64_t off = sym.value + addend;
  if (off < sym.value || off > s.size) return Error(where + ": " + what + " + offset is outside " + s.name);
  return image_.rodata_addr + *s.data_offset + off;
}

Result<Loader::Relocation> Loader::read_relocation(const Section& rel, uint64_t index,
                                                   const std::string& where_base) const {
  uint64_t r_offset, r_info;
  if (!read(rel.offset + index * 16, r_offset) || !read(rel.offset + index * 16 + 8, r_info))
    return Error(where_base + ": truncated relocation");
  return Relocation{r_offset, static_cast<uint32_t>(r_info), r_info >> 32,
                    where_base + " offset " + std::to_string(r_offset)};
}

Result<void> Loader::relocate_code(const Section& rel, Section& target) {
  const std::string where_base = "section " + target.name;
  for (uint64_t k = 0; k < rel.size / 16; ++k) {
    auto entry = read_relocation(rel, k, where_base);
    if (!entry) return entry.error();
    const auto [r_offset, type, symi, where] = std::move(entry).value();
    if (type == kRNone) continue;
    if (r_offset % kInsnSize != 0 || r_offset >= target.size)
      return Error(where + ": relocation outside the code");
    if (symi >= symbols_.size()) return Error(where + ": bad symbol index");
    const Symbol& sym = symbols_[symi];
    const uint32_t pc = target.base_pc + static_cast<uint32_t>(r_offset / kInsnSize);
    Insn& insn = image_.insns[pc];
    if (type == kR64_64) {
      if (insn.opcode != kOpLddw || pc + 1 >= image_.insns.size())
        return Error(where + ": R_BPF_64_64 not on an lddw");
      const uint64_t addend = lddw_imm(insn, image_.insns[pc + 1]);
      auto addr = data_address(sym, addend, where);
      if (!addr) return addr.error();
      insn.imm = static_cast<int32_t>(static_cast<uint32_t>(*addr));
      image_.insns[pc + 1].imm = static_cast<int32_t>(static_cast<uint32_t>(*addr >> 32));
      insn.set_src(0);
    } else if (type == kR64_32) {
      if (insn.opcode != kOpCall) return Error(where + ": R_BPF_64_32 not on a call");
      const bool local = sym.shndx != kShnUndef && sym.shndx < sections_.size() && sections_[sym.shndx].code;
      if (!local) {
        // clang marks every symbol call src=1; the symbol decides (research doc §2b).
        auto id = helpers_.find(sym.name);
        if (!id) return Error(where + ": call to unknown helper '" + sym.name + "'");
        insn.set_src(kCallHelper);
        insn.imm = static_cast<int32_t>(*id);
      } else {
        const Section& callee = sections_[sym.shndx];
        const int64_t byte = static_cast<int64_t>(sym.value) + (int64_t{insn.imm} + 1) * 8;
        if (byte < 0 || static_cast<uint64_t>(byte) >= callee.size || byte % 8 != 0)
          return Error(where + ": call target outside " + callee.name);
        const int64_t tpc = callee.base_pc + byte / 8;
        insn.set_src(kCallLocal);
        insn.imm = static_cast<int32_t>(tpc - (int64_t{pc} + 1));
      }
      call_bound_[pc] = true;
    } else {
      return Error(where + ": unsupported relocation type " + std::to_string(type));
    }
  }
  return {};
}

Result<void> Loader::relocate_data(const Section& rel, Section& target) {
  const std::string where_base = "section " + target.name;
  for (uint64_t k = 0; k < rel.size / 16; ++k) {
    auto entry = read_relocation(rel, k, where_base);
    if (!entry) return entry.error();
    const auto [r_offset, type, symi, where] = std::move(entry).value();
    if (type == kRNone) continue;
    const unsigned width = type == kRAbs64 ? 8 : type == kRAbs32 ? 4 : 0;
    if (width == 0) return Error(where + ": unsupported data relocation type " + std::to_string(type));
    if (r_offset > target.size || target.size - r_offset < width)
      return Error(where + ": relocation outside the section");
    if (symi >= symbols_.size()) return Error(where + ": bad symbol index");
    uint8_t* at = image_.rodata.data() + *target.data_offset + r_offset;
    uint64_t addend = 0;
    std::memcpy(&addend, at, width);
    auto addr = data_address(symbols_[symi], addend, where);
    if (!addr) return addr.error();
    std::memcpy(at, &*addr, width);
  }
  return {};
}

Result<void> Loader::relocate() {
  for (const Section& rel : sections_) {
    if (rel.type != kShtRel && rel.type != kShtRela) continue;
    if (rel.info >= sections_.size()) return Error("relocation section " + rel.name + ": bad target");
    Section& target = sections_[rel.info];
    const bool relevant = target.code || target.data_offset.has_value();
    if (!relevant) continue;  // .BTF, .BTF.ext, debug info
    if (rel.type == kShtRela) return Error("relocation section " + rel.name + ": RELA is not supported");
    if (rel.link != symtab_index_ || symtab_index_ == 0)
      return Error("relocation section " + rel.name + ": bad symbol table link");
    auto r = target.code ? relocate_code(rel, target) : relocate_data(rel, target);
    if (!r) return r.error();
  }
  // A helper call without a relocation would bind by number: refuse (helpers bind by name).
  for (size_t pc = 0; pc < image_.insns.size(); ++pc) {
    const Insn& i = image_.insns[pc];
    if (i.opcode == kOpCall && i.src() == kCallHelper && !call_bound_[pc])
      return Error("insn " + std::to_string(pc) +
                   ": helper call by number; declare helpers as extern functions");
  }
  return {};
}

Result<ProgramImage> Loader::load(const Limits& limits) {
  if (auto r = parse_sections(); !r) return r.error();
  if (auto r = parse_symbols(); !r) return r.error();
  image_.entries.clear();
  if (auto r = layout(limits); !r) return r.error();
  if (auto r = relocate(); !r) return r.error();
  return std::move(image_);
}

}  // namespace

Result<std::shared_ptr<const Program>> load_elf(std::span<const uint8_t> bytes,
                                                std::shared_ptr<const HelperTable> helpers,
                                                const Limits& limits) {
  if (!helpers) helpers = std::make_shared<HelperTable>();
  if (auto v = limits.validate(); !v) return v.error();
  Loader loader(bytes, *helpers);
  auto image = loader.load(limits);
  if (!image) return image.error().wrap("elf");
  auto prog = Program::create(std::move(*image), std::move(helpers), limits);
  if (!prog) return prog.error().wrap("verifier");
  return prog;
}

}  // namespace zs::ebpf
