// Cage construction: one PROT_NONE reservation [control page][window][tail guard], then the
// regions are opened one by one. Guard sizes are random per cage (16..127 pages) so guest code
// cannot rely on where its stack or scratch sit relative to each other; the data image's address
// is fixed per Program (its relocations are compiled into the code).
#include "ebpf/cage.hh"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>

#include "ebpf/program.hh"

namespace zs::ebpf {
namespace {

size_t round_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

Error sys_error(const char* what) {
  return Error(std::string("cage: ") + what + ": " + std::strerror(errno));
}

}  // namespace

Result<std::unique_ptr<Cage>> Cage::create(const Program& program, bool randomize) {
  const Limits& lim = program.limits();
  std::unique_ptr<Cage> c(new Cage());
  c->size_ = lim.cage_size;
  c->mapping_size_ = kControlBlockOffset + lim.cage_size + kTailGuardSize;
  void* m = mmap(nullptr, c->mapping_size_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (m == MAP_FAILED) return sys_error("reserving the window");
  c->mapping_ = static_cast<uint8_t*>(m);
  c->base_ = c->mapping_ + kControlBlockOffset;
  if (mprotect(c->mapping_, kPageSize, PROT_READ | PROT_WRITE) != 0)
    return sys_error("opening the control page");
  new (c->control()) ControlBlock();

  std::random_device rd;
  std::uniform_int_distribution<uint32_t> pick(kMinGuardPages, kMaxGuardPages);
  auto guard = [&](std::random_device& r) { return randomize ? pick(r) : kMinGuardPages; };
  uint64_t at = uint64_t{guard(rd)} * kPageSize;
  c->stack_ = {static_cast<uint32_t>(at), static_cast<uint32_t>(round_up(lim.stack_size, kPageSize))};
  at += c->stack_.size + uint64_t{guard(rd)} * kPageSize;
  c->scratch_ = {static_cast<uint32_t>(at),
                 static_cast<uint32_t>(round_up(lim.scratch_size, kPageSize))};
  for (const GuestRegion* r : {&c->stack_, &c->scratch_}) {
    if (mprotect(c->base_ + r->addr, r->size, PROT_READ | PROT_WRITE) != 0)
      return sys_error("opening the stack/scratch regions");
  }
  auto ro = program.rodata();
  if (!ro.empty()) {
    c->rodata_ = {program.rodata_addr(), static_cast<uint32_t>(round_up(ro.size(), kPageSize))};
    uint8_t* p = c->base_ + c->rodata_.addr;
    if (mprotect(p, c->rodata_.size, PROT_READ | PROT_WRITE) != 0)
      return sys_error("opening the data region");
    std::memcpy(p, ro.data(), ro.size());
    if (mprotect(p, c->rodata_.size, PROT_READ) != 0) return sys_error("sealing the data region");
  }
  return c;
}

Cage::~Cage() {
  if (mapping_) munmap(mapping_, mapping_size_);
}

std::optional<std::span<const uint8_t>> Cage::readable(uint64_t addr, uint64_t len) const {
  if (len == 0) return std::span<const uint8_t>();
  if (stack_.contains(addr, len) || scratch_.contains(addr, len) || rodata_.contains(addr, len))
    return std::span<const uint8_t>(base_ + (addr & mask()), len);
  return std::nullopt;
}

std::optional<std::span<uint8_t>> Cage::writable(uint64_t addr, uint64_t len) const {
  if (len == 0) return std::span<uint8_t>();
  if (stack_.contains(addr, len) || scratch_.contains(addr, len))
    return std::span<uint8_t>(base_ + (addr & mask()), len);
  return std::nullopt;
}

}  // namespace zs::ebpf
