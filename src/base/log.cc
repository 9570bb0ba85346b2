// Implementation of log.hh: format into a stack buffer, then one write(2).
#include "base/log.hh"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/assert.hh"

namespace zs::log {
namespace {

void vwrite(const char* prefix, const char* fmt, va_list ap) {
  char buf[4096];
  int n = std::snprintf(buf, sizeof buf, "%s", prefix);
  int m = std::vsnprintf(buf + n, sizeof buf - static_cast<size_t>(n) - 1, fmt, ap);
  size_t len = static_cast<size_t>(n) + (m < 0 ? 0 : static_cast<size_t>(m));
  if (len > sizeof buf - 2) len = sizeof buf - 2;  // truncated message
  buf[len++] = '\n';
  write_line(std::string_view(buf, len));
}

}  // namespace

void write_line(std::string_view line) {
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t w = ::write(STDERR_FILENO, p, left);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    left -= static_cast<size_t>(w);
  }
}

void info(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vwrite("", fmt, ap);
  va_end(ap);
}

void error(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vwrite("error: ", fmt, ap);
  va_end(ap);
}

}  // namespace zs::log

namespace zs::detail {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "zeroserve: internal error: assertion '%s' failed at %s:%d\n", expr, file, line);
  std::fflush(stderr);
  __builtin_trap();
}
}  // namespace zs::detail
