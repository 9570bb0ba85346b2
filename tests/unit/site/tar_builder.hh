// Test-only tar byte builder: writes headers field by field (independently of
// src/site/tar_writer.cc, so the two check each other) and lets a test patch any field and
// recompute the checksum, to produce malformed archives at test time. Also helpers to index
// bytes through a memfd and to run shell tools. Never used by the server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hh"
#include "site/tar_index.hh"

namespace zs::site::testing {

enum class Magic { kPosix, kGnu, kV7 };

// Header field offsets (POSIX ustar).
inline constexpr size_t kOffName = 0, kOffMode = 100, kOffSize = 124, kOffMtime = 136,
                        kOffChecksum = 148, kOffType = 156, kOffMagic = 257, kOffPrefix = 345;

struct Member {
  std::string name;
  char type = '0';
  std::string data;
  int64_t mtime = 1700000000;
  std::string prefix;  // only meaningful with Magic::kPosix
  Magic magic = Magic::kPosix;
  std::optional<uint64_t> declared_size;  // header size field if it must differ from data.size()
};

class TarBuilder {
 public:
  // Each returns the byte offset of the (first) header it wrote.
  size_t add(const Member& m);
  size_t file(std::string name, std::string data, int64_t mtime = 1700000000);
  size_t dir(std::string name);
  // A pax header ('x' or 'g') with correctly length-prefixed records.
  size_t pax(const std::vector<std::pair<std::string, std::string>>& records, char type = 'x');
  // A pax/GNU meta header whose payload is given verbatim.
  size_t meta(char type, std::string payload, std::string name = "././@LongLink");
  void zero_blocks(size_t n);
  void raw(std::string_view bytes);

  // Overwrites `width` bytes at header + field with `value` (NUL-padded) and fixes the checksum.
  void set_field(size_t header, size_t field, size_t width, std::string_view value);
  void set_byte(size_t pos, char value) { bytes_[pos] = value; }
  void fix_checksum(size_t header);
  // Writes the checksum as the SIGNED byte sum (historic writers) instead of the unsigned one.
  void set_signed_checksum(size_t header);

  std::string& bytes() { return bytes_; }
  size_t size() const { return bytes_.size(); }

 private:
  std::string bytes_;
};

// "<len> key=value\n" with a correct length.
std::string pax_record(std::string_view key, std::string_view value);

// Indexes `bytes` through a memfd.
Result<TarIndex> index_bytes(const std::string& bytes, const IndexLimits& limits = {});
// A memfd holding `bytes` (caller closes it), or -1.
int memfd_with(const std::string& bytes);

// Runs `cmd` with /bin/sh; returns its stdout, or nullopt when it exits non-zero.
std::optional<std::string> run_command(const std::string& cmd);

// XXH3-128 of `data` as a quoted 32-hex ETag, computed with the one-shot API (the index uses
// the streaming API): an independent oracle.
std::string expected_etag(std::string_view data);

// A fresh empty directory under $TMPDIR (or /tmp); removed by remove_tree.
std::string make_temp_dir();
void remove_tree(const std::string& path);
void write_file(const std::string& path, std::string_view contents);
std::string read_file(const std::string& path);

}  // namespace zs::site::testing
