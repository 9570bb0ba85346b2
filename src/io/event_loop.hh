// One io_uring event loop per worker thread. It owns the ring, the receive buffer ring, the
// timer wheel and the cached clock; run_once() is the whole loop as numbered steps. Everything
// here runs on the owning thread only; other threads talk to a loop through wake() alone.
#pragma once

#include <liburing.h>

#include <coroutine>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "base/http_date.hh"
#include "base/result.hh"
#include "io/buffer_ring.hh"
#include "io/completion.hh"
#include "io/timer_wheel.hh"

namespace zs::io {

struct LoopOptions {
  uint32_t ring_entries = 2048;
  uint32_t recv_buffers = 256;          // power of two
  uint32_t recv_buffer_size = 16 * 1024;
};

class EventLoop {
 public:
  static Result<std::unique_ptr<EventLoop>> create(const LoopOptions& opts);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // A free SQE whose user_data already points at `c` (nullptr: completion ignored). Never fails:
  // when the submission queue is full it is submitted first.
  io_uring_sqe* sqe_for(Completion* c);

  // One iteration: submit, wait for at least one completion or the next deadline, dispatch.
  void run_once();

  // Resumes `h` after the current batch of completions (a cooperative yield).
  void defer(std::coroutine_handle<> h) { deferred_.push_back(h); }

  // Thread-safe: makes a blocked run_once() return and run `on_wake` on the loop thread.
  void wake();
  void set_wake_handler(void (*fn)(void*), void* arg) { wake_fn_ = fn; wake_arg_ = arg; }

  int64_t now_ms() const { return now_ms_; }            // monotonic, cached per iteration
  int64_t unix_seconds() const { return unix_seconds_; }  // wall clock, cached per iteration
  std::string_view http_date() const { return {date_, kHttpDateLen}; }

  BufferRing& recv_buffers() { return *buffers_; }
  TimerWheel& timers() { return timers_; }
  io_uring* ring() { return &ring_; }

 private:
  EventLoop() = default;
  void update_clock();
  void arm_wake_read();
  static void on_wake_read(Completion* c, int32_t res, uint32_t flags);

  io_uring ring_{};
  bool ring_ready_ = false;
  std::unique_ptr<BufferRing> buffers_;
  TimerWheel timers_;
  std::vector<std::coroutine_handle<>> deferred_;
  std::vector<std::coroutine_handle<>> running_deferred_;

  int wake_fd_ = -1;
  uint64_t wake_value_ = 0;
  struct WakeCompletion : Completion {
    EventLoop* loop;
  } wake_completion_{};
  void (*wake_fn_)(void*) = nullptr;
  void* wake_arg_ = nullptr;

  int64_t now_ms_ = 0;
  int64_t unix_seconds_ = -1;
  char date_[kHttpDateLen] = {};
};

}  // namespace zs::io
