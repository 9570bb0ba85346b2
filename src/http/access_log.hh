// Access log: one line per request in the Common Log Format, written to stderr. Lines are
// appended to a per-worker buffer on the request path and written with one io_uring write per
// loop iteration (flush()), so logging never blocks the loop. If stderr cannot keep up, lines
// are dropped past a bound and the count of dropped lines is reported in the log itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "io/completion.hh"
#include "io/event_loop.hh"

namespace zs::http {

class AccessLog {
 public:
  AccessLog(io::EventLoop& loop, int fd);
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // `request_line` is "METHOD TARGET HTTP/1.x"; bytes outside printable ASCII are escaped.
  void record(std::string_view peer_ip, std::string_view request_line, uint16_t status, uint64_t bytes);

  // Starts writing what was recorded since the last flush, unless a write is still in flight.
  void flush();
  bool idle() const { return !writing_ && pending_.empty(); }

 private:
  static void on_written(io::Completion* c, int32_t res, uint32_t flags);
  void refresh_timestamp();

  static constexpr size_t kMaxPending = 1 << 20;

  io::EventLoop& loop_;
  int fd_;
  std::string pending_;   // being filled
  std::string inflight_;  // being written
  size_t inflight_off_ = 0;
  bool writing_ = false;
  uint64_t dropped_ = 0;
  int64_t stamp_second_ = -1;
  char stamp_[32] = {};   // "[22/Nov/2026:10:00:00 +0000]"
  size_t stamp_len_ = 0;
  struct WriteCompletion : io::Completion {
    AccessLog* self;
  } completion_{};
};

}  // namespace zs::http
