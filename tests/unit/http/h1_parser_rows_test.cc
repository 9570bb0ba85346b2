// Table-driven tests for the HTTP/1.1 head parser: every row is exact bytes and an expected
// verdict, named after the reliability plan case it covers (A1-A19, B1-B4 in
// shared/reference/reliability.md) or the behaviour it pins. Each row is also fed one byte at a
// time and split at every position; all feedings must agree with the one-shot result.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "h1_test_support.hh"

namespace zs::http::h1 {
namespace {

using namespace std::string_literals;
using testing::Outcome;
using testing::parse_bytewise;
using testing::parse_once;
using testing::parse_split;

// GET / with Host: a and the given extra field lines (each ending in CRLF).
std::string get(const std::string& fields) { return "GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n"; }
std::string post(const std::string& fields) {
  return "POST / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n";
}
std::string line(const std::string& request_line) { return request_line + "\r\nHost: a\r\n\r\n"; }

// One-shot, byte-at-a-time and (for small inputs) every two-piece split must agree.
void expect_feedings_agree(const std::string& bytes, const Outcome& once, const Limits& limits) {
  EXPECT_EQ(parse_bytewise(bytes, limits).first, once) << "byte-at-a-time differs";
  if (bytes.size() > 2048) return;
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    ASSERT_EQ(parse_split(bytes, {cut}, limits), once) << "split at " << cut;
  }
}

// ---------------------------------------------------------------------------------------------
// Rejections

struct RejectRow {
  std::string name;
  std::string bytes;
  uint16_t status = 400;
  std::string reason;  // expected substring of the reason; "" = any
};

// gtest prints a failing row by its name, not its bytes.
void PrintTo(const RejectRow& row, std::ostream* os) { *os << row.name; }

std::vector<RejectRow> reject_rows() {
  std::vector<RejectRow> rows = {
      // A1: CL.TE in either order.
      {"A1_cl_then_te", post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\nX",
       400, "Content-Length with Transfer-Encoding"},
      {"A1_te_then_cl", post("Transfer-Encoding: chunked\r\nContent-Length: 6\r\n"), 400,
       "Content-Length with Transfer-Encoding"},
      {"A1_cl_zero_te", post("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n"), 400,
       "with Transfer-Encoding"},
      {"A1_te_tab_chunked_then_cl", post("Transfer-Encoding:\tchunked\r\nContent-Length: 3\r\n"),
       400, "with Transfer-Encoding"},
      {"A1_te_gzip_then_cl", post("Transfer-Encoding: gzip\r\nContent-Length: 3\r\n"), 501,
       "unsupported"},
      // A3 / A4: duplicate Content-Length, equal or not, as fields or as a list.
      {"A3_cl_5_then_6", post("Content-Length: 5\r\nContent-Length: 6\r\n"), 400, "duplicate"},
      {"A3_cl_6_then_5", post("Content-Length: 6\r\nContent-Length: 5\r\n"), 400, "duplicate"},
      {"A4_cl_5_twice", post("Content-Length: 5\r\nContent-Length: 5\r\n"), 400, "duplicate"},
      {"A4_cl_twice_case", post("content-length: 5\r\nCONTENT-LENGTH: 5\r\n"), 400, "duplicate"},
      {"A4_cl_list_5_5", post("Content-Length: 5, 5\r\n"), 400, "invalid Content-Length"},
      {"A4_cl_list_no_space", post("Content-Length: 5,5\r\n"), 400, "invalid Content-Length"},
      {"A4_cl_list_5_6", post("Content-Length: 5, 6\r\n"), 400, "invalid Content-Length"},
      {"A4_cl_trailing_comma", post("Content-Length: 5,\r\n"), 400, "invalid Content-Length"},
      {"A4_cl_leading_comma", post("Content-Length: ,5\r\n"), 400, "invalid Content-Length"},
      {"A4_cl_zero_twice", post("Content-Length: 0\r\nContent-Length: 0\r\n"), 400, "duplicate"},
      // A5: Content-Length syntax.
      {"A5_cl_plus", post("Content-Length: +5\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_minus", post("Content-Length: -5\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_hex", post("Content-Length: 0x5\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_hex_letters", post("Content-Length: 1f\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_leading_zero", post("Content-Length: 05\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_octal", post("Content-Length: 010\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_double_zero", post("Content-Length: 00\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_inner_space", post("Content-Length: 1 0\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_inner_tab", post("Content-Length: 1\t0\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_empty", post("Content-Length:\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_only_spaces", post("Content-Length:    \r\n"), 400, "invalid Content-Length"},
      {"A5_cl_decimal_point", post("Content-Length: 5.0\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_exponent", post("Content-Length: 5e2\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_letter_suffix", post("Content-Length: 5a\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_quoted", post("Content-Length: \"5\"\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_2pow63", post("Content-Length: 9223372036854775808\r\n"), 400, "invalid Content"},
      {"A5_cl_2pow64", post("Content-Length: 18446744073709551616\r\n"), 400, "invalid Content"},
      {"A5_cl_u64_max", post("Content-Length: 18446744073709551615\r\n"), 400, "invalid Content"},
      {"A5_cl_23_digits", post("Content-Length: 10000000000000000000005\r\n"), 400, "invalid"},
      {"A5_cl_arabic_digit", post("Content-Length: \xd9\xa5\r\n"), 400, "invalid Content-Length"},
      {"A5_cl_fullwidth_digit", post("Content-Length: \xef\xbc\x95\r\n"), 400, "invalid"},
      {"A5_cl_semicolon", post("Content-Length: 5;x\r\n"), 400, "invalid Content-Length"},
      // A6: Transfer-Encoding.
      {"A6_te_gzip", post("Transfer-Encoding: gzip\r\n"), 501, "unsupported transfer-coding"},
      {"A6_te_identity", post("Transfer-Encoding: identity\r\n"), 501, "unsupported"},
      {"A6_te_deflate", post("Transfer-Encoding: deflate\r\n"), 501, "unsupported"},
      {"A6_te_gzip_chunked", post("Transfer-Encoding: gzip, chunked\r\n"), 501, "unsupported"},
      {"A6_te_chunked_identity", post("Transfer-Encoding: chunked, identity\r\n"), 400,
       "not the final"},
      {"A6_te_chunked_gzip", post("Transfer-Encoding: chunked, gzip\r\n"), 400, "not the final"},
      {"A6_te_chunked_twice_list", post("Transfer-Encoding: chunked, chunked\r\n"), 400,
       "more than once"},
      {"A6_te_xchunked", post("Transfer-Encoding: xchunked\r\n"), 400, "obfuscated"},
      {"A6_te_chunkedx", post("Transfer-Encoding: chunkedx\r\n"), 400, "obfuscated"},
      {"A6_te_chunked_dash", post("Transfer-Encoding: chunked-false\r\n"), 400, "obfuscated"},
      {"A6_te_CHUNKED_prefix", post("Transfer-Encoding: XCHUNKED\r\n"), 400, "obfuscated"},
      {"A6_te_chunked_param", post("Transfer-Encoding: chunked;q=1\r\n"), 400, "parameters"},
      {"A6_te_chunked_bws_param", post("Transfer-Encoding: chunked ; q=1\r\n"), 400,
       "parameters"},
      {"A6_te_chunked_bare_semicolon", post("Transfer-Encoding: chunked;\r\n"), 400,
       "parameters"},
      {"A6_te_repeated_field", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
       400, "repeated Transfer-Encoding"},
      {"A6_te_repeated_gzip_chunked",
       post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"), 501, "unsupported"},
      {"A6_te_repeated_case", post("transfer-encoding: chunked\r\nTRANSFER-ENCODING: chunked\r\n"),
       400, "repeated"},
      {"A6_te_http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "HTTP/1.0"},
      {"A6_te_http10_gzip", "POST / HTTP/1.0\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "HTTP/1.0"},
      {"A6_te_empty", post("Transfer-Encoding:\r\n"), 400, "empty transfer-coding"},
      {"A6_te_trailing_comma", post("Transfer-Encoding: chunked,\r\n"), 400, "empty"},
      {"A6_te_leading_comma", post("Transfer-Encoding: , chunked\r\n"), 400, "empty"},
      {"A6_te_quoted", post("Transfer-Encoding: \"chunked\"\r\n"), 400, "invalid transfer-coding"},
      {"A6_te_inner_space", post("Transfer-Encoding: chun ked\r\n"), 400, "invalid transfer"},
      {"A6_te_vertical_tab", post("Transfer-Encoding: \x0b" "chunked\r\n"), 400, "field value"},
      {"A6_te_form_feed", post("Transfer-Encoding: chunked\x0c\r\n"), 400, "field value"},
      {"A6_te_nul_suffix", post("Transfer-Encoding: chunked\0\r\n"s), 400, "field value"},
      {"A6_te_lf_smuggled_name", post("X: X\nTransfer-Encoding: chunked\r\n"), 400, "bare LF"},
      {"A6_te_space_before_colon", post("Transfer-Encoding : chunked\r\n"), 400,
       "whitespace before colon"},
      {"A6_te_obs_fold_value", post("Transfer-Encoding: chunked\r\n , identity\r\n"), 400,
       "obs-fold"},
      {"A6_te_leading_space_name", post(" Transfer-Encoding: chunked\r\n"), 400, "obs-fold"},
      // A7: obs-fold.
      {"A7_obs_fold_space", get("X-A: a\r\n b\r\n"), 400, "obs-fold"},
      {"A7_obs_fold_tab", get("X-A: a\r\n\tb\r\n"), 400, "obs-fold"},
      {"A7_ws_after_request_line", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400, "obs-fold"},
      {"A7_tab_after_request_line", "GET / HTTP/1.1\r\n\tHost: a\r\n\r\n", 400, "obs-fold"},
      {"A7_fold_host", "GET / HTTP/1.1\r\nHost:\r\n a\r\n\r\n", 400, "obs-fold"},
      {"A7_whitespace_only_line", get("X-A: a\r\n   \r\n"), 400, "obs-fold"},
      // A8: whitespace between name and colon.
      {"A8_host_space_colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "whitespace before"},
      {"A8_host_tab_colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400, "whitespace before"},
      {"A8_cl_space_colon", post("Content-Length : 5\r\n"), 400, "whitespace before colon"},
      {"A8_name_two_spaces", get("X-A  : b\r\n"), 400, "whitespace before colon"},
      {"A8_space_inside_name", get("X A: b\r\n"), 400, "whitespace before colon"},
      // A9: bare LF.
      {"A9_bare_lf_request_line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "bare LF"},
      {"A9_bare_lf_field", "GET / HTTP/1.1\r\nHost: a\n\r\n", 400, "bare LF"},
      {"A9_bare_lf_final", "GET / HTTP/1.1\r\nHost: a\r\n\n", 400, "bare LF"},
      {"A9_all_lf", "GET / HTTP/1.1\nHost: a\n\n", 400, "bare LF"},
      {"A9_lf_cr", "GET / HTTP/1.1\n\rHost: a\r\n\r\n", 400, "bare LF"},
      {"A9_leading_bare_lf", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bare LF"},
      {"A9_lf_in_value", get("X-A: a\nb\r\n"), 400, "bare LF"},
      // A10: bare CR, NUL, CTL (single bytes are generated below as well).
      {"A10_bare_cr_value", get("X-A: a\rb\r\n"), 400, "field value"},
      {"A10_cr_cr_lf", get("X-A: a\r\r\n"), 400, "field value"},
      {"A10_nul_value", get("X-A: a\0b\r\n"s), 400, "field value"},
      {"A10_nul_name", get("X-\0A: b\r\n"s), 400, "field name"},
      {"A10_del_value", get("X-A: a\x7f\r\n"), 400, "field value"},
      {"A10_cr_line_start", get("\rX-A: b\r\n"), 400, "field name"},
      {"A10_bare_cr_final", "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n", 400, "field name"},
      {"A10_high_byte_name", get("X-\xc3\xa9: b\r\n"), 400, "field name"},
      {"A10_empty_name", get(": b\r\n"), 400, "empty field name"},
      {"A10_no_colon", get("X-A b\r\n"), 400, "whitespace before colon"},
      {"A10_no_colon_token", get("X-A\r\n"), 400, "without colon"},
      {"A10_bare_cr_request_line", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", 400, "request-target"},
      // A16: Host.
      {"A16_missing_host", "GET / HTTP/1.1\r\n\r\n", 400, "missing Host"},
      {"A16_missing_host_with_fields", "GET / HTTP/1.1\r\nX-Host: a\r\n\r\n", 400, "missing Host"},
      {"A16_two_hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "duplicate Host"},
      {"A16_two_hosts_equal", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400, "duplicate"},
      {"A16_two_hosts_http10", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400, "duplicate"},
      {"A16_host_inner_space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "invalid Host"},
      {"A16_host_slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "invalid Host"},
      {"A16_host_userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400, "invalid Host"},
      {"A16_host_list", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 400, "invalid Host"},
      {"A16_host_bad_port", "GET / HTTP/1.1\r\nHost: a:http\r\n\r\n", 400, "invalid Host"},
      {"A16_host_long_port", "GET / HTTP/1.1\r\nHost: a:123456\r\n\r\n", 400, "invalid Host"},
      {"A16_host_two_colons", "GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n", 400, "invalid Host"},
      {"A16_host_port_only", "GET / HTTP/1.1\r\nHost: :80\r\n\r\n", 400, "invalid Host"},
      {"A16_host_unclosed_v6", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, "invalid Host"},
      {"A16_host_v6_garbage", "GET / HTTP/1.1\r\nHost: [::g]\r\n\r\n", 400, "invalid Host"},
      {"A16_host_v6_suffix", "GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", 400, "invalid Host"},
      {"A16_host_empty_v6", "GET / HTTP/1.1\r\nHost: []\r\n\r\n", 400, "invalid Host"},
      {"A16_host_bad_pct", "GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", 400, "invalid Host"},
      {"A16_host_short_pct", "GET / HTTP/1.1\r\nHost: a%4\r\n\r\n", 400, "invalid Host"},
      {"A16_host_backslash", "GET / HTTP/1.1\r\nHost: a\\b\r\n\r\n", 400, "invalid Host"},
      {"A16_host_high_byte", "GET / HTTP/1.1\r\nHost: \xc3\xa9.com\r\n\r\n", 400, "invalid"},
      {"A16_host_question", "GET / HTTP/1.1\r\nHost: a?b\r\n\r\n", 400, "invalid Host"},
      {"A16_absolute_missing_host", "GET http://a/ HTTP/1.1\r\n\r\n", 400, "missing Host"},
      // Request-target forms (RFC 9112 §3.2).
      {"target_absolute_empty_authority", line("GET http:///x HTTP/1.1"), 400, "authority"},
      {"target_absolute_no_slashes", line("GET http:a/x HTTP/1.1"), 400, "invalid request"},
      {"target_absolute_userinfo", line("GET http://u@a/ HTTP/1.1"), 400, "authority"},
      {"target_absolute_userinfo_pw", line("GET http://u:p@a/ HTTP/1.1"), 400, "authority"},
      {"target_absolute_bad_port", line("GET http://a:b/ HTTP/1.1"), 400, "authority"},
      {"target_absolute_ftp", line("GET ftp://a/ HTTP/1.1"), 400, "invalid request-target"},
      {"target_absolute_ws", line("GET ws://a/ HTTP/1.1"), 400, "invalid request-target"},
      {"target_relative", line("GET a/b HTTP/1.1"), 400, "invalid request-target"},
      {"target_authority_on_get", line("GET a:443 HTTP/1.1"), 400, "invalid request-target"},
      {"target_asterisk_on_get", line("GET * HTTP/1.1"), 400, "only for OPTIONS"},
      {"target_asterisk_prefix", line("OPTIONS *x HTTP/1.1"), 400, "invalid request-target"},
      {"target_connect_no_port", line("CONNECT a HTTP/1.1"), 400, "CONNECT"},
      {"target_connect_origin", line("CONNECT / HTTP/1.1"), 400, "CONNECT"},
      {"target_connect_absolute", line("CONNECT http://a:1/ HTTP/1.1"), 400, "CONNECT"},
      {"target_connect_empty_port", line("CONNECT a: HTTP/1.1"), 400, "CONNECT"},
      {"target_fragment", line("GET /a#b HTTP/1.1"), 400, "fragment"},
      {"target_fragment_absolute", line("GET http://a/#b HTTP/1.1"), 400, "fragment"},
      {"target_del", line("GET /\x7f HTTP/1.1"), 400, "request-target"},
      {"target_high_byte", line("GET /\xc3\xa9 HTTP/1.1"), 400, "request-target"},
      {"target_nul", line("GET /\0 HTTP/1.1"s), 400, "request-target"},
      // A17: request-line oddities.
      {"A17_double_space_before_target", line("GET  / HTTP/1.1"), 400, "extra space"},
      {"A17_double_space_before_version", line("GET /  HTTP/1.1"), 400, "malformed HTTP version"},
      {"A17_tab_before_target", line("GET\t/ HTTP/1.1"), 400, "invalid character in method"},
      {"A17_tab_before_version", line("GET /\tHTTP/1.1"), 400, "request-target"},
      {"A17_trailing_space", line("GET / HTTP/1.1 "), 400, "malformed HTTP version"},
      {"A17_leading_space", line(" GET / HTTP/1.1"), 400, "invalid method"},
      {"A17_http_1_2", line("GET / HTTP/1.2"), 505, "not supported"},
      {"A17_http_1_9", line("GET / HTTP/1.9"), 505, "not supported"},
      {"A17_http_2_0", line("GET / HTTP/2.0"), 505, "not supported"},
      {"A17_http_3_0", line("GET / HTTP/3.0"), 505, "not supported"},
      {"A17_http_0_9", line("GET / HTTP/0.9"), 505, "not supported"},
      {"A17_http_9_9", line("GET / HTTP/9.9"), 505, "not supported"},
      {"A17_http_0_0", line("GET / HTTP/0.0"), 505, "not supported"},
      {"A17_lowercase_http", line("GET / http/1.1"), 400, "malformed HTTP version"},
      {"A17_mixed_case_http", line("GET / Http/1.1"), 400, "malformed HTTP version"},
      {"A17_missing_version", line("GET /"), 400, "missing HTTP version"},
      {"A17_http09_request", "GET /\r\n\r\n", 400, "missing HTTP version"},
      {"A17_missing_target", line("GET"), 400, "missing request-target"},
      {"A17_method_and_space_only", line("GET "), 400, "missing request-target"},
      {"A17_version_no_minor", line("GET / HTTP/1"), 400, "malformed HTTP version"},
      {"A17_version_two_digit_minor", line("GET / HTTP/1.10"), 400, "malformed HTTP version"},
      {"A17_version_two_digit_major", line("GET / HTTP/01.1"), 400, "malformed HTTP version"},
      {"A17_version_no_dot", line("GET / HTTP/11"), 400, "malformed HTTP version"},
      {"A17_version_letter", line("GET / HTTP/1.x"), 400, "malformed HTTP version"},
      {"A17_version_comma", line("GET / HTTP/1,1"), 400, "malformed HTTP version"},
      {"A17_version_https", line("GET / HTTPS/1.1"), 400, "malformed HTTP version"},
      {"A17_version_http2_bare", line("GET / HTTP/2"), 400, "malformed HTTP version"},
      {"A17_version_extra_field", line("GET / HTTP/1.1 x"), 400, "malformed HTTP version"},
      {"A17_target_space_inside", line("GET /a b HTTP/1.1"), 400, "malformed HTTP version"},
      {"A17_method_high_byte", line("G\xc9T / HTTP/1.1"), 400, "invalid character in method"},
      {"A17_method_paren", line("GET() / HTTP/1.1"), 400, "invalid character in method"},
      {"A17_method_slash", line("GE/T / HTTP/1.1"), 400, "invalid character in method"},
      {"A17_method_nul", line("GE\0T / HTTP/1.1"s), 400, "invalid character in method"},
      {"A17_empty_request_line_cr", "\r\r\n", 400, "invalid method"},
      {"A17_prism_h2_preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "not supported"},
      // Expect (RFC 9110 §10.1.1).
      {"expect_unknown", get("Expect: foo\r\n"), 417, "expectation"},
      {"expect_empty", get("Expect:\r\n"), 417, "expectation"},
      {"expect_101", get("Expect: 101-continue\r\n"), 417, "expectation"},
      {"expect_with_param", get("Expect: 100-continue;x=1\r\n"), 417, "expectation"},
      {"expect_list_with_unknown", get("Expect: 100-continue, foo\r\n"), 417, "expectation"},
      {"expect_only_commas", get("Expect: , ,\r\n"), 417, "expectation"},
      // Connection options must be tokens.
      {"connection_not_token", get("Connection: clo se\r\n"), 400, "Connection"},
      {"connection_quoted", get("Connection: \"close\"\r\n"), 400, "Connection"},
      // Body limit from Content-Length (413) is in its own test with a custom Limits.
  };
  // A10: every CTL (except HTAB) inside a field value and a field name; CTL / SP in the method.
  for (int c = 0; c < 0x20; ++c) {
    if (c == '\t' || c == '\n' || c == '\r') continue;  // HTAB legal; CR/LF have their own rows
    char hex[8];
    std::snprintf(hex, sizeof hex, "%02x", c);
    const std::string b(1, char(c));
    rows.push_back({"A10_ctl_" + std::string(hex) + "_in_value", get("X-A: a" + b + "b\r\n"), 400,
                    "field value"});
    rows.push_back({"A10_ctl_" + std::string(hex) + "_in_name", get("X-" + b + "A: b\r\n"), 400,
                    "field name"});
    rows.push_back({"A10_ctl_" + std::string(hex) + "_in_target",
                    line("GET /" + b + " HTTP/1.1"), 400, "request-target"});
  }
  // Separators and other non-tchar visible bytes in a field name (':' ends the name instead).
  const std::string separators = "\"(),/;<=>?@[\\]{}";
  for (char c : separators) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned char>(c));
    rows.push_back({"name_separator_" + std::string(hex), get("X" + std::string(1, c) + "A: b\r\n"),
                    400, "field name"});
    rows.push_back({"method_separator_" + std::string(hex),
                    line("G" + std::string(1, c) + "T / HTTP/1.1"), 400, "method"});
  }
  return rows;
}

class RejectTest : public ::testing::TestWithParam<RejectRow> {};

TEST_P(RejectTest, RejectedWithStatusInEveryFeeding) {
  const RejectRow& row = GetParam();
  const Outcome once = parse_once(row.bytes);
  ASSERT_EQ(once.status, ParseStatus::kError) << once;
  EXPECT_EQ(once.http_status, row.status) << once.reason;
  EXPECT_NE(once.reason.find(row.reason), std::string::npos) << "reason: " << once.reason;
  expect_feedings_agree(row.bytes, once, Limits{});
}

INSTANTIATE_TEST_SUITE_P(Rows, RejectTest, ::testing::ValuesIn(reject_rows()),
                         testing::RowName{});

// ---------------------------------------------------------------------------------------------
// Acceptances

struct AcceptRow {
  std::string name;
  std::string bytes;
  std::string target = "/";
  Method method = Method::kGet;
  Version version = Version::kHttp11;
  BodyFraming body = BodyFraming::kNone;
  uint64_t content_length = 0;
  bool keep_alive = true;
  bool expect_continue = false;
  std::string authority = "a";
  TargetForm form = TargetForm::kOrigin;
  size_t header_count = 1;
  size_t consumed = 0;  // 0 = the whole input
};

// gtest prints a failing row by its name, not its bytes.
void PrintTo(const AcceptRow& row, std::ostream* os) { *os << row.name; }

std::vector<AcceptRow> accept_rows() {
  return {
      {.name = "minimal_get", .bytes = get("")},
      {.name = "http10_no_host", .bytes = "GET / HTTP/1.0\r\n\r\n", .version = Version::kHttp10,
       .keep_alive = false, .authority = "", .header_count = 0},
      {.name = "http10_keep_alive", .bytes = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
       .version = Version::kHttp10, .authority = "", .header_count = 1},
      {.name = "http10_keep_alive_case", .bytes = "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
       .version = Version::kHttp10, .authority = "", .header_count = 1},
      {.name = "http10_keep_alive_and_close",
       .bytes = "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
       .version = Version::kHttp10, .keep_alive = false, .authority = "", .header_count = 1},
      {.name = "typical_browser_get",
       .bytes = "GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozilla/5.0 "
                "(X11; Linux x86_64)\r\nAccept: text/html,*/*;q=0.8\r\nAccept-Language: "
                "en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: "
                "keep-alive\r\n\r\n",
       .target = "/index.html?x=1", .authority = "example.com", .header_count = 6},
      {.name = "connection_close", .bytes = get("Connection: close\r\n"), .keep_alive = false,
       .header_count = 2},
      {.name = "connection_close_upper", .bytes = get("Connection: CLOSE\r\n"), .keep_alive = false,
       .header_count = 2},
      {.name = "connection_list_close", .bytes = get("Connection: keep-alive, close\r\n"),
       .keep_alive = false, .header_count = 2},
      {.name = "connection_list_empty_members", .bytes = get("Connection: ,, close ,\r\n"),
       .keep_alive = false, .header_count = 2},
      {.name = "connection_two_fields", .bytes = get("Connection: upgrade\r\nConnection: close\r\n"),
       .keep_alive = false, .header_count = 3},
      {.name = "connection_upgrade", .bytes = get("Connection: Upgrade\r\n"), .header_count = 2},
      {.name = "connection_closed_token", .bytes = get("Connection: closed\r\n"),
       .header_count = 2},
      {.name = "cl_zero", .bytes = post("Content-Length: 0\r\n"), .method = Method::kPost,
       .body = BodyFraming::kContentLength, .header_count = 2},
      {.name = "cl_five_with_body", .bytes = post("Content-Length: 5\r\n") + "hello",
       .method = Method::kPost, .body = BodyFraming::kContentLength, .content_length = 5,
       .header_count = 2, .consumed = post("Content-Length: 5\r\n").size()},
      {.name = "A5_cl_max", .bytes = post("Content-Length: 9223372036854775807\r\n"),
       .method = Method::kPost, .body = BodyFraming::kContentLength,
       .content_length = 9223372036854775807ull, .header_count = 2},
      {.name = "cl_ows_around", .bytes = post("Content-Length: \t 42 \t\r\n"),
       .method = Method::kPost, .body = BodyFraming::kContentLength, .content_length = 42,
       .header_count = 2},
      {.name = "cl_no_ows", .bytes = post("Content-Length:42\r\n"), .method = Method::kPost,
       .body = BodyFraming::kContentLength, .content_length = 42, .header_count = 2},
      {.name = "cl_lowercase_name", .bytes = post("content-length: 7\r\n"), .method = Method::kPost,
       .body = BodyFraming::kContentLength, .content_length = 7, .header_count = 2},
      {.name = "cl_on_get", .bytes = get("Content-Length: 3\r\n"),
       .body = BodyFraming::kContentLength, .content_length = 3, .header_count = 2},
      {.name = "te_chunked", .bytes = post("Transfer-Encoding: chunked\r\n"),
       .method = Method::kPost, .body = BodyFraming::kChunked, .header_count = 2},
      {.name = "A6_te_tab_before_chunked", .bytes = post("Transfer-Encoding:\tchunked\r\n"),
       .method = Method::kPost, .body = BodyFraming::kChunked, .header_count = 2},
      {.name = "te_tabs_around", .bytes = post("Transfer-Encoding: \t chunked\t \r\n"),
       .method = Method::kPost, .body = BodyFraming::kChunked, .header_count = 2},
      {.name = "te_uppercase", .bytes = post("Transfer-Encoding: CHUNKED\r\n"),
       .method = Method::kPost, .body = BodyFraming::kChunked, .header_count = 2},
      {.name = "te_mixed_case_name", .bytes = post("tRaNsFeR-eNcOdInG: Chunked\r\n"),
       .method = Method::kPost, .body = BodyFraming::kChunked, .header_count = 2},
      {.name = "te_underscore_name_is_other_field", .bytes = post("Transfer_Encoding: chunked\r\n"),
       .method = Method::kPost, .header_count = 2},
      {.name = "te_prefixed_name_is_other_field", .bytes = post("X-Transfer-Encoding: gzip\r\n"),
       .method = Method::kPost, .header_count = 2},
      {.name = "cl_prefixed_name_is_other_field",
       .bytes = post("Content-Length-X: 5\r\nX-Content-Length: 6\r\n"), .method = Method::kPost,
       .header_count = 3},
      {.name = "expect_100_continue", .bytes = post("Content-Length: 5\r\nExpect: 100-continue\r\n"),
       .method = Method::kPost, .body = BodyFraming::kContentLength, .content_length = 5,
       .expect_continue = true, .header_count = 3},
      {.name = "expect_100_continue_case", .bytes = get("Expect: 100-Continue\r\n"),
       .expect_continue = true, .header_count = 2},
      {.name = "expect_twice", .bytes = get("Expect: 100-continue\r\nExpect: 100-continue\r\n"),
       .expect_continue = true, .header_count = 3},
      {.name = "expect_http10_ignored",
       .bytes = "GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", .version = Version::kHttp10,
       .keep_alive = false, .authority = "", .header_count = 1},
      {.name = "leading_crlf_skipped", .bytes = "\r\n" + get(""), .header_count = 1},
      {.name = "leading_crlf_twice", .bytes = "\r\n\r\n" + get(""), .header_count = 1},
      {.name = "value_trimmed", .bytes = get("X-A: \t v v \t\r\n"), .header_count = 2},
      {.name = "value_empty", .bytes = get("X-A:\r\n"), .header_count = 2},
      {.name = "value_only_ows", .bytes = get("X-A: \t \r\n"), .header_count = 2},
      {.name = "value_obs_text", .bytes = get("X-A: caf\xc3\xa9 \xff\r\n"), .header_count = 2},
      {.name = "value_inner_tab", .bytes = get("X-A: a\tb\r\n"), .header_count = 2},
      {.name = "value_colon", .bytes = get("X-A: b: c\r\n"), .header_count = 2},
      {.name = "name_all_tchar", .bytes = get("!#$%&'*+-.^_`|~09azAZ: x\r\n"), .header_count = 2},
      {.name = "host_empty", .bytes = "GET / HTTP/1.1\r\nHost:\r\n\r\n", .authority = "",
       .header_count = 1},
      {.name = "host_port", .bytes = "GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
       .authority = "example.com:8080"},
      {.name = "host_v6", .bytes = "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
       .authority = "[::1]:8080"},
      {.name = "host_v4_mapped", .bytes = "GET / HTTP/1.1\r\nHost: [::ffff:1.2.3.4]\r\n\r\n",
       .authority = "[::ffff:1.2.3.4]"},
      {.name = "host_pct", .bytes = "GET / HTTP/1.1\r\nHost: a%41b\r\n\r\n", .authority = "a%41b"},
      {.name = "host_sub_delims", .bytes = "GET / HTTP/1.1\r\nHost: a!$&'()*+,;=b\r\n\r\n",
       .authority = "a!$&'()*+,;=b"},
      {.name = "host_empty_port", .bytes = "GET / HTTP/1.1\r\nHost: a:\r\n\r\n",
       .authority = "a:"},
      {.name = "host_lowercase_name", .bytes = "GET / HTTP/1.1\r\nhost: a\r\n\r\n"},
      {.name = "host_ows", .bytes = "GET / HTTP/1.1\r\nHost: \t a \t\r\n\r\n"},
      {.name = "A16_absolute_overrides_host",
       .bytes = "GET http://example.com/x?y HTTP/1.1\r\nHost: other\r\n\r\n",
       .target = "http://example.com/x?y", .authority = "example.com",
       .form = TargetForm::kAbsolute},
      {.name = "absolute_no_path", .bytes = "GET http://example.com HTTP/1.1\r\nHost: e\r\n\r\n",
       .target = "http://example.com", .authority = "example.com", .form = TargetForm::kAbsolute},
      {.name = "absolute_query_only",
       .bytes = "GET http://example.com?q HTTP/1.1\r\nHost: e\r\n\r\n",
       .target = "http://example.com?q", .authority = "example.com",
       .form = TargetForm::kAbsolute},
      {.name = "absolute_https_upper",
       .bytes = "GET HTTPS://Example.com:8443/ HTTP/1.1\r\nHost: e\r\n\r\n",
       .target = "HTTPS://Example.com:8443/", .authority = "Example.com:8443",
       .form = TargetForm::kAbsolute},
      {.name = "absolute_v6", .bytes = "GET http://[::1]:80/a HTTP/1.1\r\nHost: e\r\n\r\n",
       .target = "http://[::1]:80/a", .authority = "[::1]:80", .form = TargetForm::kAbsolute},
      {.name = "options_asterisk", .bytes = line("OPTIONS * HTTP/1.1"), .target = "*",
       .method = Method::kOptions, .form = TargetForm::kAsterisk},
      {.name = "options_origin", .bytes = line("OPTIONS /x HTTP/1.1"), .target = "/x",
       .method = Method::kOptions},
      {.name = "connect_authority", .bytes = "CONNECT example.com:443 HTTP/1.1\r\nHost: "
                                             "example.com:443\r\n\r\n",
       .target = "example.com:443", .method = Method::kConnect, .authority = "example.com:443",
       .form = TargetForm::kAuthority},
      {.name = "method_head", .bytes = line("HEAD / HTTP/1.1"), .method = Method::kHead},
      {.name = "method_put", .bytes = line("PUT / HTTP/1.1"), .method = Method::kPut},
      {.name = "method_delete", .bytes = line("DELETE / HTTP/1.1"), .method = Method::kDelete},
      {.name = "method_patch", .bytes = line("PATCH / HTTP/1.1"), .method = Method::kPatch},
      {.name = "method_trace", .bytes = line("TRACE / HTTP/1.1"), .method = Method::kTrace},
      {.name = "method_lowercase_is_other", .bytes = line("get / HTTP/1.1"),
       .method = Method::kOther},
      {.name = "method_extension", .bytes = line("PROPFIND / HTTP/1.1"), .method = Method::kOther},
      {.name = "method_tchar_symbols", .bytes = line("M-._~!#$ / HTTP/1.1"),
       .method = Method::kOther},
      {.name = "target_double_slash", .bytes = line("GET //a//b HTTP/1.1"), .target = "//a//b"},
      {.name = "target_dot_segments", .bytes = line("GET /a/../b/./c HTTP/1.1"),
       .target = "/a/../b/./c"},
      {.name = "target_pct", .bytes = line("GET /a%20b%2f HTTP/1.1"), .target = "/a%20b%2f"},
      {.name = "target_query_chars", .bytes = line("GET /?a=b&c=d/?e HTTP/1.1"),
       .target = "/?a=b&c=d/?e"},
      {.name = "target_visible_punct", .bytes = line("GET /\"<>{}|\\^` HTTP/1.1"),
       .target = "/\"<>{}|\\^`"},
      {.name = "pipelined_first_of_two", .bytes = get("") + get(""), .consumed = get("").size()},
      {.name = "pipelined_garbage_after", .bytes = get("") + "\x01\x02garbage",
       .consumed = get("").size()},
      {.name = "many_headers_100",
       .bytes = [] {
         std::string s = "GET / HTTP/1.1\r\nHost: a\r\n";
         for (int i = 0; i < 99; ++i) s += "X-" + std::to_string(i) + ": v\r\n";
         return s + "\r\n";
       }(),
       .header_count = 100},
  };
}

class AcceptTest : public ::testing::TestWithParam<AcceptRow> {};

TEST_P(AcceptTest, ParsedTheSameInEveryFeeding) {
  const AcceptRow& row = GetParam();
  const Outcome o = parse_once(row.bytes);
  ASSERT_EQ(o.status, ParseStatus::kDone) << o;
  EXPECT_EQ(o.consumed, row.consumed == 0 ? row.bytes.size() : row.consumed);
  EXPECT_EQ(o.target, row.target);
  EXPECT_EQ(o.method, row.method);
  EXPECT_EQ(o.method_token, row.bytes.substr(row.bytes.find_first_not_of("\r\n"),
                                             o.method_token.size()));
  EXPECT_EQ(o.version, row.version);
  EXPECT_EQ(o.body, row.body);
  EXPECT_EQ(o.content_length, row.content_length);
  EXPECT_EQ(o.keep_alive, row.keep_alive);
  EXPECT_EQ(o.expect_continue, row.expect_continue);
  EXPECT_EQ(o.authority, row.authority);
  EXPECT_EQ(o.form, row.form);
  EXPECT_EQ(o.headers.size(), row.header_count);
  if (row.form == TargetForm::kOrigin) {
    EXPECT_EQ(o.path, o.target);
  }
  expect_feedings_agree(row.bytes, o, Limits{});
}

INSTANTIATE_TEST_SUITE_P(Rows, AcceptTest, ::testing::ValuesIn(accept_rows()),
                         testing::RowName{});

// ---------------------------------------------------------------------------------------------
// Incomplete heads: need more in every feeding, never an error.

struct IncompleteRow {
  std::string name;
  std::string bytes;
};

// gtest prints a failing row by its name, not its bytes.
void PrintTo(const IncompleteRow& row, std::ostream* os) { *os << row.name; }

class IncompleteTest : public ::testing::TestWithParam<IncompleteRow> {};

TEST_P(IncompleteTest, NeedsMore) {
  const Outcome o = parse_once(GetParam().bytes);
  EXPECT_EQ(o.status, ParseStatus::kNeedMore) << o;
  expect_feedings_agree(GetParam().bytes, o, Limits{});
}

INSTANTIATE_TEST_SUITE_P(
    Rows, IncompleteTest,
    ::testing::ValuesIn(std::vector<IncompleteRow>{
        {"empty", ""},
        {"crlf_only", "\r\n"},
        {"cr_only", "\r"},
        {"method_only", "GET"},
        {"request_line_no_crlf", "GET / HTTP/1.1"},
        {"request_line_cr", "GET / HTTP/1.1\r"},
        {"request_line_done", "GET / HTTP/1.1\r\n"},
        {"one_field", "GET / HTTP/1.1\r\nHost: a\r\n"},
        {"final_cr", "GET / HTTP/1.1\r\nHost: a\r\n\r"},
        {"field_partial", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b"},
        {"missing_host_not_yet_known", "GET / HTTP/1.1\r\n"},
    }),
    testing::RowName{});

}  // namespace
}  // namespace zs::http::h1

namespace zs::http::h1 {
namespace {

// Long values take the 16-bytes-at-a-time path: every byte value at every position of a
// 40-byte value must get the same verdict as the scalar rule (RFC 9110 §5.5).
TEST(FieldValueBytes, EveryByteAtEveryPositionOfALongValue) {
  for (int b = 0; b < 256; ++b) {
    const char c = char(b);
    const bool allowed = c == '\t' || c == ' ' || (b >= 0x21 && b != 0x7f);
    if (c == '\r' || c == '\n') continue;  // line structure, covered by the A9/A10 rows
    for (size_t pos = 0; pos < 40; ++pos) {
      std::string value(40, 'v');
      value[pos] = c;
      const std::string req = "GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + value + "\r\n\r\n";
      const Outcome o = parse_once(req);
      const bool trimmed_away = (c == ' ' || c == '\t') && (pos == 0 || pos == 39);
      if (allowed) {
        ASSERT_EQ(o.status, ParseStatus::kDone) << "byte " << b << " at " << pos;
        ASSERT_EQ(o.headers[1].second.size(), trimmed_away ? 39u : 40u);
      } else {
        ASSERT_EQ(o.http_status, 400) << "byte " << b << " at " << pos;
        ASSERT_EQ(o.reason, "invalid character in field value");
      }
    }
  }
}

}  // namespace
}  // namespace zs::http::h1
