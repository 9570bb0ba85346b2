// Templating: /hello.html shows <zs-meta>name</zs-meta> and <zs-meta>method</zs-meta>, filled
// from ?name= (default "visitor") and the request method. Metadata is inserted into the page
// verbatim, so the name is reduced to letters, digits, '-' and ' ' first (no markup injection).
#include <zeroserve.h>

ZS_ENTRY
zs_u64 visitor(void) {
  char path[16];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/hello.html") != 0 && zs_strcmp(path, "/hello") != 0) return 0;

  char name[64];
  zs_s64 n = zs_req_query_param(ZS_STR("name"), name, sizeof(name));
  if (n <= 0 || n >= (zs_s64)sizeof(name)) zs_strcpy(name, "visitor");
  for (int i = 0; name[i] && i < (int)sizeof(name); i++) {
    char c = name[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == ' ';
    if (!ok) name[i] = '-';
  }
  char method[16];
  zs_req_method(method, sizeof(method));
  zs_meta_set(ZS_STR("name"), ZS_STR(name));
  zs_meta_set(ZS_STR("method"), ZS_STR(method));
  return 0;
}
