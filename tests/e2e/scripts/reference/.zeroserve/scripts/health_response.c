// Written for the reference SDK (its /health example): GET /health answers
// {"status":"ok","year":"YYYY"}, the year computed from zs_now_ms().
#include <zeroserve.h>

// Days since 1970-01-01 -> the Gregorian year (civil-from-days, unsigned: eBPF has no
// signed division).
static ZS_INLINE zs_u64 year_of(zs_u64 days) {
  zs_u64 z = days + 719468;
  zs_u64 era = z / 146097;
  zs_u64 doe = z - era * 146097;
  zs_u64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  zs_u64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  zs_u64 mp = (5 * doy + 2) / 153;
  zs_u64 m = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (m <= 2 ? 1 : 0);
}

ZS_ENTRY
int health(void) {
  char path[64];
  zs_req_path(path, sizeof(path));
  if (zs_strcmp(path, "/health") != 0) return 0;
  char year[8];
  zs_utoa10((unsigned int)year_of(zs_now_ms() / 86400000), year, sizeof(year));
  zs_s64 body = zs_json_new_object();
  zs_s64 value = zs_json_new_object();
  zs_json_set_string(value, ZS_STR("ok"));
  zs_json_set(body, ZS_STR("status"), value);
  zs_json_set_string(value, ZS_STR(year));
  zs_json_set(body, ZS_STR("year"), value);
  zs_json_respond(200, body);
  return 0;
}
