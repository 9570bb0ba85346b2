// Recursion: a BPF-to-BPF call cycle (inside the entry's own section), refused when the script
// is loaded.
#include <zeroserve.h>

__attribute__((noinline)) ZS_ENTRY static zs_s64 down(zs_s64 n) {
  if (n <= 0) return zs_now_ms() & 1;
  return down(n - 1) + down(n - 2) + 1;
}

ZS_ENTRY
zs_u64 recursion(void) {
  zs_s64 r = down((zs_s64)(zs_now_ms() & 7));
  return r > 1000 ? 1 : 0;
}
