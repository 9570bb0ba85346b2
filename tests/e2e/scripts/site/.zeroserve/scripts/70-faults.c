// /fault/*: script faults (500, chain stopped) and eBPF arithmetic that is not a fault.
#include <zeroserve.h>

ZS_ENTRY
zs_u64 faults(void) {
  char path[32];
  zs_req_path(path, sizeof(path));
  if (zs_strncmp(path, "/fault/", 7) != 0) return 0;
  const char *what = path + 7;
  if (zs_strcmp(what, "wild") == 0) {
    volatile zs_u64 addr = 0x200;  // inside the guard below the stack: never mapped
    return *(volatile zs_u64 *)addr;  // a wild read
  }
  if (zs_strcmp(what, "rodata-write") == 0) {
    static const char kConst[] = "read only";
    volatile char *p = (volatile char *)kConst;
    p[0] = 'X';  // string literals are not writable
    return 0;
  }
  if (zs_strcmp(what, "handle") == 0) {
    zs_json_len(12345);  // never handed out
    zs_respond(200, ZS_STR("unreachable"));
    return 0;
  }
  if (zs_strcmp(what, "freed") == 0) {
    zs_s64 h = zs_json_new_object();
    zs_object_free(h);
    zs_object_free(h);  // twice
    zs_respond(200, ZS_STR("unreachable"));
    return 0;
  }
  if (zs_strcmp(what, "output") == 0) {
    char small[16];
    zs_req_uri(small, 1 << 20);  // claims a megabyte of stack
    zs_respond(200, ZS_STR("unreachable"));
    return 0;
  }
  if (zs_strcmp(what, "respond-len") == 0) {
    char small[16] = "sixteen bytes..";
    zs_respond(200, small, 1 << 20);  // a body far past the stack
    return 0;
  }
  if (zs_strcmp(what, "empty-key") == 0) {
    zs_meta_set("", 0, ZS_STR("x"));
    zs_respond(200, ZS_STR("unreachable"));
    return 0;
  }
  if (zs_strcmp(what, "handles") == 0) {
    for (int i = 0; i < 40; i++) zs_json_new_object();  // the limit is 32 live handles
    zs_respond(200, ZS_STR("unreachable"));
    return 0;
  }
  if (zs_strcmp(what, "div0") == 0) {
    volatile zs_u64 zero = 0, seven = 7;
    zs_u64 q = seven / zero, r = seven % zero;
    volatile zs_u32 zero32 = 0, nine32 = 9;
    zs_u32 q32 = nine32 / zero32, r32 = nine32 % zero32;
    char body[48];
    char *p = zs_stpcpy(body, "q=");
    p += zs_utoa10((unsigned)q, p, 8);
    p = zs_stpcpy(p, " r=");
    p += zs_utoa10((unsigned)r, p, 8);
    p = zs_stpcpy(p, " q32=");
    p += zs_utoa10(q32, p, 8);
    p = zs_stpcpy(p, " r32=");
    p += zs_utoa10(r32, p, 8);
    zs_respond(200, ZS_STR(body));
    return 0;
  }
  if (zs_strcmp(what, "spin") == 0) {
    volatile zs_u64 i = 0;
    for (;;) i++;
  }
  return 0;
}
