// Implementation of http_date.hh. Calendar arithmetic follows the well-known civil-from-days
// algorithm (Howard Hinnant's derivation), written out here for UTC only.
#include "base/http_date.hh"

#include <array>
#include <cstring>

namespace zs {
namespace {

constexpr std::array<const char*, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 7> kLongWeekdays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                      "Thursday", "Friday", "Saturday"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct Civil {
  int64_t year;
  unsigned month, day;
};

Civil civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// A tiny cursor over the input; every take_* fails (returns false) rather than reading past end.
struct Cursor {
  std::string_view s;
  size_t i = 0;

  bool lit(std::string_view want) {
    if (s.substr(i, want.size()) != want) return false;
    i += want.size();
    return true;
  }
  bool digits(size_t n, unsigned& out) {
    if (i + n > s.size()) return false;
    unsigned v = 0;
    for (size_t k = 0; k < n; ++k) {
      char c = s[i + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    i += n;
    out = v;
    return true;
  }
  bool month(unsigned& out) {
    for (unsigned m = 0; m < 12; ++m) {
      if (lit(kMonths[m])) {
        out = m + 1;
        return true;
      }
    }
    return false;
  }
  bool time(unsigned& h, unsigned& mi, unsigned& se) {
    return digits(2, h) && lit(":") && digits(2, mi) && lit(":") && digits(2, se);
  }
  bool done() const { return i == s.size(); }
};

bool valid_fields(int64_t year, unsigned mon, unsigned day, unsigned h, unsigned mi, unsigned se) {
  static constexpr unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > kDays[mon - 1]) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (mon == 2 && day == 29 && !leap) return false;
  return h < 24 && mi < 60 && se < 61;  // 60 admits a leap second, folded into the next minute
}

int64_t to_unix(int64_t year, unsigned mon, unsigned day, unsigned h, unsigned mi, unsigned se) {
  return days_from_civil(year, mon, day) * 86400 + h * 3600 + mi * 60 + se;
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void format_http_date(int64_t t, char* out) {
  if (t < 0) t = 0;
  const int64_t days = t / 86400;
  const unsigned secs = static_cast<unsigned>(t % 86400);
  const Civil c = civil_from_days(days);
  std::memcpy(out, kWeekdays[static_cast<size_t>((days + 4) % 7)], 3);  // 1970-01-01 was a Thursday
  std::memcpy(out + 3, ", ", 2);
  put2(out + 5, c.day);
  out[7] = ' ';
  std::memcpy(out + 8, kMonths[c.month - 1], 3);
  out[11] = ' ';
  int64_t y = c.year > 9999 ? 9999 : c.year;
  put2(out + 12, static_cast<unsigned>(y / 100));
  put2(out + 14, static_cast<unsigned>(y % 100));
  out[16] = ' ';
  put2(out + 17, secs / 3600);
  out[19] = ':';
  put2(out + 20, secs / 60 % 60);
  out[22] = ':';
  put2(out + 23, secs % 60);
  std::memcpy(out + 25, " GMT", 4);
}

std::optional<int64_t> parse_http_date(std::string_view text) {
  unsigned day = 0, mon = 0, h = 0, mi = 0, se = 0, y4 = 0;

  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  for (const char* wd : kWeekdays) {
    Cursor c{text};
    if (c.lit(wd) && c.lit(", ") && c.digits(2, day) && c.lit(" ") && c.month(mon) && c.lit(" ") &&
        c.digits(4, y4) && c.lit(" ") && c.time(h, mi, se) && c.lit(" GMT") && c.done()) {
      if (!valid_fields(y4, mon, day, h, mi, se)) return std::nullopt;
      return to_unix(y4, mon, day, h, mi, se);
    }
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; two-digit years per RFC 9110 §5.6.7 are read
  // as the most recent year with those digits that is not more than 50 years in the future,
  // which for any plausible clock means 70..99 -> 19xx and 00..69 -> 20xx.
  for (const char* wd : kLongWeekdays) {
    Cursor c{text};
    unsigned y2 = 0;
    if (c.lit(wd) && c.lit(", ") && c.digits(2, day) && c.lit("-") && c.month(mon) && c.lit("-") &&
        c.digits(2, y2) && c.lit(" ") && c.time(h, mi, se) && c.lit(" GMT") && c.done()) {
      int64_t year = y2 >= 70 ? 1900 + y2 : 2000 + y2;
      if (!valid_fields(year, mon, day, h, mi, se)) return std::nullopt;
      return to_unix(year, mon, day, h, mi, se);
    }
  }
  // asctime: "Sun Nov  6 08:49:37 1994" (day is space-padded).
  for (const char* wd : kWeekdays) {
    Cursor c{text};
    if (!(c.lit(wd) && c.lit(" ") && c.month(mon) && c.lit(" "))) continue;
    unsigned d1 = 0;
    if (c.lit(" ")) {
      if (!c.digits(1, d1)) return std::nullopt;
    } else if (!c.digits(2, d1)) {
      return std::nullopt;
    }
    if (c.lit(" ") && c.time(h, mi, se) && c.lit(" ") && c.digits(4, y4) && c.done()) {
      if (!valid_fields(y4, mon, d1, h, mi, se)) return std::nullopt;
      return to_unix(y4, mon, d1, h, mi, se);
    }
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace zs
