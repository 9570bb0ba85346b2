// Implementation of tar_writer.hh. Field layout: POSIX.1-2017 pax, "ustar Interchange Format";
// checksum = unsigned byte sum with the checksum field counted as spaces, written as 6 octal
// digits, NUL, space (the form GNU tar and libarchive write).
#include "site/tar_writer.hh"

#include <array>
#include <cstdio>
#include <cstring>

#include "site/tar_format.hh"

namespace zs::site {
namespace {

constexpr size_t kBlock = tar::kBlockSize;
constexpr int64_t kMaxOctal11 = (int64_t{1} << 33) - 1;  // 11 octal digits
constexpr std::array<char, 2 * kBlock> kZeros{};

void put_octal(char* field, size_t width, uint64_t v) {
  // width-1 digits, then NUL.
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(v));
}

// Splits `name` into ustar prefix (<= 155) and name (<= 100) at a '/', if possible.
bool split_ustar(std::string_view name, std::string_view& prefix, std::string_view& base) {
  if (name.size() <= 100) {
    prefix = {};
    base = name;
    return true;
  }
  for (size_t slash = name.find('/'); slash != std::string_view::npos;
       slash = name.find('/', slash + 1)) {
    if (slash > 155) break;
    if (name.size() - slash - 1 <= 100 && slash + 1 < name.size()) {
      prefix = name.substr(0, slash);
      base = name.substr(slash + 1);
      return true;
    }
  }
  return false;
}

std::string ustar_block(std::string_view prefix, std::string_view base, char type, uint64_t size,
                        int64_t mtime, uint32_t mode) {
  std::string b(kBlock, '\0');
  if (!base.empty()) std::memcpy(b.data(), base.data(), base.size());
  put_octal(b.data() + 100, 8, mode);
  put_octal(b.data() + 108, 8, 0);  // uid
  put_octal(b.data() + 116, 8, 0);  // gid
  put_octal(b.data() + 124, 12, size);
  put_octal(b.data() + 136, 12, static_cast<uint64_t>(mtime));
  b[156] = type;
  std::memcpy(b.data() + 257, "ustar\0" "00", 8);
  put_octal(b.data() + 329, 8, 0);  // devmajor
  put_octal(b.data() + 337, 8, 0);  // devminor
  if (!prefix.empty()) std::memcpy(b.data() + 345, prefix.data(), prefix.size());
  uint32_t sum = 0;
  std::memset(b.data() + 148, ' ', 8);
  for (char c : b) sum += static_cast<unsigned char>(c);
  std::snprintf(b.data() + 148, 7, "%06o", sum);
  b[154] = '\0';
  b[155] = ' ';
  return b;
}

// "<len> key=value\n" where len counts the whole record, its own digits included.
void append_pax_record(std::string& out, std::string_view key, std::string_view value) {
  const size_t body = 1 + key.size() + 1 + value.size() + 1;  // ' ' key '=' value '\n'
  size_t len = body + 1;
  while (std::to_string(len).size() + body != len) len = std::to_string(len).size() + body;
  out += std::to_string(len);
  out += ' ';
  out += key;
  out += '=';
  out += value;
  out += '\n';
}

}  // namespace

std::string tar_member_header(const TarMember& m) {
  std::string name(m.path);
  if (m.directory) name.push_back('/');
  const int64_t mtime = m.mtime < 0 ? 0 : m.mtime;
  const uint64_t size = m.directory ? 0 : m.size;

  std::string pax;
  std::string_view prefix, base;
  if (!split_ustar(name, prefix, base)) {
    append_pax_record(pax, "path", name);
    prefix = {};
    base = std::string_view(name).substr(0, 0);
  }
  if (mtime > kMaxOctal11) append_pax_record(pax, "mtime", std::to_string(mtime));
  if (size > tar::kMaxOctalSize) append_pax_record(pax, "size", std::to_string(size));

  std::string out;
  std::string fallback_name;
  if (!pax.empty()) {
    out = ustar_block({}, "././@PaxHeader", tar::kTypePaxLocal, pax.size(), 0, 0644);
    out += pax;
    out.append(tar_padding(pax.size()));
    if (base.empty()) {
      // The ustar name is only a fallback for readers without pax: keep the tail that fits.
      fallback_name = name.size() > 100 ? name.substr(name.size() - 100) : name;
      base = fallback_name;
    }
  }
  out += ustar_block(prefix, base, m.directory ? tar::kTypeDirectory : tar::kTypeRegular,
                     size > tar::kMaxOctalSize ? 0 : size, mtime > kMaxOctal11 ? 0 : mtime,
                     m.directory ? 0755 : 0644);
  return out;
}

std::string_view tar_padding(uint64_t size) {
  const size_t rem = static_cast<size_t>(size % kBlock);
  return std::string_view(kZeros.data(), rem == 0 ? 0 : kBlock - rem);
}

std::string_view tar_end_of_archive() { return std::string_view(kZeros.data(), kZeros.size()); }

std::string build_tar(std::span<const InMemoryFile> files) {
  std::string out;
  for (const InMemoryFile& f : files) {
    out += tar_member_header(TarMember{f.path, false, f.contents.size(), f.mtime});
    out += f.contents;
    out += tar_padding(f.contents.size());
  }
  out += tar_end_of_archive();
  return out;
}

}  // namespace zs::site
