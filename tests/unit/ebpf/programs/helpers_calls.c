/* Calls host helpers bound by name, with five arguments and a guest pointer argument. */
#include "prog.h"

ENTRY("zeroserve.request", request)(u64 data, u64 len) {
  u64 a = host_add(len, 40);
  u64 b = host_mix(a, len, 3, 4, 5);
  u64 c = host_sum_bytes(data, len);
  u8 local[16];
  for (int i = 0; i < 16; i++) local[i] = (u8)(i * 7 + a);
  u64 d = host_sum_bytes((u64)local, sizeof local);
  return a ^ (b << 8) ^ (c << 16) ^ (d << 32);
}
