/* Local (bpf-to-bpf) calls four deep, with callee-saved registers live across them; the
 * callees are not inlined and live in .text, the entry in its own section. */
#include "prog.h"

NOINLINE u64 lc_leaf(u64 a, u64 b) { return a * 31 + (b ^ 0x5bd1e995); }
NOINLINE u64 lc_mid(u64 a, u64 b, u64 c) { return lc_leaf(a, b) + lc_leaf(b, c) * 3; }
NOINLINE u64 lc_top(u64 a, u64 b, u64 c, u64 d) {
  u64 x = lc_mid(a, b, c), y = lc_mid(b, c, d), z = lc_mid(c, d, a);
  return x ^ (y << 1) ^ (z >> 1);
}

ENTRY("zeroserve.request", request)(u64 data, u64 len) {
  const u8 *s = (const u8 *)data;
  u64 acc = len;
  for (u64 i = 0; i + 3 < len; i += 4) acc = lc_top(acc, s[i], s[i + 1], s[i + 2] + s[i + 3]);
  return acc;
}
