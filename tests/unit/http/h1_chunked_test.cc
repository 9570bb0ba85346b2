// Table-driven tests for the chunked body decoder: valid bodies must decode to the same bytes
// and end at the same offset however the input is split; every "Funky Chunks" / A11-A15 vector
// must fail with the expected status in every feeding. Trailers are checked and discarded.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "h1_test_support.hh"
#include "http/h1/chunked.hh"

namespace zs::http::h1 {
namespace {

using namespace std::string_literals;

struct Decoded {
  ChunkStatus status = ChunkStatus::kNeedMore;
  std::string data;
  size_t consumed = 0;  // total input bytes consumed
  uint16_t http_status = 0;
  std::string reason;
  bool operator==(const Decoded&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Decoded& d) {
  return os << "{status=" << int(d.status) << " data='" << d.data << "' consumed=" << d.consumed
            << " http=" << d.http_status << " reason='" << d.reason << "'}";
}

// Feeds `bytes` in pieces ending at each cut and at the end; unconsumed bytes are carried over
// in a fresh buffer, as a connection would after recycling its receive buffer.
Decoded decode_pieces(const std::string& bytes, std::vector<size_t> cuts,
                      const ChunkedLimits& limits = ChunkedLimits{}) {
  ChunkedDecoder decoder(limits);
  Decoded out;
  std::string pending;
  size_t fed = 0;
  cuts.push_back(bytes.size());
  for (size_t end : cuts) {
    pending += bytes.substr(fed, end - fed);
    fed = end;
    while (true) {
      const std::string buf = pending;
      const ChunkResult r = decoder.decode(buf);
      EXPECT_LE(r.consumed, buf.size());
      if (r.status == ChunkStatus::kError) {
        // Where the failing call started depends on the split; the data before it does not.
        out.consumed = 0;
        out.status = r.status;
        out.http_status = r.http_status;
        out.reason = std::string(r.reason);
        return out;
      }
      out.consumed += r.consumed;
      pending.erase(0, r.consumed);
      if (r.status == ChunkStatus::kDone) {
        out.status = r.status;
        EXPECT_TRUE(decoder.done());
        EXPECT_EQ(decoder.decoded_total(), out.data.size());
        return out;
      }
      if (r.status == ChunkStatus::kNeedMore) {
        EXPECT_EQ(r.consumed, buf.size());
        break;
      }
      // kData: the view is the tail of the consumed prefix and never empty.
      EXPECT_FALSE(r.data.empty());
      EXPECT_EQ(r.data.data() + r.data.size(), buf.data() + r.consumed);
      out.data += std::string(r.data);
    }
  }
  return out;
}

void expect_feedings_agree(const std::string& bytes, const Decoded& once,
                           const ChunkedLimits& limits) {
  std::vector<size_t> every_byte;
  for (size_t i = 1; i < bytes.size(); ++i) every_byte.push_back(i);
  EXPECT_EQ(decode_pieces(bytes, every_byte, limits), once) << "byte-at-a-time differs";
  if (bytes.size() > 4096) return;
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    ASSERT_EQ(decode_pieces(bytes, {cut}, limits), once) << "split at " << cut;
  }
}

// ---------------------------------------------------------------------------------------------

struct ValidRow {
  std::string name;
  std::string bytes;
  std::string data;
  size_t consumed = 0;  // 0 = all of bytes
};

// gtest prints a failing row by its name, not its bytes.
void PrintTo(const ValidRow& row, std::ostream* os) { *os << row.name; }

std::vector<ValidRow> valid_rows() {
  return {
      {"single", "5\r\nhello\r\n0\r\n\r\n", "hello"},
      {"empty_body", "0\r\n\r\n", ""},
      {"two_chunks", "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", "abcde"},
      {"one_byte_chunks", "1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n", "abc"},
      {"hex_upper", "A\r\n0123456789\r\n0\r\n\r\n", "0123456789"},
      {"hex_lower", "a\r\n0123456789\r\n0\r\n\r\n", "0123456789"},
      {"hex_mixed_multi_digit", "1A\r\n" + std::string(26, 'z') + "\r\n0\r\n\r\n",
       std::string(26, 'z')},
      {"leading_zeros", "0005\r\nhello\r\n0\r\n\r\n", "hello"},
      {"sixteen_digits", "0000000000000005\r\nhello\r\n0\r\n\r\n", "hello"},
      {"last_chunk_zeros", "3\r\nabc\r\n000\r\n\r\n", "abc"},
      {"data_with_crlf_inside", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n"},
      {"data_binary", "3\r\n\0\xff\n\r\n0\r\n\r\n"s, "\0\xff\n"s},
      {"extension_name", "5;foo\r\nhello\r\n0\r\n\r\n", "hello"},
      {"extension_value", "5;foo=bar\r\nhello\r\n0;baz=1\r\n\r\n", "hello"},
      {"extension_quoted", "5;a=\"b c;d\"\r\nhello\r\n0\r\n\r\n", "hello"},
      {"extension_multiple", "5;a;b=c;d\r\nhello\r\n0\r\n\r\n", "hello"},
      {"extension_tab", "5;a=\tb\r\nhello\r\n0\r\n\r\n", "hello"},
      {"extension_4096", "5;" + std::string(4096, 'e') + "\r\nhello\r\n0\r\n\r\n", "hello"},
      {"trailer_one", "5\r\nhello\r\n0\r\nX-T: v\r\n\r\n", "hello"},
      {"trailer_two", "5\r\nhello\r\n0\r\nA: 1\r\nB: 2\r\n\r\n", "hello"},
      {"trailer_empty_value", "0\r\nX:\r\n\r\n", ""},
      {"trailer_obs_text", "0\r\nX: caf\xc3\xa9\r\n\r\n", ""},
      {"A15_trailer_content_length", "5\r\nhello\r\n0\r\nContent-Length: 99\r\n\r\n", "hello"},
      {"A15_trailer_te_host_auth",
       "0\r\nTransfer-Encoding: chunked\r\nHost: evil\r\nAuthorization: x\r\n\r\n", ""},
      {"trailer_line_8192", "0\r\nX:" + std::string(8190, 'v') + "\r\n\r\n", ""},
      {"next_request_follows", "5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n", "hello",
       std::string("5\r\nhello\r\n0\r\n\r\n").size()},
      {"garbage_follows", "0\r\n\r\n\x01\x02", "", 5},
      {"hundred_trailers",
       [] {
         std::string s = "0\r\n";
         for (int i = 0; i < 100; ++i) s += "t:v\r\n";
         return s + "\r\n";
       }(),
       ""},
      {"big_chunk", "2710\r\n" + std::string(10000, 'b') + "\r\n0\r\n\r\n", std::string(10000, 'b')},
  };
}

class ChunkedValid : public ::testing::TestWithParam<ValidRow> {};

TEST_P(ChunkedValid, DecodesTheSameInEveryFeeding) {
  const ValidRow& row = GetParam();
  const Decoded once = decode_pieces(row.bytes, {});
  ASSERT_EQ(once.status, ChunkStatus::kDone) << once;
  EXPECT_EQ(once.data, row.data);
  EXPECT_EQ(once.consumed, row.consumed == 0 ? row.bytes.size() : row.consumed);
  expect_feedings_agree(row.bytes, once, ChunkedLimits{});
}

INSTANTIATE_TEST_SUITE_P(Rows, ChunkedValid, ::testing::ValuesIn(valid_rows()),
                         testing::RowName{});

// ---------------------------------------------------------------------------------------------

struct InvalidRow {
  std::string name;
  std::string bytes;
  uint16_t status = 400;
  std::string reason;  // expected substring
};

// gtest prints a failing row by its name, not its bytes.
void PrintTo(const InvalidRow& row, std::ostream* os) { *os << row.name; }

std::vector<InvalidRow> invalid_rows() {
  std::vector<InvalidRow> rows = {
      // A11: chunk-size syntax.
      {"A11_overflow_18_digits", "fffffffffffffffff1\r\nx\r\n0\r\n\r\n", 400, "overflow"},
      {"A11_overflow_2pow64_minus_1", "ffffffffffffffff\r\n", 400, "overflow"},
      {"A11_overflow_2pow63", "8000000000000000\r\n", 400, "overflow"},
      {"A11_seventeen_digits", "00000000000000005\r\nhello\r\n0\r\n\r\n", 400, "overflow"},
      {"A11_negative", "-5\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"},
      {"A11_0x_prefix", "0x5\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"},
      {"A11_0X_prefix", "0X5\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"},
      {"A11_leading_space", " 5\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"},
      {"A11_leading_tab", "\t5\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"},
      {"A11_trailing_space", "5 \r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"},
      {"A11_trailing_tab", "5\t\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"},
      {"A11_space_before_ext", "5 ;x\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"},
      {"A11_plus", "+5\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"},
      {"A11_underscore", "1_0\r\n0123456789abcdef\r\n0\r\n\r\n", 400, "invalid chunk size"},
      {"A11_empty_size", "\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"},
      {"A11_non_hex", "g\r\n", 400, "invalid chunk size"},
      {"A11_semicolon_only", ";x\r\n", 400, "invalid chunk size"},
      {"A11_nul_after_size", "5\0\r\nhello\r\n0\r\n\r\n"s, 400, "invalid chunk size"},
      {"A11_comma_list", "5,5\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"},
      {"A11_fullwidth_digit", "\xef\xbc\x95\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"},
      {"A11_last_chunk_trailing_space", "0 \r\n\r\n", 400, "invalid chunk size"},
      // A13: line terminators.
      {"A13_bare_lf_after_size", "5\nhello\r\n0\r\n\r\n", 400, "bare LF after chunk size"},
      {"A13_bare_lf_after_last_size", "0\n\r\n", 400, "bare LF after chunk size"},
      {"A13_bare_cr_after_size", "5\rhello\r\n0\r\n\r\n", 400, "bare CR in chunk size line"},
      {"A13_bare_lf_in_extension", "5;x\nhello\r\n0\r\n\r\n", 400, "bare LF in chunk extension"},
      {"A13_bare_cr_in_extension", "5;x\ry\r\nhello\r\n0\r\n\r\n", 400, "bare CR"},
      {"A13_nul_in_extension", "5;x\0y\r\nhello\r\n0\r\n\r\n"s, 400, "chunk extension"},
      {"A13_del_in_extension", "5;x\x7f\r\nhello\r\n0\r\n\r\n", 400, "chunk extension"},
      {"A13_lf_data_terminator", "5\r\nhello\n0\r\n\r\n", 400, "bare LF"},
      {"A13_cr_data_terminator", "5\r\nhello\r0\r\n\r\n", 400, "bare CR after chunk data"},
      {"A13_lf_only_final", "0\r\n\n", 400, "bare LF in trailer section"},
      {"A13_cr_only_final", "0\r\n\rX", 400, "bare CR at end"},
      {"A13_all_lf", "5\nhello\n0\n\n", 400, "bare LF"},
      // A12: runaway chunk.
      {"A12_runaway_chunk", "4\r\nSEE-THIS\r\n0\r\n\r\n", 400, "longer than its size"},
      {"A12_one_byte_too_many", "5\r\nhello!\r\n0\r\n\r\n", 400, "longer than its size"},
      {"A12_missing_data_crlf", "5\r\nhello0\r\n\r\n", 400, "longer than its size"},
      {"A12_short_chunk_eats_crlf", "5\r\nhell\r\n0\r\n\r\n", 400, "ended by bare LF"},
      // A14: extension caps.
      {"A14_extension_4097", "5;" + std::string(4097, 'e') + "\r\nhello\r\n0\r\n\r\n", 400,
       "extensions too long"},
      {"A14_extension_64k", "5;" + std::string(64 * 1024, 'a') + "\r\nhello\r\n0\r\n\r\n", 400,
       "extensions too long"},
      {"A14_many_chunks_with_extensions",
       [] {
         std::string s;
         for (int i = 0; i < 20; ++i) s += "1;" + std::string(4000, 'e') + "\r\nx\r\n";
         return s + "0\r\n\r\n";
       }(),
       400, "extensions too long"},
      // Trailers: syntax and limits.
      {"trailer_obs_fold", "0\r\nX: a\r\n b\r\n\r\n", 400, "obs-fold"},
      {"trailer_space_before_colon", "0\r\nX : a\r\n\r\n", 400, "whitespace before colon"},
      {"trailer_nul_value", "0\r\nX: a\0\r\n\r\n"s, 400, "invalid character in trailer"},
      {"trailer_bare_cr_value", "0\r\nX: a\rb\r\n\r\n", 400, "bare CR in trailer"},
      {"trailer_bare_lf", "0\r\nX: a\n\r\n", 400, "invalid character in trailer"},
      {"trailer_no_colon", "0\r\nX\r\n\r\n", 400, "trailer field name"},
      {"trailer_empty_name", "0\r\n: a\r\n\r\n", 400, "trailer field name"},
      {"trailer_high_byte_name", "0\r\n\xc3\xa9: a\r\n\r\n", 400, "trailer field name"},
      {"trailer_line_8193", "0\r\nX:" + std::string(8191, 'v') + "\r\n\r\n", 431,
       "trailer field line too long"},
      {"trailer_101_fields",
       [] {
         std::string s = "0\r\n";
         for (int i = 0; i < 101; ++i) s += "t:v\r\n";
         return s + "\r\n";
       }(),
       431, "too many trailer fields"},
      {"trailer_section_over_64k",
       [] {
         std::string s = "0\r\n";
         for (int i = 0; i < 9; ++i) s += "t:" + std::string(8000, 'v') + "\r\n";
         return s + "\r\n";
       }(),
       431, "trailer section too large"},
  };
  return rows;
}

class ChunkedInvalid : public ::testing::TestWithParam<InvalidRow> {};

TEST_P(ChunkedInvalid, RejectedInEveryFeeding) {
  const InvalidRow& row = GetParam();
  const Decoded once = decode_pieces(row.bytes, {});
  ASSERT_EQ(once.status, ChunkStatus::kError) << once;
  EXPECT_EQ(once.http_status, row.status);
  EXPECT_NE(once.reason.find(row.reason), std::string::npos) << once.reason;
  expect_feedings_agree(row.bytes, once, ChunkedLimits{});
}

INSTANTIATE_TEST_SUITE_P(Rows, ChunkedInvalid, ::testing::ValuesIn(invalid_rows()),
                         testing::RowName{});

// ---------------------------------------------------------------------------------------------

TEST(ChunkedDecoder, IncompleteBodiesNeedMore) {
  for (const std::string& s : {""s, "5"s, "5\r"s, "5\r\nhel"s, "5\r\nhello"s, "5\r\nhello\r"s,
                               "5;ext"s, "0\r\n"s, "0\r\nX: a"s, "0\r\nX: a\r\n"s, "0\r\n\r"s,
                               "7fffffffffffffff\r\n"s}) {
    const Decoded d = decode_pieces(s, {});
    EXPECT_EQ(d.status, ChunkStatus::kNeedMore) << s << " " << d;
    EXPECT_EQ(d.consumed, s.size()) << s;
  }
}

TEST(ChunkedDecoder, BodyLimitIs413BeforeTheData) {
  ChunkedLimits limits;
  limits.max_body = 10;
  EXPECT_EQ(decode_pieces("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", {}, limits).data, "helloworld");
  const std::string over = "5\r\nhello\r\n6\r\n";  // no data for the second chunk yet
  const Decoded d = decode_pieces(over, {}, limits);
  EXPECT_EQ(d.status, ChunkStatus::kError);
  EXPECT_EQ(d.http_status, 413);
  ChunkedLimits none;
  none.max_body = 0;
  EXPECT_EQ(decode_pieces("0\r\n\r\n", {}, none).status, ChunkStatus::kDone);
  EXPECT_EQ(decode_pieces("1\r\n", {}, none).http_status, 413);
}

TEST(ChunkedDecoder, DecodedTotalCountsAnnouncedBytes) {
  ChunkedDecoder d;
  const ChunkResult r = d.decode("a\r\n01234");
  ASSERT_EQ(r.status, ChunkStatus::kData);
  EXPECT_EQ(r.data, "01234");
  EXPECT_EQ(d.decoded_total(), 10u);
}

TEST(ChunkedDecoder, DoneAndErrorAreSticky) {
  ChunkedDecoder d;
  ASSERT_EQ(d.decode("0\r\n\r\n").status, ChunkStatus::kDone);
  const ChunkResult again = d.decode("5\r\nhello");
  EXPECT_EQ(again.status, ChunkStatus::kDone);
  EXPECT_EQ(again.consumed, 0u);
  d.reset();
  ASSERT_EQ(d.decode("x").status, ChunkStatus::kError);
  EXPECT_EQ(d.decode("0\r\n\r\n").status, ChunkStatus::kError);
  d.reset();
  EXPECT_EQ(d.decode("0\r\n\r\n").status, ChunkStatus::kDone);
  EXPECT_EQ(d.decoded_total(), 0u);
}

TEST(ChunkedDecoder, ExtensionTotalCapAcrossChunks) {
  ChunkedLimits limits;
  limits.max_extension_total = 10;
  EXPECT_EQ(decode_pieces("1;abcde\r\nx\r\n0;abcde\r\n\r\n", {}, limits).status,
            ChunkStatus::kDone);
  EXPECT_EQ(decode_pieces("1;abcde\r\nx\r\n0;abcdef\r\n\r\n", {}, limits).http_status, 400);
}

// ---------------------------------------------------------------------------------------------
// Differential test against a slow oracle (STYLE.md rule 11): a whole-buffer, line-splitting
// decoder with no state machine. Generated bodies keep trailers small, so the oracle leaves out
// the trailer size limits (431), which have their own rows above.

bool oracle_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool oracle_ext_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7f);
}
bool oracle_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string("!#$%&'*+-.^_`|~").find(c) != std::string::npos;
}

// Is `text` (a whole chunk-size line without LF when `complete`, else the bytes so far) valid?
bool oracle_size_line(const std::string& text, bool complete, uint64_t& size, size_t& ext_len) {
  std::string line = text;
  if (complete) {
    if (line.empty() || line.back() != '\r') return false;
    line.pop_back();
  } else if (!line.empty() && line.back() == '\r') {
    line.pop_back();  // a CR at the very end may still be followed by its LF
  }
  size_t digits = 0;
  while (digits < line.size() && oracle_hex(line[digits])) ++digits;
  if (digits > 16 || (complete && digits == 0)) return false;
  size = digits == 0 ? 0 : std::stoull(line.substr(0, digits), nullptr, 16);
  if (size > 0x7fffffffffffffffull) return false;
  const std::string rest = line.substr(digits);
  if (rest.empty()) return text.empty() || digits > 0 || !complete;
  if (rest[0] != ';' || digits == 0) return false;
  ext_len = rest.size() - 1;
  return std::all_of(rest.begin() + 1, rest.end(), oracle_ext_char);
}

bool oracle_trailer_line(const std::string& text, bool complete) {
  std::string line = text;
  if (complete) {
    if (line.empty() || line.back() != '\r') return false;
    line.pop_back();
  } else if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  const size_t colon = line.find(':');
  const std::string name = line.substr(0, colon);
  if (!std::all_of(name.begin(), name.end(), oracle_tchar)) return false;
  if (colon == std::string::npos) return !complete && (text.empty() || text.back() != '\r');
  if (name.empty()) return false;
  return std::all_of(line.begin() + colon + 1, line.end(),
                     [](char c) { return oracle_ext_char(c); });
}

Decoded oracle_chunked(const std::string& b, const ChunkedLimits& lim) {
  Decoded o;
  const auto fail = [&](uint16_t status) {
    o.status = ChunkStatus::kError;
    o.http_status = status;
    o.consumed = 0;
    return o;
  };
  const auto need_more = [&] {
    o.consumed = b.size();
    return o;
  };
  size_t pos = 0;
  uint64_t total = 0, ext_total = 0;
  while (true) {  // chunks
    const size_t lf = b.find('\n', pos);
    const bool complete = lf != std::string::npos;
    uint64_t size = 0;
    size_t ext = 0;
    const bool ok = oracle_size_line(b.substr(pos, complete ? lf - pos : std::string::npos),
                                     complete, size, ext);
    if (ext > lim.max_extension || ext_total + ext > lim.max_extension_total) return fail(400);
    if (!ok) return fail(400);
    if (!complete) return need_more();
    ext_total += ext;
    pos = lf + 1;
    if (size == 0) break;
    if (total + size > lim.max_body || total + size < total) return fail(413);
    total += size;
    const size_t avail = std::min<uint64_t>(size, b.size() - pos);
    o.data += b.substr(pos, avail);
    if (avail < size) return need_more();
    pos += avail;
    if (pos == b.size()) return need_more();
    if (b[pos] != '\r') return fail(400);
    if (pos + 1 == b.size()) return need_more();
    if (b[pos + 1] != '\n') return fail(400);
    pos += 2;
  }
  while (true) {  // trailer lines, then the blank line
    const size_t lf = b.find('\n', pos);
    const bool complete = lf != std::string::npos;
    const std::string text = b.substr(pos, complete ? lf - pos : std::string::npos);
    if (text == "\r" && complete) {
      o.status = ChunkStatus::kDone;
      o.consumed = lf + 1;
      return o;
    }
    if (text == "\r" || text.empty()) {
      if (complete) return fail(400);  // bare LF
      return need_more();
    }
    if (!oracle_trailer_line(text, complete)) return fail(400);
    if (!complete) return need_more();
    pos = lf + 1;
  }
}

std::string generate_body(std::mt19937& rng) {
  std::uniform_int_distribution<int> percent(0, 99);
  static const char* const kExts[] = {"", "", "", ";a", ";a=b", ";a=\"b c\"", "; a", ";\t", ";x\x01",
                                      ";\xc3\xa9"};
  static const char* const kEnds[] = {"\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r"};
  std::string s;
  const int chunks = std::uniform_int_distribution<int>(0, 4)(rng);
  for (int i = 0; i < chunks; ++i) {
    const int n = std::uniform_int_distribution<int>(1, 20)(rng);
    char size[32];
    std::snprintf(size, sizeof size, percent(rng) < 50 ? "%x" : "%X", n);
    if (percent(rng) < 10) s += "00";
    s += size;
    s += kExts[std::uniform_int_distribution<size_t>(0, std::size(kExts) - 1)(rng)];
    s += kEnds[std::uniform_int_distribution<size_t>(0, std::size(kEnds) - 1)(rng)];
    for (int j = 0; j < n + (percent(rng) < 5 ? 1 : 0) - (percent(rng) < 5 ? 1 : 0); ++j) {
      s += "ab\r\n x"[percent(rng) % 6];
    }
    s += kEnds[std::uniform_int_distribution<size_t>(0, std::size(kEnds) - 1)(rng)];
  }
  s += "0";
  s += kExts[std::uniform_int_distribution<size_t>(0, std::size(kExts) - 1)(rng)];
  s += "\r\n";
  const int trailers = std::uniform_int_distribution<int>(0, 2)(rng);
  for (int i = 0; i < trailers; ++i) {
    s += percent(rng) < 90 ? "X-T: v" : (percent(rng) < 50 ? " X: v" : "X : v");
    s += kEnds[std::uniform_int_distribution<size_t>(0, std::size(kEnds) - 1)(rng)];
  }
  s += kEnds[std::uniform_int_distribution<size_t>(0, std::size(kEnds) - 1)(rng)];
  if (percent(rng) < 20) s += "GET / HTTP/1.1\r\n";
  if (percent(rng) < 15) {
    s[std::uniform_int_distribution<size_t>(0, s.size() - 1)(rng)] =
        std::string("\r\n ;x0-+\t\0g", 11)[size_t(percent(rng)) % 11];
  }
  if (percent(rng) < 20) s.resize(std::uniform_int_distribution<size_t>(0, s.size())(rng));
  return s;
}

TEST(ChunkedOracle, AgreesOnGeneratedBodies) {
  std::mt19937 rng(4242);
  int done = 0, errors = 0;
  for (int i = 0; i < 20000; ++i) {
    ChunkedLimits lim;
    lim.max_trailer_line = lim.max_trailer_section = 1 << 20;
    lim.max_trailers = 1000;
    lim.max_extension = 6;
    lim.max_extension_total = 12;
    if (i % 3 == 0) lim.max_body = 30;
    const std::string body = generate_body(rng);
    Decoded real = decode_pieces(body, {}, lim);
    real.reason.clear();
    const Decoded expected = oracle_chunked(body, lim);
    ASSERT_EQ(real, expected) << "body #" << i << ": " << ::testing::PrintToString(body);
    if (i % 4 == 0) {
      std::vector<size_t> every_byte;
      for (size_t k = 1; k < body.size(); ++k) every_byte.push_back(k);
      Decoded split = decode_pieces(body, every_byte, lim);
      split.reason.clear();
      ASSERT_EQ(split, expected) << "byte-at-a-time, body #" << i;
    }
    done += real.status == ChunkStatus::kDone;
    errors += real.status == ChunkStatus::kError;
  }
  EXPECT_GT(done, 2000);
  EXPECT_GT(errors, 2000);
}

}  // namespace
}  // namespace zs::http::h1
