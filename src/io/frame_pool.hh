// Recycles coroutine frames per thread, so starting a Task on the request path costs a free-list
// pop instead of malloc. Frames are grouped in 256-byte size classes up to 16 KiB; larger ones
// go straight to the global allocator. A frame freed on another thread than the one that made it
// simply joins that thread's pool (all frames come from operator new). Sanitizer builds bypass
// the pool so AddressSanitizer tracks every frame.
#pragma once

#include <cstddef>

namespace zs::io {

void* frame_alloc(size_t size);
void frame_free(void* p, size_t size) noexcept;

// Mixed into promise types.
struct PooledFrame {
  static void* operator new(size_t size) { return frame_alloc(size); }
  static void operator delete(void* p, size_t size) noexcept { frame_free(p, size); }
};

}  // namespace zs::io
