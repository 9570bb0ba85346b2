/* Percent-decoding ('+' -> space, %XX) into a stack buffer, then FNV-1a of the result. */
#include "prog.h"

static int hexval(u8 c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

ENTRY("zeroserve.request", request)(u64 data, u64 len) {
  const u8 *s = (const u8 *)data;
  u8 out[256];
  u64 n = 0;
  for (u64 i = 0; i < len && n < sizeof out; i++) {
    u8 c = s[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%' && i + 2 < len) {
      int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        c = (u8)(hi * 16 + lo);
        i += 2;
      }
    }
    out[n++] = c;
  }
  u64 h = 0xcbf29ce484222325ull;
  for (u64 i = 0; i < n; i++) h = (h ^ out[i]) * 0x100000001b3ull;
  return h ^ n;
}
