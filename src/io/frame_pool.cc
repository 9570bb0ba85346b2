// Implementation of frame_pool.hh: thread-local singly linked free lists, one per size class.
#include "io/frame_pool.hh"

#include <new>

namespace zs::io {
namespace {

constexpr size_t kClassBytes = 256;
constexpr size_t kClasses = 64;          // up to 16 KiB
constexpr size_t kMaxCachedPerClass = 4096;

struct FreeNode {
  FreeNode* next;
};

struct Pool {
  FreeNode* heads[kClasses] = {};
  size_t counts[kClasses] = {};
  ~Pool() {
    for (auto*& head : heads) {
      while (head != nullptr) {
        FreeNode* n = head->next;
        ::operator delete(head);
        head = n;
      }
    }
  }
};

thread_local Pool pool;

size_t class_of(size_t size) { return (size + kClassBytes - 1) / kClassBytes - 1; }

}  // namespace

void* frame_alloc(size_t size) {
#ifdef ZS_SANITIZE
  return ::operator new(size);  // let AddressSanitizer see every frame's lifetime
#endif
  const size_t c = class_of(size);
  if (c >= kClasses) return ::operator new(size);
  if (FreeNode* n = pool.heads[c]) {
    pool.heads[c] = n->next;
    --pool.counts[c];
    return n;
  }
  return ::operator new((c + 1) * kClassBytes);
}

void frame_free(void* p, size_t size) noexcept {
#ifdef ZS_SANITIZE
  (void)size;
  ::operator delete(p);
  return;
#endif
  const size_t c = class_of(size);
  if (c >= kClasses || pool.counts[c] >= kMaxCachedPerClass) {
    ::operator delete(p);
    return;
  }
  auto* n = static_cast<FreeNode*>(p);
  n->next = pool.heads[c];
  pool.heads[c] = n;
  ++pool.counts[c];
}

}  // namespace zs::io
