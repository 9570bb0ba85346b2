// A provided-buffer ring (IORING_REGISTER_PBUF_RING): receives pick a buffer only when data
// arrives, so idle connections hold no receive memory. The caller copies what it needs out of the
// buffer and recycles it at once. Memory is reserved up front but only touched pages count.
// Single-threaded: owned by one event loop.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <memory>

#include "base/result.hh"

namespace zs::io {

class BufferRing {
 public:
  // `count` must be a power of two <= 32768. Registers buffer group `group_id` on `ring`.
  static Result<std::unique_ptr<BufferRing>> create(io_uring* ring, uint16_t group_id, uint32_t count,
                                                    uint32_t buffer_size);
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  uint16_t group_id() const { return group_id_; }
  uint32_t buffer_size() const { return buffer_size_; }
  char* buffer(uint16_t id) const { return data_ + static_cast<size_t>(id) * buffer_size_; }

  // Hands buffer `id` back to the kernel.
  void recycle(uint16_t id);

 private:
  BufferRing() = default;

  io_uring* ring_ = nullptr;
  io_uring_buf_ring* br_ = nullptr;
  size_t ring_bytes_ = 0;
  char* data_ = nullptr;
  size_t data_bytes_ = 0;
  uint32_t count_ = 0;
  uint32_t buffer_size_ = 0;
  uint16_t group_id_ = 0;
};

}  // namespace zs::io
