/* Insertion sort of up to 32 input bytes (as u32) on the stack, then a position-weighted sum. */
#include "prog.h"

ENTRY("zeroserve.request", request)(u64 data, u64 len) {
  const u8 *s = (const u8 *)data;
  u32 v[32];
  u64 n = len < 32 ? len : 32;
  for (u64 i = 0; i < n; i++) v[i] = s[i] * 2654435761u;
  for (u64 i = 1; i < n; i++) {
    u32 x = v[i];
    u64 j = i;
    while (j > 0 && v[j - 1] > x) {
      v[j] = v[j - 1];
      j--;
    }
    v[j] = x;
  }
  u64 sum = 0;
  for (u64 i = 0; i < n; i++) sum += (u64)v[i] * (i + 1);
  return sum;
}
