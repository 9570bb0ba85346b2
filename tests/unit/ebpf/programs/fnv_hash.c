/* FNV-1a 64 over the input, then a byte swap so BE/bswap code paths are exercised. */
#include "prog.h"

ENTRY("zeroserve.request", request)(u64 data, u64 len) {
  const u8 *s = (const u8 *)data;
  u64 h = 0xcbf29ce484222325ull;
  for (u64 i = 0; i < len; i++) h = (h ^ s[i]) * 0x100000001b3ull;
  return __builtin_bswap64(h) ^ __builtin_bswap32((u32)h);
}
