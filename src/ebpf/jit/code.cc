// Compilation driver: pass 1 measures (x86::Assembler::measure_only), then the exact size is
// mapped RW, pass 2 writes into it, and the mapping is flipped to RX. The two passes emit the
// same instruction sequence, so every label and offset of pass 1 holds in pass 2.
#include "ebpf/jit/code.hh"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ebpf/jit/translator.hh"
#include "ebpf/program.hh"

namespace zs::ebpf::jit {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kMaxCodeSize = size_t{256} << 20;

}  // namespace

Result<std::unique_ptr<Code>> Code::compile(const Program& program, const CompileOptions& options,
                                            const Hooks& hooks) {
  auto measure = x86::Assembler::measure_only();
  auto sized = translate(measure, program, options, hooks);
  if (!sized) return sized.error();
  const size_t size = measure.offset();
  if (size > kMaxCodeSize) return Error("generated code of " + std::to_string(size) + " bytes is too large");

  std::unique_ptr<Code> c(new Code());
  c->mapping_size_ = (size + kPage - 1) / kPage * kPage;
  void* m = mmap(nullptr, c->mapping_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return Error(std::string("mapping code: ") + std::strerror(errno));
  c->mapping_ = static_cast<uint8_t*>(m);
  x86::Assembler as(std::span<uint8_t>(c->mapping_, size));
  auto t = translate(as, program, options, hooks);
  if (!t) return t.error();
  if (as.offset() != size) return Error("code size changed between passes");
  if (auto r = as.link_external(reinterpret_cast<uint64_t>(c->mapping_)); !r) return r.error();
  // Fill the tail of the last page with int3 so stray jumps there trap.
  std::memset(c->mapping_ + size, 0xcc, c->mapping_size_ - size);
  if (mprotect(c->mapping_, c->mapping_size_, PROT_READ | PROT_EXEC) != 0)
    return Error(std::string("sealing code: ") + std::strerror(errno));
  c->code_size_ = size;
  c->trampoline_offset_ = t->trampoline_offset;
  c->insn_offsets_ = std::move(t->insn_offsets);
  return c;
}

Code::~Code() {
  if (mapping_) munmap(mapping_, mapping_size_);
}

uint32_t Code::pc_at(uint64_t rip) const {
  const uint64_t off = rip - base();
  // Slots 0..n-1 start at insn_offsets_[pc]; the last entry is the end of guest code.
  auto first = insn_offsets_.begin();
  auto last = insn_offsets_.end() - 1;
  auto it = std::upper_bound(first, last, off);
  if (it == first) return 0;
  return static_cast<uint32_t>(it - first - 1);
}

}  // namespace zs::ebpf::jit
