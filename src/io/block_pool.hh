// BlockPool: a per-thread cache of heap blocks in power-of-two size classes (4 KiB .. 4 MiB),
// so connection buffers that grow to a response's size and are given back when the connection
// goes idle do not round-trip through malloc/mmap (and fault in fresh zeroed pages) on every
// request. The cache is bounded in bytes; blocks beyond it, or larger than the largest class, go
// straight back to the allocator. Single-threaded: one pool per event loop.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

namespace zs::io {

class BlockPool {
 public:
  static constexpr size_t kMinBlock = 4096;
  static constexpr size_t kClasses = 11;  // 4 KiB << 10 = 4 MiB

  explicit BlockPool(size_t max_cached_bytes = 16u << 20) : max_cached_(max_cached_bytes) {}
  ~BlockPool();
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;

  // A block of at least `size` bytes; `*capacity` receives its real size. Never null.
  char* acquire(size_t size, size_t* capacity);
  // Returns a block obtained from acquire() with its capacity.
  void release(char* block, size_t capacity);

  size_t cached_bytes() const { return cached_; }

 private:
  std::array<std::vector<char*>, kClasses> free_;
  size_t cached_ = 0;
  size_t max_cached_;
};

}  // namespace zs::io
