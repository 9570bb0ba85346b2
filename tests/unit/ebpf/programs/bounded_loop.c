/* Bounded nested loops: Collatz step counts (capped) for a range derived from the input. */
#include "prog.h"

ENTRY("zeroserve.request", request)(u64 data, u64 len) {
  const u8 *s = (const u8 *)data;
  u64 seed = len ? s[0] : 7;
  u64 total = 0;
  for (u64 n = 1; n < 300 + seed; n++) {
    u64 x = n, steps = 0;
    while (x != 1 && steps < 500) {
      x = (x & 1) ? 3 * x + 1 : x >> 1;
      steps++;
    }
    total += steps * (n % 7 + 1);
  }
  return total;
}
