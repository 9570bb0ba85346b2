// MIME table (reference §2e), conditional requests (§2g; RFC 9110 §13) and byte ranges
// (§2g; RFC 9110 §14, multipart/byteranges §14.6), as tables of raw header values.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/http_date.hh"
#include "site/conditional.hh"
#include "site/mime.hh"
#include "site/range.hh"

namespace zs::site {
namespace {

constexpr std::string_view kEtag = "\"0123456789abcdef0123456789abcdef\"";
constexpr std::string_view kBare = "0123456789abcdef0123456789abcdef";
constexpr int64_t kMtime = 1700000000;  // Tue, 14 Nov 2023 22:13:20 GMT

std::string date(int64_t t) {
  char buf[kHttpDateLen];
  format_http_date(t, buf);
  return std::string(buf, kHttpDateLen);
}

// --- MIME ---

struct MimeRow {
  std::string path;
  std::string type;
};

class MimeTable : public ::testing::TestWithParam<MimeRow> {};

TEST_P(MimeTable, TypeForPath) { EXPECT_EQ(mime_type_for(GetParam().path), GetParam().type); }

INSTANTIATE_TEST_SUITE_P(
    Site, MimeTable,
    ::testing::Values(MimeRow{"index.html", "text/html; charset=utf-8"},
                      MimeRow{"a/b/page.htm", "text/html; charset=utf-8"},
                      MimeRow{"INDEX.HTML", "text/html; charset=utf-8"},
                      MimeRow{"s.css", "text/css; charset=utf-8"},
                      MimeRow{"app.js", "application/javascript; charset=utf-8"},
                      MimeRow{"d.Json", "application/json; charset=utf-8"},
                      MimeRow{"i.png", "image/png"}, MimeRow{"i.jpg", "image/jpeg"},
                      MimeRow{"i.JPEG", "image/jpeg"}, MimeRow{"i.gif", "image/gif"},
                      MimeRow{"i.svg", "image/svg+xml"}, MimeRow{"m.wasm", "application/wasm"},
                      MimeRow{"r.txt", "text/plain; charset=utf-8"},
                      MimeRow{"f.xml", "application/xml"}, MimeRow{"favicon.ico", "image/x-icon"},
                      MimeRow{"archive.tar.gz", "application/octet-stream"},
                      MimeRow{"noext", "application/octet-stream"},
                      MimeRow{".htaccess", "application/octet-stream"},
                      MimeRow{"dir/.html", "application/octet-stream"},
                      MimeRow{"trailing.", "application/octet-stream"},
                      MimeRow{"dir.html/file", "application/octet-stream"},
                      MimeRow{"x.html.bak", "application/octet-stream"},
                      MimeRow{"", "application/octet-stream"},
                      MimeRow{"weird.pdf", "application/octet-stream"}));

TEST(Mime, TableIsLowercaseAndComplete) {
  EXPECT_EQ(mime_table().size(), 14u);
  for (const MimeMapping& m : mime_table()) {
    for (char c : m.extension) EXPECT_FALSE(c >= 'A' && c <= 'Z') << m.extension;
    EXPECT_EQ(mime_type_for("x." + std::string(m.extension)), m.type);
  }
}

// --- Conditionals ---

struct CondRow {
  const char* name;
  std::optional<std::string> inm;
  std::optional<std::string> ims;
  int64_t mtime;
  ConditionalOutcome expect;
};

class ConditionalTable : public ::testing::TestWithParam<CondRow> {};

TEST_P(ConditionalTable, Decides) {
  const CondRow& r = GetParam();
  std::optional<std::string_view> inm, ims;
  if (r.inm) inm = *r.inm;
  if (r.ims) ims = *r.ims;
  EXPECT_EQ(evaluate_conditional(inm, ims, kEtag, r.mtime), r.expect) << r.name;
}

constexpr auto kServe = ConditionalOutcome::kServe;
constexpr auto k304 = ConditionalOutcome::kNotModified;
const std::string kE(kEtag);

INSTANTIATE_TEST_SUITE_P(
    Site, ConditionalTable,
    ::testing::Values(
        CondRow{"none", std::nullopt, std::nullopt, kMtime, kServe},
        CondRow{"inm_exact", kE, std::nullopt, kMtime, k304},
        CondRow{"inm_weak_theirs", "W/" + kE, std::nullopt, kMtime, k304},
        CondRow{"inm_other", "\"other\"", std::nullopt, kMtime, kServe},
        CondRow{"inm_list_second", "\"other\", " + kE, std::nullopt, kMtime, k304},
        CondRow{"inm_list_weak_spaced", "W/\"x\" ,  W/" + kE + " ", std::nullopt, kMtime, k304},
        CondRow{"inm_comma_inside_tag", "\"a," + std::string(kBare) + "\"", std::nullopt, kMtime, kServe},
        CondRow{"inm_comma_inside_then_ours", "\"a,b\"," + kE, std::nullopt, kMtime, k304},
        CondRow{"inm_star", "*", std::nullopt, kMtime, k304},
        CondRow{"inm_star_spaced", "  *  ", std::nullopt, kMtime, k304},
        CondRow{"inm_bare_hex", std::string(kBare), std::nullopt, kMtime, k304},
        CondRow{"inm_unterminated", "\"0123456789abcdef", std::nullopt, kMtime, kServe},
        CondRow{"inm_prefix_only", "\"0123456789abcdef0123456789abcde\"", std::nullopt, kMtime, kServe},
        CondRow{"inm_empty_decides", "", date(kMtime + 10), kMtime, kServe},
        CondRow{"inm_mismatch_beats_ims", "\"other\"", date(kMtime + 10), kMtime, kServe},
        CondRow{"inm_match_beats_old_ims", kE, date(kMtime - 10), kMtime, k304},
        CondRow{"ims_equal", std::nullopt, date(kMtime), kMtime, k304},
        CondRow{"ims_later", std::nullopt, date(kMtime + 1), kMtime, k304},
        CondRow{"ims_earlier", std::nullopt, date(kMtime - 1), kMtime, kServe},
        CondRow{"ims_rfc850", std::nullopt, "Tuesday, 14-Nov-23 22:13:20 GMT", kMtime, k304},
        CondRow{"ims_asctime", std::nullopt, "Tue Nov 14 22:13:20 2023", kMtime, k304},
        CondRow{"ims_asctime_earlier", std::nullopt, "Tue Nov 14 22:13:19 2023", kMtime, kServe},
        CondRow{"ims_spaces", std::nullopt, " " + date(kMtime) + " ", kMtime, k304},
        CondRow{"ims_garbage", std::nullopt, "yesterday", kMtime, kServe},
        CondRow{"ims_mtime_unknown", std::nullopt, date(kMtime), 0, kServe}),
    [](const auto& p) { return std::string(p.param.name); });

// --- Ranges ---

struct RangeRow {
  const char* name;
  std::optional<std::string> range;
  std::optional<std::string> if_range;
  uint64_t size;
  int64_t mtime;
  RangeOutcome expect;
  std::vector<ByteRange> ranges;
};

class RangeTable : public ::testing::TestWithParam<RangeRow> {};

TEST_P(RangeTable, Decides) {
  const RangeRow& r = GetParam();
  std::optional<std::string_view> range, if_range;
  if (r.range) range = *r.range;
  if (r.if_range) if_range = *r.if_range;
  const RangeDecision d = evaluate_range(range, if_range, r.size, kEtag, r.mtime);
  EXPECT_EQ(d.outcome, r.expect) << r.name;
  if (r.expect == RangeOutcome::kSatisfiable) {
    EXPECT_EQ(std::vector<ByteRange>(d.satisfiable().begin(), d.satisfiable().end()), r.ranges);
  }
}

constexpr auto kIgnore = RangeOutcome::kIgnore;
constexpr auto kSat = RangeOutcome::kSatisfiable;
constexpr auto k416 = RangeOutcome::kUnsatisfiable;

std::string many(int n) {
  std::string s = "bytes=";
  for (int i = 0; i < n; ++i) s += (i ? "," : "") + std::to_string(i * 10) + "-" + std::to_string(i * 10 + 4);
  return s;
}
std::vector<ByteRange> many_ranges(int n) {
  std::vector<ByteRange> v;
  for (int i = 0; i < n; ++i) v.push_back({static_cast<uint64_t>(i * 10), static_cast<uint64_t>(i * 10 + 4)});
  return v;
}

INSTANTIATE_TEST_SUITE_P(
    Site, RangeTable,
    ::testing::Values(
        RangeRow{"absent", std::nullopt, std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"first_half", "bytes=0-499", std::nullopt, 1000, kMtime, kSat, {{0, 499}}},
        RangeRow{"open_ended", "bytes=500-", std::nullopt, 1000, kMtime, kSat, {{500, 999}}},
        RangeRow{"suffix", "bytes=-200", std::nullopt, 1000, kMtime, kSat, {{800, 999}}},
        RangeRow{"suffix_larger_than_file", "bytes=-2000", std::nullopt, 1000, kMtime, kSat, {{0, 999}}},
        RangeRow{"suffix_equal_to_file", "bytes=-1000", std::nullopt, 1000, kMtime, kSat, {{0, 999}}},
        RangeRow{"suffix_zero", "bytes=-0", std::nullopt, 1000, kMtime, k416, {}},
        RangeRow{"first_byte", "bytes=0-0", std::nullopt, 1000, kMtime, kSat, {{0, 0}}},
        RangeRow{"last_byte", "bytes=999-999", std::nullopt, 1000, kMtime, kSat, {{999, 999}}},
        RangeRow{"end_clamped", "bytes=999-5000", std::nullopt, 1000, kMtime, kSat, {{999, 999}}},
        RangeRow{"end_u64_max", "bytes=0-18446744073709551615", std::nullopt, 1000, kMtime, kSat, {{0, 999}}},
        RangeRow{"start_at_size", "bytes=1000-", std::nullopt, 1000, kMtime, k416, {}},
        RangeRow{"start_past_size", "bytes=1000-2000", std::nullopt, 1000, kMtime, k416, {}},
        RangeRow{"start_u64_max", "bytes=18446744073709551615-", std::nullopt, 1000, kMtime, k416, {}},
        RangeRow{"end_before_start", "bytes=5-3", std::nullopt, 1000, kMtime, k416, {}},
        RangeRow{"empty_file_open", "bytes=0-", std::nullopt, 0, kMtime, k416, {}},
        RangeRow{"empty_file_suffix", "bytes=-5", std::nullopt, 0, kMtime, k416, {}},
        RangeRow{"unit_case_insensitive", "BYTES=0-4", std::nullopt, 1000, kMtime, kSat, {{0, 4}}},
        RangeRow{"outer_spaces", "  bytes=0-4  ", std::nullopt, 1000, kMtime, kSat, {{0, 4}}},
        RangeRow{"element_spaces", "bytes= 0-4 ", std::nullopt, 1000, kMtime, kSat, {{0, 4}}},
        RangeRow{"garbage", "bytes=abc", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"empty_set", "bytes=", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"only_commas", "bytes=,,", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"no_equals", "bytes", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"other_unit", "items=0-5", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"bare_dash", "bytes=-", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"two_dashes", "bytes=1-2-3", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"plus_sign", "bytes=+1-2", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"inner_spaces", "bytes=0 - 4", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"overflow", "bytes=18446744073709551616-", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"negative", "bytes=-5-10", std::nullopt, 1000, kMtime, kIgnore, {}},
        // Several ranges.
        RangeRow{"two", "bytes=0-99,200-299", std::nullopt, 1000, kMtime, kSat, {{0, 99}, {200, 299}}},
        RangeRow{"two_ows", "bytes=0-99 ,\t200-299", std::nullopt, 1000, kMtime, kSat, {{0, 99}, {200, 299}}},
        RangeRow{"empty_element", "bytes=0-99,,200-299,", std::nullopt, 1000, kMtime, kSat, {{0, 99}, {200, 299}}},
        RangeRow{"adjacent", "bytes=0-4,5-9", std::nullopt, 1000, kMtime, kSat, {{0, 4}, {5, 9}}},
        RangeRow{"with_suffix", "bytes=0-99,-100", std::nullopt, 1000, kMtime, kSat, {{0, 99}, {900, 999}}},
        RangeRow{"overlap_ignored", "bytes=0-99,50-150", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"duplicate_ignored", "bytes=0-1,0-1", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"unsorted_ignored", "bytes=200-299,0-99", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"suffix_first_unsorted", "bytes=-100,0-99", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"one_left_single", "bytes=0-99,2000-3000", std::nullopt, 1000, kMtime, kSat, {{0, 99}}},
        RangeRow{"zero_suffix_dropped", "bytes=-0,0-4", std::nullopt, 1000, kMtime, kSat, {{0, 4}}},
        RangeRow{"none_left", "bytes=2000-3000,5000-", std::nullopt, 1000, kMtime, k416, {}},
        RangeRow{"multi_malformed", "bytes=0-99,x", std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"sixteen", many(16), std::nullopt, 1000, kMtime, kSat, many_ranges(16)},
        RangeRow{"seventeen", many(17), std::nullopt, 1000, kMtime, kIgnore, {}},
        RangeRow{"multi_clamped_end", "bytes=0-9,990-5000", std::nullopt, 1000, kMtime, kSat, {{0, 9}, {990, 999}}},
        // If-Range.
        RangeRow{"ifrange_etag", "bytes=0-9", kE, 1000, kMtime, kSat, {{0, 9}}},
        RangeRow{"ifrange_etag_bare", "bytes=0-9", std::string(kBare), 1000, kMtime, kSat, {{0, 9}}},
        RangeRow{"ifrange_weak", "bytes=0-9", "W/" + kE, 1000, kMtime, kIgnore, {}},
        RangeRow{"ifrange_other_etag", "bytes=0-9", "\"other\"", 1000, kMtime, kIgnore, {}},
        RangeRow{"ifrange_date_exact", "bytes=0-9", date(kMtime), 1000, kMtime, kSat, {{0, 9}}},
        RangeRow{"ifrange_date_later", "bytes=0-9", date(kMtime + 1), 1000, kMtime, kIgnore, {}},
        RangeRow{"ifrange_date_earlier", "bytes=0-9", date(kMtime - 1), 1000, kMtime, kIgnore, {}},
        RangeRow{"ifrange_date_no_mtime", "bytes=0-9", date(0), 1000, 0, kIgnore, {}},
        RangeRow{"ifrange_garbage", "bytes=0-9", "garbage", 1000, kMtime, kIgnore, {}},
        RangeRow{"ifrange_without_range", std::nullopt, kE, 1000, kMtime, kIgnore, {}},
        RangeRow{"ifrange_then_416", "bytes=5000-", kE, 1000, kMtime, k416, {}},
        RangeRow{"ifrange_mismatch_no_416", "bytes=5000-", "\"other\"", 1000, kMtime, kIgnore, {}}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(Range, ContentRangeStrings) {
  EXPECT_EQ(content_range({0, 499}, 1000), "bytes 0-499/1000");
  EXPECT_EQ(unsatisfied_content_range(1000), "bytes */1000");
  EXPECT_EQ(multipart_boundary(kEtag), "zs-" + std::string(kBare));
}

TEST(Range, MultipartFramingExact) {
  const std::vector<ByteRange> ranges = {{0, 4}, {10, 19}};
  const MultipartFraming f = build_multipart(ranges, "text/plain", 100, "B");
  EXPECT_EQ(f.content_type, "multipart/byteranges; boundary=B");
  ASSERT_EQ(f.parts.size(), 2u);
  EXPECT_EQ(f.parts[0].header, "--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-4/100\r\n\r\n");
  EXPECT_EQ(f.parts[1].header,
            "\r\n--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 10-19/100\r\n\r\n");
  EXPECT_EQ(f.closing, "\r\n--B--\r\n");
  // 63 (part 0 header) + 5 + 67 (part 1 header) + 10 + 9 (closing) = 154, counted by hand.
  EXPECT_EQ(f.content_length, 154u);
}

TEST(Range, MultipartBodyLengthMatchesAndParses) {
  std::string data(1000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
  const RangeDecision d = evaluate_range("bytes=0-9,100-199,-50", std::nullopt, data.size(), kEtag, kMtime);
  ASSERT_EQ(d.outcome, RangeOutcome::kSatisfiable);
  ASSERT_EQ(d.count, 3u);
  const std::string boundary = multipart_boundary(kEtag);
  const MultipartFraming f = build_multipart(d.satisfiable(), "text/html; charset=utf-8", data.size(), boundary);
  std::string body;
  for (const auto& part : f.parts) {
    body += part.header;
    body += data.substr(part.range.first, part.range.length());
  }
  body += f.closing;
  EXPECT_EQ(body.size(), f.content_length);
  // Re-parse the body as a client would: split on the delimiter.
  const std::string delim = "--" + boundary;
  std::vector<std::string> chunks;
  size_t pos = 0;
  while ((pos = body.find(delim, pos)) != std::string::npos) {
    const size_t start = pos + delim.size();
    const size_t next = body.find("\r\n" + delim, start);
    if (next == std::string::npos) break;
    chunks.push_back(body.substr(start, next - start));
    pos = next + 2;
  }
  ASSERT_EQ(chunks.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const size_t hdr_end = chunks[i].find("\r\n\r\n");
    ASSERT_NE(hdr_end, std::string::npos);
    EXPECT_NE(chunks[i].find("Content-Range: " + content_range(d.ranges[i], 1000)), std::string::npos);
    EXPECT_EQ(chunks[i].substr(hdr_end + 4), data.substr(d.ranges[i].first, d.ranges[i].length()));
  }
  EXPECT_TRUE(body.ends_with("\r\n" + delim + "--\r\n"));
}

}  // namespace
}  // namespace zs::site
