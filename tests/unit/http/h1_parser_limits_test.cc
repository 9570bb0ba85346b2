// Size limits (reliability plan B1-B4, 413 from Content-Length), pipelining (A19), parser reuse
// across requests and RequestHead lookups. Limits are probed at the exact boundary: the largest
// accepted size and one byte more, and trickled input must fail at the limit, not after it.
#include <gtest/gtest.h>

#include <string>

#include "h1_test_support.hh"

namespace zs::http::h1 {
namespace {

using testing::Outcome;
using testing::parse_bytewise;
using testing::parse_once;

// A request-line of exactly `n` bytes (without CRLF), followed by a valid rest of the head.
std::string request_line_of(size_t n) {
  const std::string fixed = "GET / HTTP/1.1";
  return "GET /" + std::string(n - fixed.size(), 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
}

// A head whose single extra field line is exactly `n` bytes (without CRLF).
std::string field_line_of(size_t n) {
  return "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(n - 3, 'v') + "\r\n\r\n";
}

// A head of exactly `n` bytes in total, padded with 1000-byte field lines.
std::string head_of(size_t n) {
  std::string s = "GET / HTTP/1.1\r\nHost: a\r\n";
  while (n - s.size() - 2 > 1002 + 10) s += "X: " + std::string(997, 'v') + "\r\n";
  const size_t last = n - s.size() - 2 - 2;  // this line's content, then its CRLF, then CRLF
  s += "Y: " + std::string(last - 3, 'v') + "\r\n\r\n";
  return s;
}

std::string many_fields(size_t n) {
  std::string s = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (size_t i = 1; i < n; ++i) s += "a:b\r\n";
  return s + "\r\n";
}

TEST(H1Limits, B1RequestLineAtLimitAccepted) {
  const std::string req = request_line_of(8192);
  EXPECT_EQ(parse_once(req).status, ParseStatus::kDone);
  EXPECT_EQ(parse_bytewise(req).first.status, ParseStatus::kDone);
}

TEST(H1Limits, B1RequestLineOverLimitIs414) {
  for (size_t n : {size_t{8193}, size_t{8194}, size_t{64 * 1024}, size_t{1024 * 1024}}) {
    const std::string req = request_line_of(n);
    const Outcome o = parse_once(req);
    EXPECT_EQ(o.http_status, 414) << n;
    // Trickled in, it is refused as soon as the 8193rd byte of the line arrives.
    const auto [trickled, at] = parse_bytewise(req);
    EXPECT_EQ(trickled.http_status, 414) << n;
    EXPECT_EQ(at, 8193u) << n;
  }
}

TEST(H1Limits, B1RequestLineEndingInCrAtLimitWaits) {
  // 8192 bytes then CR: still within the limit until the next byte shows what follows.
  std::string req = request_line_of(8192);
  const std::string prefix = req.substr(0, 8193);
  Parser parser;
  RequestHead head;
  EXPECT_EQ(parser.parse(prefix, head).status, ParseStatus::kNeedMore);
  EXPECT_EQ(parser.parse(req, head).status, ParseStatus::kDone);
}

TEST(H1Limits, B2FieldLineAtLimitAccepted) {
  EXPECT_EQ(parse_once(field_line_of(8192)).status, ParseStatus::kDone);
}

TEST(H1Limits, B2FieldLineOverLimitIs431AtTheLimit) {
  for (size_t n : {size_t{8193}, size_t{64 * 1024}}) {
    const std::string req = field_line_of(n);
    EXPECT_EQ(parse_once(req).http_status, 431) << n;
    const auto [trickled, at] = parse_bytewise(req);
    EXPECT_EQ(trickled.http_status, 431);
    EXPECT_EQ(at, std::string("GET / HTTP/1.1\r\nHost: a\r\n").size() + 8193) << n;
  }
}

TEST(H1Limits, B2HeadAtLimitAccepted) {
  const std::string req = head_of(64 * 1024);
  ASSERT_EQ(req.size(), 64u * 1024);
  const Outcome o = parse_once(req);
  EXPECT_EQ(o.status, ParseStatus::kDone) << o;
  EXPECT_EQ(o.consumed, req.size());
  EXPECT_EQ(parse_bytewise(req).first, o);
}

TEST(H1Limits, B2HeadOverLimitIs431AtTheLimit) {
  const std::string req = head_of(64 * 1024 + 1);
  ASSERT_EQ(req.size(), 64u * 1024 + 1);
  const Outcome o = parse_once(req);
  EXPECT_EQ(o.http_status, 431) << o;
  EXPECT_EQ(o.reason, "request head too large");
  const auto [trickled, at] = parse_bytewise(req);
  EXPECT_EQ(trickled, o);
  EXPECT_EQ(at, 64u * 1024);  // refused when byte 65536 arrives without the end of the head
}

TEST(H1Limits, B2ManyOneKibFieldsOverHeadLimit) {
  std::string req = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 70; ++i) req += "X-" + std::to_string(i) + ": " + std::string(1000, 'v') + "\r\n";
  req += "\r\n";
  EXPECT_EQ(parse_once(req).http_status, 431);
  EXPECT_EQ(parse_bytewise(req).first.http_status, 431);
}

TEST(H1Limits, B3FieldCount) {
  EXPECT_EQ(parse_once(many_fields(100)).status, ParseStatus::kDone);
  for (size_t n : {size_t{101}, size_t{1000}, size_t{10000}}) {
    const Outcome o = parse_once(many_fields(n));
    EXPECT_EQ(o.http_status, 431) << n;
    EXPECT_EQ(o.reason, "too many header fields");
  }
}

TEST(H1Limits, B3CustomFieldCountAndClamp) {
  Limits small;
  small.max_headers = 3;
  EXPECT_EQ(parse_once(many_fields(3), small).status, ParseStatus::kDone);
  EXPECT_EQ(parse_once(many_fields(4), small).http_status, 431);
  Limits big;
  big.max_headers = 1000;  // clamps to kMaxHeaders
  EXPECT_EQ(parse_once(many_fields(kMaxHeaders + 1), big).http_status, 431);
}

TEST(H1Limits, ContentLengthOverBodyLimitIs413) {
  Limits limits;
  limits.max_content_length = 100;
  const std::string ok = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n";
  const std::string big = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n";
  EXPECT_EQ(parse_once(ok, limits).content_length, 100u);
  EXPECT_EQ(parse_once(big, limits).http_status, 413);
  EXPECT_EQ(parse_once(big).status, ParseStatus::kDone);  // default: no body limit here
}

TEST(H1Limits, SmallCustomLineLimits) {
  Limits limits;
  limits.max_request_line = 20;
  limits.max_field_line = 10;
  limits.max_head = 100;
  EXPECT_EQ(parse_once("GET /aaaaaa HTTP/1.1\r\nHost: a\r\n\r\n", limits).status,
            ParseStatus::kDone);  // request line of exactly 20
  EXPECT_EQ(parse_once("GET /aaaaaaa HTTP/1.1\r\nHost: a\r\n\r\n", limits).http_status, 414);
  EXPECT_EQ(parse_once("GET / HTTP/1.1\r\nHost: a\r\nX: 1234567\r\n\r\n", limits).status,
            ParseStatus::kDone);  // field line of exactly 10
  EXPECT_EQ(parse_once("GET / HTTP/1.1\r\nHost: a\r\nX: 12345678\r\n\r\n", limits).http_status,
            431);
}

// ---------------------------------------------------------------------------------------------
// Pipelining (A19) and reuse.

// Parses consecutive heads out of one buffer; returns each outcome. Bodies of known length
// (Content-Length) are skipped the way the connection will skip them.
std::vector<Outcome> parse_pipeline(const std::string& bytes) {
  std::vector<Outcome> outcomes;
  Parser parser;
  size_t offset = 0;
  while (offset < bytes.size()) {
    RequestHead head;
    const std::string_view rest = std::string_view(bytes).substr(offset);
    const ParseResult r = parser.parse(rest, head);
    outcomes.push_back(testing::to_outcome(r, head, rest));
    if (r.status != ParseStatus::kDone) break;
    offset += r.consumed + (head.body == BodyFraming::kContentLength ? head.content_length : 0);
    parser.reset();
  }
  return outcomes;
}

TEST(H1Pipeline, TwoHeadsOneBuffer) {
  const std::string a = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::string b = "GET /b HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n";
  const auto out = parse_pipeline(a + b);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].consumed, a.size());
  EXPECT_EQ(out[0].target, "/a");
  EXPECT_TRUE(out[0].keep_alive);
  EXPECT_EQ(out[1].consumed, b.size());
  EXPECT_EQ(out[1].target, "/b");
  EXPECT_FALSE(out[1].keep_alive);
}

TEST(H1Pipeline, BodyBetweenHeads) {
  const std::string a = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n";
  const std::string b = "GET /b HTTP/1.1\r\nHost: a\r\n\r\n";
  const auto out = parse_pipeline(a + "GET /" + b);  // the body looks like a request: no desync
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].consumed, a.size());
  EXPECT_EQ(out[1].target, "/b");
  EXPECT_EQ(out[1].body, BodyFraming::kNone);  // framing state does not leak across reset()
}

struct PipelineRow {
  std::string name;
  std::string second;
  uint16_t status;
};

// gtest prints a failing row by its name, not its bytes.
void PrintTo(const PipelineRow& row, std::ostream* os) { *os << row.name; }

class H1PipelineA19 : public ::testing::TestWithParam<PipelineRow> {};

TEST_P(H1PipelineA19, FirstAnsweredSecondRejected) {
  const std::string first = "GET /first HTTP/1.1\r\nHost: a\r\n\r\n";
  const auto out = parse_pipeline(first + GetParam().second);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].status, ParseStatus::kDone);
  EXPECT_EQ(out[0].consumed, first.size());
  EXPECT_EQ(out[1].status, ParseStatus::kError);
  EXPECT_EQ(out[1].http_status, GetParam().status) << out[1].reason;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, H1PipelineA19,
    ::testing::ValuesIn(std::vector<PipelineRow>{
        {"missing_host", "GET / HTTP/1.1\r\n\r\n", 400},
        {"bare_lf", "GET / HTTP/1.1\nHost: a\n\n", 400},
        {"cl_te", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: "
                  "chunked\r\n\r\n", 400},
        {"http2", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
        {"obs_fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400},
        {"gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        {"tls_hello", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n", 13), 400},
    }),
    testing::RowName{});

TEST(H1Parser, ErrorIsStickyUntilReset) {
  Parser parser;
  RequestHead head;
  const std::string bad = "GET / HTTP/1.1\nHost: a\r\n\r\n";
  const ParseResult first = parser.parse(bad, head);
  ASSERT_EQ(first.status, ParseStatus::kError);
  const std::string good = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  const ParseResult again = parser.parse(good + good, head);  // appended bytes change nothing
  EXPECT_EQ(again.status, ParseStatus::kError);
  EXPECT_EQ(again.reason, first.reason);
  parser.reset();
  EXPECT_EQ(parser.parse(good, head).status, ParseStatus::kDone);
}

TEST(H1Parser, ResetClearsEveryDecision) {
  Parser parser;
  RequestHead head;
  const std::string a = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n"
                        "Expect: 100-continue\r\n\r\n";
  ASSERT_EQ(parser.parse(a, head).status, ParseStatus::kDone);
  EXPECT_EQ(head.body, BodyFraming::kContentLength);
  parser.reset();
  // A second Content-Length/Host after reset is not a duplicate; the rest resets to defaults.
  const std::string b = "POST / HTTP/1.1\r\nHost: b\r\nContent-Length: 4\r\n\r\n";
  ASSERT_EQ(parser.parse(b, head).status, ParseStatus::kDone);
  EXPECT_EQ(head.content_length, 4u);
  EXPECT_TRUE(head.keep_alive);
  EXPECT_FALSE(head.expect_continue);
  EXPECT_EQ(head.host, "b");
  EXPECT_EQ(head.header_count, 2u);
  parser.reset();
  EXPECT_EQ(parser.parse("GET / HTTP/1.1\r\n\r\n", head).http_status, 400);  // no Host carried
}

// ---------------------------------------------------------------------------------------------
// RequestHead helpers.

TEST(RequestHeadTest, FindFirstAndLastCaseInsensitive) {
  const std::string req =
      "GET / HTTP/1.1\r\nHost: a\r\nX-Dup: one\r\nx-other: z\r\nX-DUP: two\r\nx-dup: three\r\n\r\n";
  Parser parser;
  RequestHead head;
  ASSERT_EQ(parser.parse(req, head).status, ParseStatus::kDone);
  ASSERT_NE(head.find("x-dup"), nullptr);
  EXPECT_EQ(head.find("x-dup")->value, "one");
  EXPECT_EQ(head.find_last("X-Dup")->value, "three");
  EXPECT_EQ(head.find("HOST")->value, "a");
  EXPECT_EQ(head.find_last("host")->value, "a");
  EXPECT_EQ(head.find("x-du"), nullptr);
  EXPECT_EQ(head.find("x-dupe"), nullptr);
  EXPECT_EQ(head.find_last("missing"), nullptr);
  EXPECT_EQ(head.fields().size(), 5u);
  EXPECT_EQ(head.fields()[2].name, "x-other");
}

TEST(RequestHeadTest, MethodTable) {
  EXPECT_EQ(method_from_token("GET"), Method::kGet);
  EXPECT_EQ(method_from_token("PATCH"), Method::kPatch);
  EXPECT_EQ(method_from_token("get"), Method::kOther);
  EXPECT_EQ(method_from_token("GETS"), Method::kOther);
  EXPECT_EQ(method_from_token(""), Method::kOther);
  EXPECT_EQ(method_name(Method::kConnect), "CONNECT");
  EXPECT_EQ(method_name(Method::kOther), "");
  for (auto m : {Method::kGet, Method::kHead, Method::kPost, Method::kPut, Method::kDelete,
                 Method::kConnect, Method::kOptions, Method::kTrace, Method::kPatch}) {
    EXPECT_EQ(method_from_token(method_name(m)), m);
  }
}

TEST(AuthorityTest, Validation) {
  EXPECT_TRUE(is_valid_authority("a", false));
  EXPECT_FALSE(is_valid_authority("a", true));
  EXPECT_TRUE(is_valid_authority("a:1", true));
  EXPECT_TRUE(is_valid_authority("[::1]:443", true));
  EXPECT_FALSE(is_valid_authority("[::1]", true));
  EXPECT_FALSE(is_valid_authority("", false));
  EXPECT_FALSE(is_valid_authority("a:99999x", false));
  EXPECT_TRUE(is_valid_authority("a:65535", true));
  EXPECT_FALSE(is_valid_authority("a:123456", true));
  EXPECT_FALSE(is_valid_authority("u@a", false));
}

}  // namespace
}  // namespace zs::http::h1
