/* Bitwise CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) of the input. */
#include "prog.h"

ENTRY("zeroserve.request", request)(u64 data, u64 len) {
  const u8 *s = (const u8 *)data;
  u32 crc = 0xffffffffu;
  for (u64 i = 0; i < len; i++) {
    crc ^= s[i];
    for (int b = 0; b < 8; b++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
  }
  return crc ^ 0xffffffffu;
}
