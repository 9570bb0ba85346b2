/* An initialized writable global lands in .data: loads, but the store faults (read-only image). */
#include "../prog.h"
static u64 table[4] = {1, 2, 3, 4};
ENTRY("zeroserve.request", request)(u64 data, u64 len) { table[len & 3] += data; return table[0]; }
