/* A const table of string pointers (relocations inside .rodata) searched by the input. */
#include "prog.h"

static const char *const kWords[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta"};

static NOINLINE u64 word_len(const char *w) {
  u64 n = 0;
  while (w[n]) n++;
  return n;
}

ENTRY("zeroserve.request", request)(u64 data, u64 len) {
  const u8 *s = (const u8 *)data;
  u64 result = 0;
  for (u64 k = 0; k < sizeof(kWords) / sizeof(kWords[0]); k++) {
    const char *w = kWords[k];
    u64 n = word_len(w), hit = 0;
    for (u64 i = 0; i + n <= len && !hit; i++) {
      u64 j = 0;
      while (j < n && s[i + j] == (u8)w[j]) j++;
      hit = j == n;
    }
    result = result * 10 + (hit ? n : 0);
  }
  return result;
}
