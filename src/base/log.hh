// Process-wide diagnostics on stderr: startup lines, reload results, errors, access log.
// Every line is written with one write(2) so lines from several worker threads never interleave.
// Not for the request hot path's bulk data: the access log formats into a caller buffer first.
#pragma once

#include <cstdarg>
#include <string_view>

namespace zs::log {

// printf-style; a trailing newline is added. Thread-safe. Never fails (drops on write error).
void info(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void error(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Writes `line` (which must already end in '\n') to stderr in one call.
void write_line(std::string_view line);

}  // namespace zs::log
