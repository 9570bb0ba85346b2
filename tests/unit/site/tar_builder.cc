// Implementation of tar_builder.hh (test support).
#include "unit/site/tar_builder.hh"

#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace zs::site::testing {
namespace {

void put_octal(std::string& b, size_t at, size_t width, uint64_t v) {
  char tmp[32];
  std::snprintf(tmp, sizeof tmp, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(v));
  std::memcpy(b.data() + at, tmp, width - 1);
  b[at + width - 1] = '\0';
}

void pad(std::string& b) {
  while (b.size() % 512 != 0) b.push_back('\0');
}

}  // namespace

std::string pax_record(std::string_view key, std::string_view value) {
  const size_t body = 1 + key.size() + 1 + value.size() + 1;
  size_t len = body + 1;
  while (std::to_string(len).size() + body != len) len = std::to_string(len).size() + body;
  return std::to_string(len) + " " + std::string(key) + "=" + std::string(value) + "\n";
}

size_t TarBuilder::add(const Member& m) {
  const size_t at = bytes_.size();
  std::string h(512, '\0');
  std::memcpy(h.data() + kOffName, m.name.data(), std::min<size_t>(m.name.size(), 100));
  put_octal(h, kOffMode, 8, m.type == '5' ? 0755 : 0644);
  put_octal(h, 108, 8, 1000);
  put_octal(h, 116, 8, 1000);
  put_octal(h, kOffSize, 12, m.declared_size.value_or(m.data.size()));
  put_octal(h, kOffMtime, 12, static_cast<uint64_t>(m.mtime));
  h[kOffType] = m.type;
  switch (m.magic) {
    case Magic::kPosix:
      std::memcpy(h.data() + kOffMagic, "ustar\0" "00", 8);
      std::memcpy(h.data() + 265, "user", 4);
      std::memcpy(h.data() + 297, "group", 5);
      std::memcpy(h.data() + kOffPrefix, m.prefix.data(), std::min<size_t>(m.prefix.size(), 155));
      break;
    case Magic::kGnu:
      std::memcpy(h.data() + kOffMagic, "ustar  \0", 8);
      break;
    case Magic::kV7:
      break;
  }
  bytes_ += h;
  fix_checksum(at);
  bytes_ += m.data;
  pad(bytes_);
  return at;
}

size_t TarBuilder::file(std::string name, std::string data, int64_t mtime) {
  Member m;
  m.name = std::move(name);
  m.data = std::move(data);
  m.mtime = mtime;
  return add(m);
}

size_t TarBuilder::dir(std::string name) {
  Member m;
  m.name = std::move(name);
  m.type = '5';
  return add(m);
}

size_t TarBuilder::pax(const std::vector<std::pair<std::string, std::string>>& records, char type) {
  std::string payload;
  for (const auto& [k, v] : records) payload += pax_record(k, v);
  return meta(type, payload, "PaxHeader/x");
}

size_t TarBuilder::meta(char type, std::string payload, std::string name) {
  Member m;
  m.name = std::move(name);
  m.type = type;
  m.data = std::move(payload);
  return add(m);
}

void TarBuilder::zero_blocks(size_t n) { bytes_.append(512 * n, '\0'); }

void TarBuilder::raw(std::string_view b) { bytes_.append(b); }

void TarBuilder::set_field(size_t header, size_t field, size_t width, std::string_view value) {
  std::memset(bytes_.data() + header + field, 0, width);
  std::memcpy(bytes_.data() + header + field, value.data(), std::min(width, value.size()));
  fix_checksum(header);
}

void TarBuilder::fix_checksum(size_t header) {
  std::memset(bytes_.data() + header + kOffChecksum, ' ', 8);
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i) sum += static_cast<unsigned char>(bytes_[header + i]);
  char tmp[16];
  std::snprintf(tmp, sizeof tmp, "%06o", sum);
  std::memcpy(bytes_.data() + header + kOffChecksum, tmp, 6);
  bytes_[header + kOffChecksum + 6] = '\0';
  bytes_[header + kOffChecksum + 7] = ' ';
}

void TarBuilder::set_signed_checksum(size_t header) {
  std::memset(bytes_.data() + header + kOffChecksum, ' ', 8);
  int sum = 0;
  for (size_t i = 0; i < 512; ++i) sum += static_cast<signed char>(bytes_[header + i]);
  char tmp[16];
  std::snprintf(tmp, sizeof tmp, "%06o", static_cast<unsigned>(sum));
  std::memcpy(bytes_.data() + header + kOffChecksum, tmp, 6);
  bytes_[header + kOffChecksum + 6] = '\0';
  bytes_[header + kOffChecksum + 7] = ' ';
}

int memfd_with(const std::string& bytes) {
  const int fd = memfd_create("zs-test-tar", MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      close(fd);
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  return fd;
}

Result<TarIndex> index_bytes(const std::string& bytes, const IndexLimits& limits) {
  const int fd = memfd_with(bytes);
  if (fd < 0) return Error("memfd failed");
  auto r = index_tar(fd, limits);
  close(fd);
  return r;
}

std::optional<std::string> run_command(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (pclose(p) != 0) return std::nullopt;
  return out;
}

std::string expected_etag(std::string_view data) {
  const XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  char out[40];
  std::snprintf(out, sizeof out, "\"%016llx%016llx\"", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return out;
}

std::string make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/zs-site-test-XXXXXX";
  if (!mkdtemp(tmpl.data())) return {};
  return tmpl;
}

void remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

void write_file(const std::string& path, std::string_view contents) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace zs::site::testing
