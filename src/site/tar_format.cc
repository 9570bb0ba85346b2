// Implementation of tar_format.hh. Field offsets are those of the POSIX ustar header; GNU and
// v7 headers share the first 257 bytes. Every read is inside the 512-byte block or the payload
// view the caller handed in.
#include "site/tar_format.hh"

#include <algorithm>
#include <cstring>

namespace zs::site::tar {
namespace {

struct Field {
  size_t offset, size;
};
constexpr Field kName{0, 100};
constexpr Field kSize{124, 12};
constexpr Field kMtime{136, 12};
constexpr Field kChecksum{148, 8};
constexpr size_t kTypeflag = 156;
constexpr Field kMagic{257, 6};
constexpr Field kVersion{263, 2};
constexpr Field kPrefix{345, 155};

std::span<const uint8_t> field(Block b, Field f) { return b.subspan(f.offset, f.size); }

// Bytes up to the first NUL (or the whole field).
std::string_view cstr_field(Block b, Field f) {
  const auto* p = reinterpret_cast<const char*>(b.data() + f.offset);
  return std::string_view(p, strnlen(p, f.size));
}

bool is_posix_ustar(Block b) {
  return std::memcmp(b.data() + kMagic.offset, "ustar\0", 6) == 0 &&
         std::memcmp(b.data() + kVersion.offset, "00", 2) == 0;
}

constexpr uint64_t kInt64Max = static_cast<uint64_t>(INT64_MAX);

Result<int64_t> parse_base256(std::span<const uint8_t> f, bool allow_negative) {
  // GNU base-256: bit 7 of byte 0 marks the encoding, bit 6 is the two's-complement sign.
  if (f[0] & 0x40) {
    if (!allow_negative) return Error("negative base-256 number");
    return int64_t{-1};  // the caller clamps negative times; the exact value never matters
  }
  if (f[0] & 0x3F) return Error("base-256 number does not fit in 63 bits");
  uint64_t v = 0;
  for (size_t i = 1; i < f.size(); ++i) {
    if (v > (kInt64Max >> 8)) return Error("base-256 number does not fit in 63 bits");
    v = v << 8 | f[i];
  }
  return static_cast<int64_t>(v);
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<uint64_t> parse_decimal(std::string_view s, const char* what) {
  if (s.empty()) return Error(std::string(what) + " is empty");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return Error(std::string(what) + " is not a decimal number");
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (kInt64Max - d) / 10) return Error(std::string(what) + " does not fit in 63 bits");
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

bool is_zero_block(Block block) {
  return std::all_of(block.begin(), block.end(), [](uint8_t b) { return b == 0; });
}

std::string raw_header_name(Block block) {
  std::string name;
  if (is_posix_ustar(block)) {
    const std::string_view prefix = cstr_field(block, kPrefix);
    if (!prefix.empty()) {
      name.assign(prefix);
      name.push_back('/');
    }
  }
  name.append(cstr_field(block, kName));
  return name;
}

Result<int64_t> parse_numeric(std::span<const uint8_t> f, bool allow_negative) {
  if (f.empty()) return Error("empty numeric field");
  if (f[0] & 0x80) return parse_base256(f, allow_negative);
  size_t i = 0;
  while (i < f.size() && f[i] == ' ') ++i;
  if (i == f.size() || f[i] == 0) return Error("numeric field is blank");
  uint64_t v = 0;
  for (; i < f.size() && f[i] != ' ' && f[i] != 0; ++i) {
    if (f[i] < '0' || f[i] > '7') return Error("numeric field has a non-octal byte");
    // 12 octal digits hold at most 36 bits: no overflow possible in uint64_t.
    v = v << 3 | static_cast<uint64_t>(f[i] - '0');
  }
  for (; i < f.size(); ++i)
    if (f[i] != ' ' && f[i] != 0) return Error("numeric field has bytes after its terminator");
  return static_cast<int64_t>(v);
}

Result<Header> decode_header(Block block) {
  auto stored = parse_numeric(field(block, kChecksum), false);
  if (!stored) return stored.error().wrap("checksum field");
  uint64_t unsigned_sum = 0;
  int64_t signed_sum = 0;
  for (size_t i = 0; i < kBlockSize; ++i) {
    const bool in_checksum = i >= kChecksum.offset && i < kChecksum.offset + kChecksum.size;
    const uint8_t b = in_checksum ? uint8_t{' '} : block[i];
    unsigned_sum += b;
    signed_sum += static_cast<int8_t>(b);
  }
  if (static_cast<uint64_t>(*stored) != unsigned_sum && *stored != signed_sum) {
    return Error("bad header checksum (stored " + std::to_string(*stored) + ", computed " +
                 std::to_string(unsigned_sum) + ")");
  }

  Header h;
  h.typeflag = static_cast<char>(block[kTypeflag]);
  auto size = parse_numeric(field(block, kSize), false);
  if (!size) return size.error().wrap("size field");
  h.size = static_cast<uint64_t>(*size);
  auto mtime = parse_numeric(field(block, kMtime), true);
  if (!mtime) return mtime.error().wrap("mtime field");
  h.mtime = std::max<int64_t>(*mtime, 0);
  h.name = raw_header_name(block);
  return h;
}

Result<void> parse_pax_records(std::string_view payload, PaxOverrides& into) {
  size_t pos = 0;
  while (pos < payload.size()) {
    const std::string_view rest = payload.substr(pos);
    const size_t space = rest.find(' ');
    // 20 digits would already exceed any payload we accept; bound the scan for the message.
    if (space == std::string_view::npos || space == 0 || space > 19)
      return Error("pax record at byte " + std::to_string(pos) + " has no length prefix");
    auto len = parse_decimal(rest.substr(0, space), "pax record length");
    if (!len) return len.error();
    if (*len <= space + 1 || *len > rest.size())
      return Error("pax record at byte " + std::to_string(pos) + " has a bad length " +
                   std::to_string(*len));
    const std::string_view rec = rest.substr(space + 1, *len - space - 1);
    if (rec.back() != '\n')
      return Error("pax record at byte " + std::to_string(pos) + " does not end in a newline");
    const std::string_view kv = rec.substr(0, rec.size() - 1);
    const size_t eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return Error("pax record at byte " + std::to_string(pos) + " has no key=value");
    const std::string_view key = kv.substr(0, eq);
    const std::string_view value = kv.substr(eq + 1);

    if (key == "path") {
      if (value.find('\0') != std::string_view::npos) return Error("pax path contains NUL");
      if (value.empty()) into.path.reset();
      else into.path = std::string(value);
    } else if (key == "size") {
      if (value.empty()) {
        into.size.reset();
      } else {
        auto v = parse_decimal(value, "pax size");
        if (!v) return v.error();
        into.size = *v;
      }
    } else if (key == "mtime") {
      if (value.empty()) {
        into.mtime.reset();
      } else {
        const bool negative = value.front() == '-';
        std::string_view digits = negative ? value.substr(1) : value;
        const size_t dot = digits.find('.');
        if (dot != std::string_view::npos) {
          if (!all_digits(digits.substr(dot + 1))) return Error("pax mtime fraction is not decimal");
          digits = digits.substr(0, dot);
        }
        auto v = parse_decimal(digits, "pax mtime");
        if (!v) return v.error();
        into.mtime = negative ? 0 : static_cast<int64_t>(*v);
      }
    } else if (key.starts_with("GNU.sparse.")) {
      into.sparse = true;
    }
    pos += *len;
  }
  return {};
}

}  // namespace zs::site::tar
