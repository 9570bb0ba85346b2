// Malformed and hostile archives (reliability catalogue 2.H: H1-H9, H11), generated here by
// patching builder output. Each must be rejected, and the message must name what is wrong,
// the entry (when a name is known) and the header's byte offset.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "site/tar_index.hh"
#include "unit/site/tar_builder.hh"

namespace zs::site {
namespace {

using testing::kOffChecksum;
using testing::kOffMtime;
using testing::kOffName;
using testing::kOffSize;
using testing::Member;
using testing::TarBuilder;

struct BadCase {
  const char* name;
  std::function<std::string()> make;
  std::vector<std::string> expect;  // substrings of the error message
  IndexLimits limits{};
};

std::string with_end(TarBuilder& b) {
  b.zero_blocks(2);
  return b.bytes();
}

std::string b256(std::initializer_list<uint8_t> bytes) {
  std::string f(12, '\0');
  size_t i = 0;
  for (uint8_t v : bytes) f[i++] = static_cast<char>(v);
  return f;
}

// A good first entry, so offsets in messages are not trivially 0.
TarBuilder lead() {
  TarBuilder b;
  b.file("ok.txt", "fine");
  return b;
}

std::string size_field_case(std::string_view field) {
  TarBuilder b = lead();
  const size_t h = b.file("a.bin", "data");
  b.set_field(h, kOffSize, 12, field);
  return with_end(b);
}

std::string pax_case(std::string payload, char type = 'x') {
  TarBuilder b = lead();
  b.meta(type, std::move(payload), "PaxHeader/p");
  b.file("after.txt", "x");
  return with_end(b);
}

std::string name_case(std::string name) {
  TarBuilder b = lead();
  b.file(std::move(name), "n");
  return with_end(b);
}

std::vector<BadCase> cases() {
  std::vector<BadCase> v;
  // --- H1: truncation and length ---
  v.push_back({"truncated_inside_header", [] {
                 TarBuilder b = lead();
                 b.file("cut.txt", "x");
                 std::string s = b.bytes();
                 return s.substr(0, 1024 + 300);
               }, {"offset 1024", "truncated header", "300 bytes remain"}});
  v.push_back({"length_not_multiple_of_512", [] {
                 TarBuilder b = lead();
                 b.raw(std::string(100, 'j'));
                 return b.bytes();
               }, {"offset 1024", "not a multiple of 512"}});
  v.push_back({"ends_inside_data", [] {
                 TarBuilder b = lead();
                 b.file("big.bin", std::string(1000, 'b'));
                 return b.bytes().substr(0, 1024 + 512 + 600);
               }, {"entry 'big.bin'", "offset 1024", "1000 bytes", "extends past the end"}});
  v.push_back({"padding_cut_off", [] {
                 TarBuilder b = lead();
                 b.file("pad.txt", "0123456789");
                 return b.bytes().substr(0, 1024 + 512 + 10);
               }, {"entry 'pad.txt'", "offset 1024", "extends past the end"}});
  v.push_back({"header_without_data", [] {
                 TarBuilder b = lead();
                 b.file("nodata", "z");
                 return b.bytes().substr(0, 1024 + 512);
               }, {"entry 'nodata'", "offset 1024", "0 bytes remain"}});
  // --- H2: size fields ---
  v.push_back({"size_non_octal", [] { return size_field_case("0000000009a"); },
               {"entry 'a.bin'", "offset 1024", "size field", "non-octal"}});
  v.push_back({"size_all_spaces", [] { return size_field_case(std::string(12, ' ')); },
               {"entry 'a.bin'", "size field", "blank"}});
  v.push_back({"size_all_nul", [] { return size_field_case(std::string(12, '\0')); },
               {"entry 'a.bin'", "size field", "blank"}});
  v.push_back({"size_garbage_after_terminator", [] { return size_field_case("0000004 x"); },
               {"size field", "after its terminator"}});
  v.push_back({"size_base256_negative", [] { return size_field_case(b256({0xff, 0xff, 0xff})); },
               {"entry 'a.bin'", "size field", "negative"}});
  v.push_back({"size_base256_over_2_63", [] {
                 return size_field_case(b256({0x80, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0}));
               }, {"size field", "63 bits"}});
  v.push_back({"size_base256_high_bits_in_first_byte",
               [] { return size_field_case(b256({0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4})); },
               {"size field", "63 bits"}});
  v.push_back({"size_base256_max_past_eof", [] {
                 return size_field_case(
                     b256({0x80, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
               }, {"entry 'a.bin'", "9223372036854775807 bytes", "extends past the end"}});
  v.push_back({"size_12_digit_past_eof", [] { return size_field_case("777777777777"); },
               {"entry 'a.bin'", "extends past the end"}});
  v.push_back({"mtime_non_octal", [] {
                 TarBuilder b = lead();
                 const size_t h = b.file("m.txt", "m");
                 b.set_field(h, kOffMtime, 12, "1234z");
                 return with_end(b);
               }, {"entry 'm.txt'", "offset 1024", "mtime field"}});
  // --- H3: checksums ---
  v.push_back({"checksum_mismatch", [] {
                 TarBuilder b = lead();
                 const size_t h = b.file("sum.txt", "s");
                 b.set_byte(h + 100, '7');  // mode changed after the checksum was computed
                 return with_end(b);
               }, {"entry 'sum.txt'", "offset 1024", "bad header checksum"}});
  v.push_back({"checksum_off_by_one", [] {
                 TarBuilder b = lead();
                 const size_t h = b.file("one.txt", "1");
                 char& last = b.bytes()[h + kOffChecksum + 5];
                 last = last == '7' ? '6' : static_cast<char>(last + 1);
                 return with_end(b);
               }, {"entry 'one.txt'", "bad header checksum"}});
  v.push_back({"checksum_non_octal", [] {
                 TarBuilder b = lead();
                 const size_t h = b.file("c.txt", "c");
                 b.bytes()[h + kOffChecksum] = '9';
                 return with_end(b);
               }, {"entry 'c.txt'", "checksum field"}});
  v.push_back({"checksum_blank", [] {
                 TarBuilder b = lead();
                 const size_t h = b.file("c.txt", "c");
                 for (size_t i = 0; i < 8; ++i) b.bytes()[h + kOffChecksum + i] = ' ';
                 return with_end(b);
               }, {"checksum field", "blank"}});
  v.push_back({"garbage_block", [] {
                 TarBuilder b = lead();
                 std::string junk(512, '\0');
                 for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>(i * 7 + 3);
                 b.raw(junk);
                 return b.bytes();
               }, {"offset 1024"}});
  v.push_back({"name_with_newline_escaped", [] {
                 TarBuilder b = lead();
                 const size_t h = b.file("evil\nline", "e");
                 b.set_byte(h + 100, '7');
                 return with_end(b);
               }, {"entry 'evil\\x0aline'", "bad header checksum"}});
  // --- H4: pax ---
  v.push_back({"pax_size_huge", [] { return pax_case(testing::pax_record("size", "99999999999999")); },
               {"entry 'after.txt'", "offset 2048", "extends past the end"}});
  v.push_back({"pax_size_negative", [] { return pax_case(testing::pax_record("size", "-1")); },
               {"offset 1024", "pax extended header", "pax size is not a decimal"}});
  v.push_back({"pax_size_overflow",
               [] { return pax_case(testing::pax_record("size", "99999999999999999999")); },
               {"offset 1024", "pax size does not fit in 63 bits"}});
  v.push_back({"pax_path_nul", [] {
                 return pax_case(testing::pax_record("path", std::string("a\0b", 3)));
               }, {"offset 1024", "pax path contains NUL"}});
  v.push_back({"pax_path_dotdot", [] { return pax_case(testing::pax_record("path", "../../x")); },
               {"entry '../../x'", "offset 2048", "'..' segment"}});
  v.push_back({"pax_record_longer_than_payload", [] { return pax_case("99 path=x\n"); },
               {"offset 1024", "bad length 99"}});
  v.push_back({"pax_record_length_zero", [] { return pax_case("0 path=x\n"); },
               {"offset 1024", "bad length 0"}});
  v.push_back({"pax_record_length_non_digit", [] { return pax_case("1a path=x\n"); },
               {"offset 1024", "pax record length is not a decimal"}});
  v.push_back({"pax_record_no_length", [] { return pax_case("path=x\n"); },
               {"offset 1024", "no length prefix"}});
  v.push_back({"pax_record_missing_equals", [] { return pax_case("10 pathxx\n"); },
               {"offset 1024", "no key=value"}});
  v.push_back({"pax_record_missing_newline", [] { return pax_case("11 path=xyz"); },
               {"offset 1024", "does not end in a newline"}});
  v.push_back({"pax_record_empty_key", [] { return pax_case("7 =abc\n"); },
               {"offset 1024", "no key=value"}});
  v.push_back({"pax_mtime_garbage", [] { return pax_case(testing::pax_record("mtime", "12x")); },
               {"offset 1024", "pax mtime"}});
  v.push_back({"pax_header_1gb_declared", [] {
                 TarBuilder b = lead();
                 Member m;
                 m.name = "PaxHeader/huge";
                 m.type = 'x';
                 m.declared_size = 1ull << 30;  // no payload follows: must not be read or allocated
                 b.add(m);
                 return with_end(b);
               }, {"offset 1024", "pax extended header payload of 1073741824 bytes exceeds the limit"}});
  v.push_back({"pax_global_malformed", [] { return pax_case("5 g\n", 'g'); },
               {"offset 1024", "pax global header"}});
  v.push_back({"pax_then_eof", [] {
                 TarBuilder b = lead();
                 b.pax({{"path", "orphan"}});
                 return b.bytes();
               }, {"offset 1024", "not followed by an entry"}});
  v.push_back({"pax_then_end_blocks", [] {
                 TarBuilder b = lead();
                 b.pax({{"path", "orphan"}});
                 return with_end(b);
               }, {"offset 1024", "not followed by an entry"}});
  // --- H5: GNU long names ---
  v.push_back({"gnu_long_name_huge", [] {
                 TarBuilder b = lead();
                 Member m;
                 m.name = "././@LongLink";
                 m.type = 'L';
                 m.declared_size = 100 * 1024 * 1024;
                 b.add(m);
                 return with_end(b);
               }, {"offset 1024", "GNU long name payload of 104857600 bytes exceeds the limit"}});
  v.push_back({"gnu_long_link_huge", [] {
                 TarBuilder b = lead();
                 Member m;
                 m.name = "././@LongLink";
                 m.type = 'K';
                 m.declared_size = 70000;
                 m.data = std::string(70000, 'k');
                 b.add(m);
                 b.file("x", "x");
                 return with_end(b);
               }, {"offset 1024", "GNU long link payload of 70000 bytes exceeds the limit of 65536"}});
  v.push_back({"gnu_long_name_then_eof", [] {
                 TarBuilder b = lead();
                 b.meta('L', "dangling");
                 return b.bytes();
               }, {"offset 1024", "not followed by an entry"}});
  v.push_back({"gnu_long_name_dotdot", [] {
                 TarBuilder b = lead();
                 b.meta('L', "a/../../escape");
                 b.file("short", "s");
                 return with_end(b);
               }, {"entry 'a/../../escape'", "offset 2048", "'..' segment"}});
  v.push_back({"gnu_long_name_payload_past_eof", [] {
                 TarBuilder b = lead();
                 Member m;
                 m.name = "././@LongLink";
                 m.type = 'L';
                 m.declared_size = 4000;
                 b.add(m);
                 return b.bytes();
               }, {"offset 1024", "GNU long name payload (4000 bytes) extends past the end"}});
  // --- H6: names ---
  v.push_back({"name_dotdot_prefix", [] { return name_case("../x"); },
               {"entry '../x'", "offset 1024", "'..' segment"}});
  v.push_back({"name_dotdot_middle", [] { return name_case("a/../../b"); },
               {"entry 'a/../../b'", "'..' segment"}});
  v.push_back({"name_absolute_dotdot", [] { return name_case("/../etc/passwd"); },
               {"entry '/../etc/passwd'", "'..' segment"}});
  v.push_back({"name_dotdot_only", [] { return name_case(".."); }, {"entry '..'", "'..' segment"}});
  v.push_back({"name_not_utf8", [] { return name_case("\xff\xfe.txt"); },
               {"entry '\\xff\\xfe.txt'", "offset 1024", "not valid UTF-8"}});
  v.push_back({"name_overlong_utf8", [] { return name_case("a\xc0\xaf" "b"); },
               {"not valid UTF-8"}});
  v.push_back({"name_surrogate_utf8", [] { return name_case("\xed\xa0\x80"); },
               {"not valid UTF-8"}});
  v.push_back({"name_empty_regular_file", [] { return name_case(""); },
               {"offset 1024", "regular file with an empty name"}});
  v.push_back({"name_dot_regular_file", [] { return name_case("."); },
               {"offset 1024", "regular file with an empty name"}});
  // --- H7: a directory carrying data: types 1-6 have no data blocks, so its bytes are read
  // as the next header and fail its checksum.
  v.push_back({"directory_with_data", [] {
                 TarBuilder b = lead();
                 Member m;
                 m.name = "d/";
                 m.type = '5';
                 m.data = std::string(100, 'D');
                 b.add(m);
                 return with_end(b);
               }, {"offset 1536", "checksum"}});
  // --- H9: end of archive ---
  v.push_back({"zero_block_then_entries", [] {
                 TarBuilder b = lead();
                 b.zero_blocks(1);
                 b.file("hidden-after-end.txt", "h");
                 return with_end(b);
               }, {"offset 1536", "non-zero block after a single end-of-archive zero block at offset 1024"}});
  v.push_back({"zero_block_then_partial", [] {
                 TarBuilder b = lead();
                 b.zero_blocks(1);
                 b.raw(std::string(10, '\0'));
                 return b.bytes();
               }, {"offset 1536", "truncated block after an end-of-archive zero block"}});
  // --- H11: nothing to serve / wrong kind of file ---
  v.push_back({"no_regular_files", [] {
                 TarBuilder b;
                 b.dir("a/");
                 b.dir("a/b/");
                 Member link;
                 link.name = "l";
                 link.type = '2';
                 b.add(link);
                 return with_end(b);
               }, {"tarball does not contain any regular files"}});
  v.push_back({"empty_file", [] { return std::string(); },
               {"tarball does not contain any regular files"}});
  v.push_back({"only_end_blocks", [] { return std::string(1024, '\0'); },
               {"tarball does not contain any regular files"}});
  v.push_back({"gzip_magic", [] {
                 std::string s = "\x1f\x8b\x08\x00";
                 s.resize(600, 'z');
                 return s;
               }, {"looks gzip-compressed; zeroserve serves uncompressed tar"}});
  v.push_back({"xz_magic", [] { return std::string("\xfd" "7zXZ\0rest", 10); },
               {"looks xz-compressed"}});
  v.push_back({"zstd_magic", [] { return std::string("\x28\xb5\x2f\xfd" "zz"); },
               {"looks zstd-compressed"}});
  v.push_back({"bzip2_magic", [] { return std::string("BZh91AY&SY"); },
               {"looks bzip2-compressed"}});
  {
    BadCase cap{"entry_cap", [] {
                  TarBuilder b;
                  for (int i = 0; i < 11; ++i) b.file("f" + std::to_string(i), "x");
                  return with_end(b);
                }, {"entry 'f10'", "offset 10240", "more than 10 entries"}};
    cap.limits.max_entries = 10;
    v.push_back(cap);
  }
  {
    BadCase meta{"meta_limit_configurable", [] {
                   return pax_case(testing::pax_record("comment", std::string(600, 'c')));
                 }, {"offset 1024", "payload of 613 bytes exceeds the limit of 512"}};
    meta.limits.max_meta_payload = 512;
    v.push_back(meta);
  }
  return v;
}

class Malformed : public ::testing::TestWithParam<BadCase> {};

TEST_P(Malformed, RejectedWithPreciseMessage) {
  const BadCase& c = GetParam();
  auto r = testing::index_bytes(c.make(), c.limits);
  ASSERT_FALSE(r.ok()) << c.name << " was accepted";
  if (std::getenv("ZS_PRINT_MESSAGES")) std::printf("%-40s %s\n", c.name, r.error().message().c_str());
  for (const std::string& want : c.expect)
    EXPECT_NE(r.error().message().find(want), std::string::npos)
        << "message: " << r.error().message() << "\nwanted: " << want;
}

INSTANTIATE_TEST_SUITE_P(TarIndex, Malformed, ::testing::ValuesIn(cases()),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(MalformedCount, AtLeastForty) { EXPECT_GE(cases().size(), 40u); }

}  // namespace
}  // namespace zs::site
