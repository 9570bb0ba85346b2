// Written for the reference SDK (template.c): metadata "name" (from ?name=, default "world"),
// "method" and "now_ms" for the <zs-meta> tags of template.html.
#include <zeroserve.h>

ZS_ENTRY
int template_vars(void) {
  char name[64];
  if (zs_req_query_param(ZS_STR("name"), name, sizeof(name)) <= 0) zs_strcpy(name, "world");
  char method[16];
  zs_req_method(method, sizeof(method));
  char now[24];
  zs_u64 t = zs_now_ms();
  int n = 0;
  char rev[24];
  do {
    rev[n++] = (char)('0' + t % 10);
    t /= 10;
  } while (t && n < 20);
  for (int i = 0; i < n; i++) now[i] = rev[n - 1 - i];
  now[n] = 0;
  zs_meta_set(ZS_STR("name"), ZS_STR(name));
  zs_meta_set(ZS_STR("method"), ZS_STR(method));
  zs_meta_set(ZS_STR("now_ms"), ZS_STR(now));
  return 0;
}
