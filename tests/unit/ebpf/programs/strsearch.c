/* Naive substring search for rodata needles; returns the first hit's index per needle. */
#include "prog.h"

static const char kNeedle1[] = "needle";
static const char kNeedle2[] = "hay";

static NOINLINE u64 find(const u8 *s, u64 len, const char *needle, u64 n) {
  if (len < n) return 0xffff;
  for (u64 i = 0; i + n <= len; i++) {
    u64 j = 0;
    while (j < n && s[i + j] == (u8)needle[j]) j++;
    if (j == n) return i;
  }
  return 0xffff;
}

ENTRY("zeroserve.request", request)(u64 data, u64 len) {
  const u8 *s = (const u8 *)data;
  return find(s, len, kNeedle1, sizeof(kNeedle1) - 1) << 16 |
         find(s, len, kNeedle2, sizeof(kNeedle2) - 1);
}
