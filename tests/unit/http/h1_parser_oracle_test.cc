// Differential test (STYLE.md rule 11): a deliberately naive reference parser, written
// independently of the real one (whole-buffer, string splitting, std::regex, no tables, no
// resumption), is compared with the real parser on generated requests, valid and hostile,
// complete and truncated, under default and tiny limits. Reasons are not compared, statuses are.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "h1_test_support.hh"

namespace zs::http::h1 {
namespace {

using testing::Outcome;

// ------------------------------- the slow oracle ---------------------------------------------

bool oracle_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string("!#$%&'*+-.^_`|~").find(c) != std::string::npos;
}
bool oracle_token(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), oracle_tchar);
}
std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

bool oracle_authority(const std::string& s, bool require_port) {
  static const std::regex reg_name(
      R"(^(([A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+|\[[0-9A-Fa-f:.]+\])(:([0-9]{0,5}))?$)");
  std::smatch m;
  if (!std::regex_match(s, m, reg_name)) return false;
  return !require_port || m[4].length() > 0;  // group 4: the port digits
}

// The verdict of the naive parser for `buf` (kError outcomes carry only the status).
Outcome oracle(const std::string& buf, const Limits& lim) {
  Outcome o;
  const auto error = [&](uint16_t status) {
    Outcome e;
    e.status = ParseStatus::kError;
    e.http_status = status;
    return e;
  };
  const size_t max_headers = std::min<size_t>(lim.max_headers, kMaxHeaders);
  bool have_request_line = false;
  std::optional<uint64_t> cl;
  bool te = false, close = false, keep_alive = false, expect = false, host_seen = false;
  size_t pos = 0;
  while (true) {
    // Limits, restated: a line may be looked at only within its own max + CRLF and within the
    // first max_head bytes; past those a line is over-long (its own limit first) or the head is.
    const size_t max = have_request_line ? lim.max_field_line : lim.max_request_line;
    const size_t window = std::min({buf.size(), size_t{lim.max_head}, pos + max + 2});
    const size_t lf = buf.find('\n', pos);
    if (lf == std::string::npos || lf >= window) {
      const uint16_t too_long = have_request_line ? 431 : 414;
      if (window == pos + max + 2) return error(too_long);
      if (window == lim.max_head) return error(431);
      if (buf.size() - pos >= max + 1 && buf[pos + max] != '\r') return error(too_long);
      return Outcome{};
    }
    const bool has_cr = lf > pos && buf[lf - 1] == '\r';
    if (lf - pos - (has_cr ? 1 : 0) > max) return error(have_request_line ? 431 : 414);
    if (!has_cr) return error(400);
    const std::string text = buf.substr(pos, lf - 1 - pos);
    pos = lf + 1;
    if (!have_request_line) {
      if (text.empty()) continue;
      const auto parts = split(text, ' ');
      if (parts.size() != 3 || !oracle_token(parts[0]) || parts[1].empty()) return error(400);
      for (char c : parts[1]) {
        if (c < 0x21 || c > 0x7e) return error(400);
      }
      static const std::regex version(R"(^HTTP/[0-9]\.[0-9]$)");
      if (!std::regex_match(parts[2], version)) return error(400);
      if (parts[2] != "HTTP/1.1" && parts[2] != "HTTP/1.0") return error(505);
      o.method_token = parts[0];
      o.method = method_from_token(parts[0]);
      o.target = parts[1];
      o.version = parts[2] == "HTTP/1.1" ? Version::kHttp11 : Version::kHttp10;
      const std::string& t = o.target;
      if (t.find('#') != std::string::npos) return error(400);
      static const std::regex absolute(R"(^[hH][tT][tT][pP][sS]?://([^/?]*)(.*)$)");
      std::smatch m;
      if (o.method_token == "CONNECT") {
        if (!oracle_authority(t, true)) return error(400);
        o.form = TargetForm::kAuthority;
        o.authority = t;
      } else if (t[0] == '/') {
        o.form = TargetForm::kOrigin;
        o.path = t;
      } else if (t == "*") {
        if (o.method_token != "OPTIONS") return error(400);
        o.form = TargetForm::kAsterisk;
      } else if (std::regex_match(t, m, absolute)) {
        if (!oracle_authority(m[1].str(), false)) return error(400);
        o.form = TargetForm::kAbsolute;
        o.authority = m[1].str();
        o.path = m[2].str();
      } else {
        return error(400);
      }
      have_request_line = true;
      continue;
    }
    if (text.empty()) break;  // end of head
    if (text[0] == ' ' || text[0] == '\t') return error(400);
    const size_t colon = text.find(':');
    if (colon == std::string::npos) return error(400);
    const std::string name = text.substr(0, colon);
    if (!oracle_token(name)) return error(400);
    const std::string value = trim(text.substr(colon + 1));
    for (char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if (!(u == '\t' || u == ' ' || (u >= 0x21 && u != 0x7f))) return error(400);
    }
    if (o.headers.size() == max_headers) return error(431);
    o.headers.emplace_back(name, value);
    const std::string key = lower(name);
    if (key == "host") {
      if (host_seen) return error(400);
      if (!value.empty() && !oracle_authority(value, false)) return error(400);
      host_seen = true;
      o.host = value;
    } else if (key == "content-length") {
      if (te || cl) return error(400);
      static const std::regex digits(R"(^(0|[1-9][0-9]{0,18})$)");
      if (!std::regex_match(value, digits)) return error(400);
      const unsigned long long n = std::stoull(value);
      if (n > 9223372036854775807ull) return error(400);
      cl = n;
      if (n > lim.max_content_length) return error(413);
    } else if (key == "transfer-encoding") {
      if (o.version == Version::kHttp10 || cl || te) return error(400);
      te = true;
      bool seen_chunked = false, unknown = false;
      for (const std::string& raw : split(value, ',')) {
        const std::string c = trim(raw);
        if (c.empty() || c.find(';') != std::string::npos || !oracle_token(c) || seen_chunked) {
          return error(400);
        }
        if (lower(c) == "chunked") {
          seen_chunked = true;
        } else if (lower(c).find("chunked") != std::string::npos) {
          return error(400);
        } else {
          unknown = true;
        }
      }
      if (unknown) return error(501);
    } else if (key == "connection") {
      for (const std::string& raw : split(value, ',')) {
        const std::string opt = lower(trim(raw));
        if (opt.empty()) continue;
        if (!oracle_token(opt)) return error(400);
        close = close || opt == "close";
        keep_alive = keep_alive || opt == "keep-alive";
      }
    } else if (key == "expect") {
      int members = 0;
      for (const std::string& raw : split(value, ',')) {
        const std::string e = lower(trim(raw));
        if (e.empty()) continue;
        if (e != "100-continue") return error(417);
        ++members;
      }
      if (members == 0) return error(417);
      expect = true;
    }
  }
  if (o.version == Version::kHttp11 && !host_seen) return error(400);
  o.status = ParseStatus::kDone;
  o.consumed = pos;
  o.has_host = host_seen;
  if (o.form == TargetForm::kOrigin || o.form == TargetForm::kAsterisk) o.authority = o.host;
  o.body = te ? BodyFraming::kChunked : cl ? BodyFraming::kContentLength : BodyFraming::kNone;
  o.content_length = cl.value_or(0);
  o.keep_alive = !close && (o.version == Version::kHttp11 || keep_alive);
  o.expect_continue = expect && o.version == Version::kHttp11;
  return o;
}

// ------------------------------- the generator -----------------------------------------------

template <size_t N>
const char* pick(std::mt19937& rng, const char* const (&options)[N]) {
  return options[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
}

std::string generate(std::mt19937& rng) {
  static const char* const kMethods[] = {"GET", "POST", "HEAD", "OPTIONS", "CONNECT", "get",
                                         "PROPFIND", "G T", "", "GET\t", "M(", "DELETE"};
  static const char* const kTargets[] = {
      "/", "/a?b=c", "*", "http://a/x", "https://[::1]:8/", "a:80", "http://", "/#x", "/\x7f",
      "/\xc3\xa9", "http://u@a/", "", "//x", "HTTP://A", "http://a?q", "ex.com:443", "/a b"};
  static const char* const kVersions[] = {"HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0",
                                          "HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/1.1 ", "",
                                          "HTTP/1.10", "HTTP/1"};
  static const char* const kNames[] = {"Host", "Host", "host", "Content-Length", "content-length",
                                       "Transfer-Encoding", "Connection", "Expect", "X-A", "X A",
                                       "Host ", "", "Transfer_Encoding", "X\x01", "\xc3\xa9"};
  static const char* const kValues[] = {
      "a", "5", "0", "05", "chunked", " chunked\t", "gzip, chunked", "chunked, chunked", "close",
      "keep-alive", "100-continue", "foo", "a b", "[::1]:80", "", "5, 5", "\x01", "\xc3\xa9",
      "1:2", "chunked;q=1", "xchunked", "Keep-Alive, Close", "9223372036854775808", "a\rb",
      ",", "100-Continue, 100-continue", "example.com:8080", "a\x7f"};
  static const char* const kEnds[] = {"\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r"};
  // Half of the inputs are built from valid pieces only, so acceptances are well covered.
  static const char* const kCleanRequestLines[] = {
      "GET / HTTP/1.1", "POST /a?b HTTP/1.1", "GET http://a/x HTTP/1.1", "OPTIONS * HTTP/1.1",
      "CONNECT a:443 HTTP/1.1", "HEAD /x HTTP/1.0", "PUT /p HTTP/1.1"};
  static const char* const kCleanFields[] = {
      "Host: a", "Host: a", "Host: a", "Host: [::1]:80", "Content-Length: 5",
      "Transfer-Encoding: chunked", "Connection: close", "Connection: keep-alive",
      "Expect: 100-continue", "X-A: b", "Accept: */*", "User-Agent: t/1.0", "Host: e.com:8080"};
  std::uniform_int_distribution<int> percent(0, 99);
  const bool clean = percent(rng) < 50;
  std::string s;
  if (percent(rng) < 5) s += "\r\n";
  if (clean) {
    s += pick(rng, kCleanRequestLines);
    s += "\r\n";
  } else {
    s += std::string(pick(rng, kMethods)) + " " + pick(rng, kTargets) + " " + pick(rng, kVersions);
    s += pick(rng, kEnds);
  }
  const int fields = std::uniform_int_distribution<int>(0, 6)(rng);
  for (int i = 0; i < fields; ++i) {
    if (clean) {
      s += std::string(pick(rng, kCleanFields)) + "\r\n";
      continue;
    }
    if (percent(rng) < 3) s += " folded";
    s += std::string(pick(rng, kNames)) + ":";
    if (percent(rng) < 70) s += percent(rng) < 50 ? " " : " \t";
    s += pick(rng, kValues);
    if (percent(rng) < 10) s += " ";
    s += pick(rng, kEnds);
  }
  s += clean ? "\r\n" : pick(rng, kEnds);
  if (percent(rng) < 20) s += "GET / HTTP/1.1\r\n";  // a pipelined follower
  if (percent(rng) < 15 && !s.empty()) {
    s[std::uniform_int_distribution<size_t>(0, s.size() - 1)(rng)] =
        "\r\n \t:,\0;\x80"[percent(rng) % 9];
  }
  if (percent(rng) < 20) s.resize(std::uniform_int_distribution<size_t>(0, s.size())(rng));
  return s;
}

Outcome without_reason(Outcome o) {
  o.reason.clear();
  return o;
}

void run_differential(const Limits& limits, uint32_t seed, int iterations) {
  std::mt19937 rng(seed);
  int done = 0, errors = 0;
  for (int i = 0; i < iterations; ++i) {
    const std::string input = generate(rng);
    const Outcome real = without_reason(testing::parse_once(input, limits));
    const Outcome expected = oracle(input, limits);
    ASSERT_EQ(real, expected) << "input #" << i << ": " << ::testing::PrintToString(input);
    if (i % 4 == 0) {
      ASSERT_EQ(without_reason(testing::parse_bytewise(input, limits).first), expected)
          << "byte-at-a-time, input #" << i << ": " << ::testing::PrintToString(input);
    }
    done += real.status == ParseStatus::kDone;
    errors += real.status == ParseStatus::kError;
  }
  // The generator must exercise both verdicts, or the comparison proves little.
  EXPECT_GT(done, iterations / 20);
  EXPECT_GT(errors, iterations / 4);
}

TEST(H1ParserOracle, AgreesOnGeneratedInputsDefaultLimits) {
  run_differential(Limits{}, 12345, 20000);
}

TEST(H1ParserOracle, AgreesOnGeneratedInputsTinyLimits) {
  Limits tiny;
  tiny.max_request_line = 24;
  tiny.max_field_line = 20;
  tiny.max_head = 120;
  tiny.max_headers = 3;
  tiny.max_content_length = 4;
  run_differential(tiny, 777, 20000);
}

TEST(H1ParserOracle, OracleItselfSeesTheObviousCases) {
  // Guards against an oracle that agrees because it is broken the same way.
  EXPECT_EQ(oracle("GET / HTTP/1.1\r\nHost: a\r\n\r\n", Limits{}).status, ParseStatus::kDone);
  EXPECT_EQ(oracle("GET / HTTP/1.1\r\n\r\n", Limits{}).http_status, 400);
  EXPECT_EQ(oracle("GET / HTTP/2.0\r\n\r\n", Limits{}).http_status, 505);
  EXPECT_EQ(oracle("GET / HTTP/1.1\r\nHost: a\r\n", Limits{}).status, ParseStatus::kNeedMore);
}

}  // namespace
}  // namespace zs::http::h1
