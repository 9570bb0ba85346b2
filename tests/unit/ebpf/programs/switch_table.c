/* A dense switch over byte classes plus a rodata lookup table. */
#include "prog.h"

static const u8 kWeights[16] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3};

static NOINLINE u64 classify(u8 c) {
  switch (c) {
    case 'a': return 11;
    case 'e': return 13;
    case 'i': return 17;
    case 'o': return 19;
    case 'u': return 23;
    case ' ': return 2;
    case '.': return 29;
    case ',': return 31;
    case '\n': return 37;
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': return 41 + (c - '0');
    default: return kWeights[c & 15];
  }
}

ENTRY("zeroserve.request", request)(u64 data, u64 len) {
  const u8 *s = (const u8 *)data;
  u64 h = 0;
  for (u64 i = 0; i < len; i++) h = h * 131 + classify(s[i]);
  return h;
}
