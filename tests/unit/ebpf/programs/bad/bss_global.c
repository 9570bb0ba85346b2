/* Refused: a zero-initialized writable global lands in .bss. */
#include "../prog.h"
static u64 counter;
ENTRY("zeroserve.request", request)(u64 data, u64 len) { counter += len; return counter + data; }
