// Implementation of buffer_ring.hh (liburing 2.3: the ring memory is mapped by us and registered).
#include "io/buffer_ring.hh"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace zs::io {

Result<std::unique_ptr<BufferRing>> BufferRing::create(io_uring* ring, uint16_t group_id, uint32_t count,
                                                       uint32_t buffer_size) {
  if (count == 0 || (count & (count - 1)) != 0 || count > 32768)
    return Error("buffer ring size must be a power of two <= 32768");
  std::unique_ptr<BufferRing> self(new BufferRing());
  self->ring_ = ring;
  self->count_ = count;
  self->buffer_size_ = buffer_size;
  self->group_id_ = group_id;
  self->ring_bytes_ = sizeof(io_uring_buf) * count;
  void* r = mmap(nullptr, self->ring_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (r == MAP_FAILED) return Error(std::string("mmap buffer ring: ") + strerror(errno));
  self->br_ = static_cast<io_uring_buf_ring*>(r);
  self->data_bytes_ = static_cast<size_t>(count) * buffer_size;
  void* d = mmap(nullptr, self->data_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (d == MAP_FAILED) return Error(std::string("mmap receive buffers: ") + strerror(errno));
  self->data_ = static_cast<char*>(d);

  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(self->br_);
  reg.ring_entries = count;
  reg.bgid = group_id;
  int rc = io_uring_register_buf_ring(ring, &reg, 0);
  if (rc < 0) return Error(std::string("io_uring_register_buf_ring: ") + strerror(-rc));
  io_uring_buf_ring_init(self->br_);
  const int mask = io_uring_buf_ring_mask(count);
  for (uint32_t i = 0; i < count; ++i)
    io_uring_buf_ring_add(self->br_, self->buffer(static_cast<uint16_t>(i)), buffer_size,
                          static_cast<uint16_t>(i), mask, static_cast<int>(i));
  io_uring_buf_ring_advance(self->br_, static_cast<int>(count));
  return self;
}

BufferRing::~BufferRing() {
  if (br_ != nullptr) {
    io_uring_unregister_buf_ring(ring_, group_id_);
    munmap(br_, ring_bytes_);
  }
  if (data_ != nullptr) munmap(data_, data_bytes_);
}

void BufferRing::recycle(uint16_t id) {
  io_uring_buf_ring_add(br_, buffer(id), buffer_size_, id, io_uring_buf_ring_mask(count_), 0);
  io_uring_buf_ring_advance(br_, 1);
}

}  // namespace zs::io
