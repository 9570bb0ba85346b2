// HTTP-date formatting and parsing (RFC 9110 §5.6.7): the three forms, round trips, rejections.
#include "base/http_date.hh"

#include <gtest/gtest.h>

#include <string>

namespace zs {
namespace {

std::string fmt(int64_t t) {
  char buf[kHttpDateLen];
  format_http_date(t, buf);
  return std::string(buf, kHttpDateLen);
}

TEST(HttpDate, FormatsEpochAndRfcExample) {
  EXPECT_EQ(fmt(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(fmt(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(fmt(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(fmt(4102444799), "Thu, 31 Dec 2099 23:59:59 GMT");
}

TEST(HttpDate, ParsesAllThreeForms) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_EQ(parse_http_date("Sun Nov 16 08:49:37 1994"), 784111777 + 10 * 86400);
  EXPECT_EQ(parse_http_date("Saturday, 01-Jan-05 00:00:00 GMT"), 1104537600);
}

TEST(HttpDate, RoundTripsEveryDayForDecades) {
  for (int64_t t = 0; t < 4102444800; t += 86400 * 7 + 3671) {
    auto s = fmt(t);
    ASSERT_EQ(parse_http_date(s), t) << s;
  }
}

TEST(HttpDate, RejectsMalformed) {
  for (const char* bad : {"", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
                          "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT ",
                          "Sun, 32 Jan 1994 08:49:37 GMT", "Sun, 29 Feb 1994 08:49:37 GMT",
                          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
                          "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1969 08:49:37 GMT",
                          "Sun Nov 6 08:49:37 1994", "Sunday, 06-Nov-1994 08:49:37 GMT",
                          "1994-11-06T08:49:37Z"}) {
    EXPECT_EQ(parse_http_date(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace zs
