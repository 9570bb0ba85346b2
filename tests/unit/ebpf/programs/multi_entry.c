/* Two entry points in two sections sharing a .text function (cross-section local calls). */
#include "prog.h"

NOINLINE u64 me_shared(u64 x, u64 y) { return x * 1000003 + y; }

ENTRY("zeroserve.request", request)(u64 data, u64 len) {
  const u8 *s = (const u8 *)data;
  u64 h = 1;
  for (u64 i = 0; i < len; i++) h = me_shared(h, s[i]);
  return h;
}

ENTRY("zeroserve.call.double", twice)(u64 data, u64 len) {
  return 2 * me_shared(len, data ? 1 : 0);
}
