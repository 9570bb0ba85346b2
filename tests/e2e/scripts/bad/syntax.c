// A compile error on line 6.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 broken(void) {
  return this_is_not_declared + 1;
}
