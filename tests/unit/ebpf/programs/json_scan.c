/* JSON-ish scanner: counts objects, arrays, strings (with escapes), keys and numbers, and the
 * maximum nesting depth; returns them packed 8 bits each. */
#include "prog.h"

ENTRY("zeroserve.request", request)(u64 data, u64 len) {
  const u8 *s = (const u8 *)data;
  u64 objects = 0, arrays = 0, strings = 0, keys = 0, numbers = 0, depth = 0, max_depth = 0;
  u64 i = 0;
  while (i < len) {
    u8 c = s[i];
    if (c == '{' || c == '[') {
      if (c == '{') objects++; else arrays++;
      depth++;
      if (depth > max_depth) max_depth = depth;
      i++;
    } else if (c == '}' || c == ']') {
      if (depth > 0) depth--;
      i++;
    } else if (c == '"') {
      i++;
      while (i < len && s[i] != '"') i += (s[i] == '\\') ? 2 : 1;
      i++;
      strings++;
      u64 j = i;
      while (j < len && (s[j] == ' ' || s[j] == '\n')) j++;
      if (j < len && s[j] == ':') keys++;
    } else if ((c >= '0' && c <= '9') || c == '-') {
      numbers++;
      while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.' || s[i] == 'e'))
        i++;
    } else {
      i++;
    }
  }
  return objects | arrays << 8 | strings << 16 | keys << 24 | numbers << 32 | max_depth << 40;
}
