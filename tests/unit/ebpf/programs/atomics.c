/* Atomic read-modify-write on stack words (BPF v3 atomics: add, fetch-add, xchg, cmpxchg,
 * fetch-or/and/xor). */
#include "prog.h"

ENTRY("zeroserve.request", request)(u64 data, u64 len) {
  const u8 *s = (const u8 *)data;
  volatile u64 counter = 0;
  volatile u32 flags = 0;
  u64 olds = 0;
  for (u64 i = 0; i < len; i++) {
    olds += __sync_fetch_and_add(&counter, s[i]);
    olds ^= __sync_fetch_and_or(&flags, 1u << (s[i] & 31));
    olds += __sync_fetch_and_xor(&flags, s[i]);
    olds += __sync_fetch_and_and(&counter, ~(u64)i);
  }
  u64 prev = __sync_lock_test_and_set(&counter, 77);
  u64 swapped = __sync_val_compare_and_swap(&counter, 77, 99);
  return olds ^ (prev << 20) ^ (swapped << 40) ^ counter ^ ((u64)flags << 8);
}
