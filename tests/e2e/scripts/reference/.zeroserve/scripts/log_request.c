// Written for the reference SDK (log_request.c): logs the method and path of each request.
#include <zeroserve.h>

ZS_ENTRY
int log_request(void) {
  char method[16];
  char path[128];
  char line[160];
  zs_req_method(method, sizeof(method));
  zs_req_path(path, sizeof(path));
  char *p = zs_stpcpy(line, "request ");
  p = zs_stpcpy(p, method);
  p = zs_stpcpy(p, " ");
  p = zs_stpcpy(p, path);
  zs_stpcpy(p, "\n");
  zs_log(line, zs_strlen(line));
  return 0;
}
