// Written for the reference SDK (connection_info.c): /conn answers zs_connection_info().
#include <zeroserve.h>

ZS_ENTRY
int conn(void) {
  char path[16];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/conn") == 0) zs_json_respond(200, zs_connection_info());
  return 0;
}
