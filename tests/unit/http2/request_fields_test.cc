// RequestFields alone (no nghttp2): the checks the session relies on even if nghttp2's own HTTP
// messaging checks were off, and the RequestHead it assembles.
#include "http/h2/request_fields.hh"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace zs::http::h2 {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// The head views the field strings, so the outcome owns them and never moves.
struct Outcome {
  Fields fields;
  FieldResult result;
  RequestHead head;
  std::string cookie;
  std::string_view scheme;
  int64_t length = -2;
  };

std::unique_ptr<Outcome> run(const Fields& fields, const FieldLimits& limits = FieldLimits{}) {
  auto o = std::make_unique<Outcome>();
  o->fields = fields;
  RequestFields rf(limits);
  for (const auto& [n, v] : o->fields) rf.add(n, v);
  o->result = rf.finish(o->head, o->cookie, o->scheme, o->length);
  return o;
}

const Fields kGet = {{":method", "GET"}, {":scheme", "https"}, {":authority", "a.test:8443"}, {":path", "/p?q"}};

Fields plus(Fields f, std::string n, std::string v) {
  f.push_back({std::move(n), std::move(v)});
  return f;
}

TEST(H2RequestFields, AssemblesTheHead) {
  auto o = run(plus(plus(plus(kGet, "accept", "*/*"), "cookie", "a=1"), "cookie", "b=2"));
  ASSERT_EQ(o->result.verdict, FieldVerdict::kOk) << o->result.reason;
  EXPECT_EQ(o->head.method, Method::kGet);
  EXPECT_EQ(o->head.method_token, "GET");
  EXPECT_EQ(o->head.target, "/p?q");
  EXPECT_EQ(o->head.path, "/p?q");
  EXPECT_EQ(o->head.target_form, TargetForm::kOrigin);
  EXPECT_EQ(o->head.authority, "a.test:8443");
  EXPECT_EQ(o->head.host, "a.test:8443");
  EXPECT_TRUE(o->head.has_host);
  EXPECT_EQ(o->scheme, "https");
  EXPECT_EQ(o->length, -1);
  ASSERT_EQ(o->head.header_count, 2u);
  EXPECT_EQ(o->head.headers[0].name, "accept");
  EXPECT_EQ(o->head.headers[1].name, "cookie");
  EXPECT_EQ(o->head.headers[1].value, "a=1; b=2");
}

TEST(H2RequestFields, HostStandsInForAuthority) {
  Fields f = {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"host", "h.test"}};
  auto o = run(f);
  ASSERT_EQ(o->result.verdict, FieldVerdict::kOk);
  EXPECT_EQ(o->head.authority, "h.test");
  EXPECT_EQ(o->head.host, "h.test");
}

TEST(H2RequestFields, NoAuthorityAtAllIsMalformed) {
  EXPECT_EQ(run({{":method", "GET"}, {":scheme", "http"}, {":path", "/"}})->result.verdict, FieldVerdict::kMalformed);
}

TEST(H2RequestFields, ConnectAndOptionsForms) {
  auto c = run({{":method", "CONNECT"}, {":authority", "h.test:443"}});
  ASSERT_EQ(c->result.verdict, FieldVerdict::kOk);
  EXPECT_EQ(c->head.target_form, TargetForm::kAuthority);
  EXPECT_EQ(c->head.target, "h.test:443");
  EXPECT_TRUE(c->head.path.empty());
  EXPECT_EQ(run({{":method", "CONNECT"}, {":authority", "h:1"}, {":path", "/"}})->result.verdict,
            FieldVerdict::kMalformed);
  auto o = run({{":method", "OPTIONS"}, {":scheme", "https"}, {":authority", "h"}, {":path", "*"}});
  ASSERT_EQ(o->result.verdict, FieldVerdict::kOk);
  EXPECT_EQ(o->head.target_form, TargetForm::kAsterisk);
}

TEST(H2RequestFields, ContentLengthIsParsedOnce) {
  EXPECT_EQ(run(plus(kGet, "content-length", "42"))->length, 42);
  EXPECT_EQ(run(plus(kGet, "content-length", "042"))->result.verdict, FieldVerdict::kMalformed);
  EXPECT_EQ(run(plus(kGet, "content-length", "-1"))->result.verdict, FieldVerdict::kMalformed);
  EXPECT_EQ(run(plus(plus(kGet, "content-length", "1"), "content-length", "1"))->result.verdict,
            FieldVerdict::kMalformed);
}

TEST(H2RequestFields, Rejections) {
  struct Row {
    const char* name;
    Fields fields;
    FieldVerdict verdict;
    uint16_t status;
  };
  const std::vector<Row> rows = {
      {"uppercase", plus(kGet, "Accept", "x"), FieldVerdict::kMalformed, 0},
      {"empty_name", plus(kGet, "", "x"), FieldVerdict::kMalformed, 0},
      {"del_in_value", plus(kGet, "x", "a\x7f"), FieldVerdict::kMalformed, 0},
      {"tab_inside_value_ok", plus(kGet, "x", "a\tb"), FieldVerdict::kOk, 0},
      {"obs_text_ok", plus(kGet, "x", "caf\xc3\xa9"), FieldVerdict::kOk, 0},
      {"trailing_tab", plus(kGet, "x", "a\t"), FieldVerdict::kMalformed, 0},
      {"proxy_connection", plus(kGet, "proxy-connection", "x"), FieldVerdict::kMalformed, 0},
      {"te_trailers_any_case", plus(kGet, "te", "Trailers"), FieldVerdict::kOk, 0},
      {"expect_other", plus(kGet, "expect", "x"), FieldVerdict::kRespond, 417},
      {"expect_continue", plus(kGet, "expect", "100-continue"), FieldVerdict::kOk, 0},
      {"bad_method", {{":method", "G T"}, {":scheme", "h"}, {":authority", "h"}, {":path", "/"}}, FieldVerdict::kMalformed, 0},
      {"bad_scheme", {{":method", "GET"}, {":scheme", "1h"}, {":authority", "h"}, {":path", "/"}}, FieldVerdict::kMalformed, 0},
      {"path_with_high_byte", {{":method", "GET"}, {":scheme", "h"}, {":authority", "h"}, {":path", "/\xff"}}, FieldVerdict::kMalformed, 0},
      {"path_with_ctl", {{":method", "GET"}, {":scheme", "h"}, {":authority", "h"}, {":path", "/\x01"}}, FieldVerdict::kMalformed, 0},
      {"bad_authority", {{":method", "GET"}, {":scheme", "h"}, {":authority", "a b"}, {":path", "/"}},
       FieldVerdict::kMalformed, 0},
      {"protocol_pseudo", plus(kGet, ":protocol", "websocket"), FieldVerdict::kMalformed, 0},
  };
  for (const Row& r : rows) {
    auto o = run(r.fields);
    EXPECT_EQ(o->result.verdict, r.verdict) << r.name << ": " << o->result.reason;
    EXPECT_EQ(o->result.status, r.status) << r.name;
  }
}

TEST(H2RequestFields, ListSizeLimitCountsEveryField) {
  FieldLimits limits;
  limits.max_header_list = 200;
  // 4 pseudo-headers: (7+3+32)+(7+5+32)+(10+11+32)+(5+4+32) = 170 bytes; one more small field
  // fits (x:y = 34 -> 204 > 200 does not).
  auto ok = run(kGet, limits);
  EXPECT_EQ(ok->result.verdict, FieldVerdict::kOk);
  auto over = run(plus(kGet, "x", "y"), limits);
  EXPECT_EQ(over->result.verdict, FieldVerdict::kRespond);
  EXPECT_EQ(over->result.status, 431);
}

TEST(H2RequestFields, FirstVerdictSticksAndResetClearsIt) {
  RequestFields rf;
  EXPECT_EQ(rf.add("X", "1").verdict, FieldVerdict::kMalformed);
  EXPECT_EQ(rf.add(":method", "GET").verdict, FieldVerdict::kMalformed);
  rf.reset();
  for (const auto& [n, v] : kGet) EXPECT_EQ(rf.add(n, v).verdict, FieldVerdict::kOk);
  RequestHead head;
  std::string cookie;
  std::string_view scheme;
  int64_t len = 0;
  EXPECT_EQ(rf.finish(head, cookie, scheme, len).verdict, FieldVerdict::kOk);
}

TEST(H2RequestFields, SendableResponseFields) {
  EXPECT_TRUE(is_sendable_name("Content-Type"));
  EXPECT_FALSE(is_sendable_name("Bad Name"));
  EXPECT_FALSE(is_sendable_name(""));
  EXPECT_TRUE(is_sendable_value("text/html; charset=utf-8"));
  EXPECT_FALSE(is_sendable_value("a\r\nb"));
  EXPECT_TRUE(is_connection_specific("Transfer-Encoding"));
  EXPECT_FALSE(is_connection_specific("te"));
}

}  // namespace
}  // namespace zs::http::h2
