// Calls a helper zeroserve does not have.
#include <zeroserve.h>

extern zs_s64 zs_no_such_helper(zs_u64 x);

ZS_ENTRY
zs_u64 unknown(void) {
  return zs_no_such_helper(7) == 0 ? 0 : 1;
}
