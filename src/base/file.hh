// Whole-file reads and writes for configuration-time work (certificates, scripts, the reload
// signal file, compiler output). Blocking system calls: never used on the request path, where
// all I/O goes through io_uring.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hh"

namespace zs {

// The whole file. Errors name the path and say why ("is a directory", strerror, "larger than
// N bytes" when it exceeds `max_bytes`).
Result<std::string> read_file(const std::string& path, uint64_t max_bytes = uint64_t{1} << 30);

// Creates or truncates `path` (mode 0600) and writes `data`.
Result<void> write_file(const std::string& path, std::string_view data);

}  // namespace zs
