// Implementation of block_pool.hh.
#include "io/block_pool.hh"

#include <bit>
#include <cstdlib>

#include "base/assert.hh"

namespace zs::io {
namespace {

// Size class of a request: 0 for <= 4 KiB, 1 for <= 8 KiB, ...; kClasses when too large.
size_t class_for(size_t size) {
  if (size <= BlockPool::kMinBlock) return 0;
  return static_cast<size_t>(std::bit_width((size - 1) / BlockPool::kMinBlock));
}

}  // namespace

BlockPool::~BlockPool() {
  for (auto& list : free_)
    for (char* p : list) std::free(p);
}

char* BlockPool::acquire(size_t size, size_t* capacity) {
  const size_t c = class_for(size);
  if (c >= kClasses) {
    char* p = static_cast<char*>(std::malloc(size));
    ZS_ASSERT(p != nullptr);
    *capacity = size;
    return p;
  }
  *capacity = kMinBlock << c;
  if (!free_[c].empty()) {
    char* p = free_[c].back();
    free_[c].pop_back();
    cached_ -= *capacity;
    return p;
  }
  char* p = static_cast<char*>(std::malloc(*capacity));
  ZS_ASSERT(p != nullptr);
  return p;
}

void BlockPool::release(char* block, size_t capacity) {
  if (block == nullptr) return;
  const size_t c = class_for(capacity);
  if (c >= kClasses || (kMinBlock << c) != capacity || cached_ + capacity > max_cached_) {
    std::free(block);
    return;
  }
  free_[c].push_back(block);
  cached_ += capacity;
}

}  // namespace zs::io
