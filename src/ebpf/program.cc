// Program creation = limits check + verification + freezing the image. The rodata placement
// rule lives here because both the ELF loader (which bakes addresses into LDDW) and every Cage
// (which maps the image there) must agree on it.
#include "ebpf/program.hh"

#include <random>

#include "ebpf/cage.hh"

namespace zs::ebpf {
namespace {

size_t round_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

// Highest address the stack+scratch part of any cage built with `limits` can reach.
uint64_t lower_layout_end(const Limits& limits) {
  return uint64_t{3} * kMaxGuardPages * kPageSize + round_up(limits.stack_size, kPageSize) +
         round_up(limits.scratch_size, kPageSize);
}

}  // namespace

Result<uint32_t> Program::choose_rodata_addr(const Limits& limits, size_t size) {
  if (auto v = limits.validate(); !v) return v.error();
  std::random_device rd;
  uint64_t addr = round_up(lower_layout_end(limits), 1 << 20) +
                  uint64_t{std::uniform_int_distribution<uint32_t>(0, 255)(rd)} * kPageSize;
  if (addr + round_up(size, kPageSize) + kMinGuardPages * kPageSize > limits.cage_size)
    return Error("read-only data of " + std::to_string(size) + " bytes does not fit a cage of " +
                 std::to_string(limits.cage_size) + " bytes");
  return static_cast<uint32_t>(addr);
}

Result<std::shared_ptr<const Program>> Program::create(ProgramImage image,
                                                       std::shared_ptr<const HelperTable> helpers,
                                                       const Limits& limits) {
  if (auto v = limits.validate(); !v) return v.error();
  if (!helpers) helpers = std::make_shared<HelperTable>();
  if (image.rodata_addr == 0 || image.rodata_addr < lower_layout_end(limits)) {
    if (image.rodata_addr != 0 && !image.rodata.empty())
      return Error("read-only data address overlaps the stack/scratch layout");
    auto a = choose_rodata_addr(limits, image.rodata.size());
    if (!a) return a.error();
    image.rodata_addr = *a;
  } else if (image.rodata_addr + round_up(image.rodata.size(), kPageSize) > limits.cage_size) {
    return Error("read-only data does not fit in the cage");
  }
  std::vector<uint32_t> entry_pcs;
  for (const auto& e : image.entries) entry_pcs.push_back(e.pc);
  const HelperTable& table = *helpers;
  auto info = verify(image.insns, entry_pcs, limits,
                     [&table](uint32_t id) { return table.fn(id) != nullptr; });
  if (!info) return info.error();
  std::shared_ptr<Program> p(new Program());
  p->image_ = std::move(image);
  p->helpers_ = std::move(helpers);
  p->limits_ = limits;
  p->info_ = std::move(*info);
  return std::shared_ptr<const Program>(std::move(p));
}

std::optional<uint32_t> Program::find_entry(std::string_view name) const {
  for (const auto& e : image_.entries)
    if (e.name == name) return e.pc;
  return std::nullopt;
}

}  // namespace zs::ebpf
