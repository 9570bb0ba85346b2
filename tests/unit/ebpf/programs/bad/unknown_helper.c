/* Refused: calls a helper the host does not provide. */
#include "../prog.h"
extern u64 zs_frobnicate(u64 x);
ENTRY("zeroserve.request", request)(u64 data, u64 len) { return zs_frobnicate(data + len); }
