// Awaitable io_uring operations for coroutines, and the one place where SQEs are prepared
// (ops.cc). Each awaitable is a Completion living in the awaiting coroutine's frame: awaiting
// allocates nothing. `co_await` yields the raw CQE result (bytes, or -errno).
// An operation in flight can be cancelled with cancel(); it then completes with -ECANCELED
// (or its real result if it won the race), and the coroutine resumes as usual.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <coroutine>
#include <cstdint>

#include "io/completion.hh"
#include "io/event_loop.hh"

namespace zs::io {

// Base of every awaitable operation: stores the CQE and resumes the waiting coroutine.
class Op : public Completion {
 public:
  bool await_ready() const noexcept { return false; }
  int32_t await_resume() const noexcept { return res_; }
  uint32_t cqe_flags() const { return flags_; }

  // While the operation is in flight, `*slot` points at it (so a deadline can cancel it); the
  // slot is cleared when it completes. Call before co_await, and await the named object itself:
  // GCC 12 copies an awaiter reached through a reference-returning call, and the kernel would
  // then complete the original while the coroutine waits on the copy.
  Op& track(Completion** slot) {
    slot_ = slot;
    return *this;
  }

 protected:
  explicit Op(EventLoop& loop) : loop_(loop) { on_complete = &Op::finish; }
  void park(std::coroutine_handle<> h) {
    waiter_ = h;
    if (slot_ != nullptr) *slot_ = this;
  }

  EventLoop& loop_;

 private:
  static void finish(Completion* c, int32_t res, uint32_t flags);

  std::coroutine_handle<> waiter_;
  Completion** slot_ = nullptr;
  int32_t res_ = 0;
  uint32_t flags_ = 0;
};

// recv into a buffer picked from the loop's provided-buffer ring. On success (> 0 bytes) the data
// is at buffer() and must be copied out before recycle() (which the caller must call).
class Recv : public Op {
 public:
  Recv(EventLoop& loop, int fd) : Op(loop), fd_(fd) {}
  void await_suspend(std::coroutine_handle<> h);
  bool has_buffer() const { return (cqe_flags() & IORING_CQE_F_BUFFER) != 0; }
  const char* buffer() const;
  void recycle() const;

 private:
  int fd_;
};

// send(2) with MSG_NOSIGNAL; may complete short, like the syscall.
class Send : public Op {
 public:
  Send(EventLoop& loop, int fd, const void* data, size_t len) : Op(loop), fd_(fd), data_(data), len_(len) {}
  void await_suspend(std::coroutine_handle<> h);

 private:
  int fd_;
  const void* data_;
  size_t len_;
};

// sendmsg(2) of an iovec array (which must stay valid until completion); may complete short.
class SendV : public Op {
 public:
  SendV(EventLoop& loop, int fd, iovec* iov, size_t iovcnt) : Op(loop), fd_(fd) {
    msg_.msg_iov = iov;
    msg_.msg_iovlen = iovcnt;
  }
  void await_suspend(std::coroutine_handle<> h);

 private:
  int fd_;
  msghdr msg_{};
};

// pread(2) of a file at an offset.
class ReadAt : public Op {
 public:
  ReadAt(EventLoop& loop, int fd, void* buf, size_t len, uint64_t offset)
      : Op(loop), fd_(fd), buf_(buf), len_(len), offset_(offset) {}
  void await_suspend(std::coroutine_handle<> h);

 private:
  int fd_;
  void* buf_;
  size_t len_;
  uint64_t offset_;
};

class Close : public Op {
 public:
  Close(EventLoop& loop, int fd) : Op(loop), fd_(fd) {}
  void await_suspend(std::coroutine_handle<> h);

 private:
  int fd_;
};

// shutdown(fd, SHUT_WR) for a lingering close, done with a direct system call. It does not
// block (it queues a FIN), and io_uring would run it on an io-wq worker thread (IORING_OP_SHUTDOWN
// cannot complete inline): a thread hop per closed connection, and, unawaited, a shutdown that
// could land after the fd was closed and reused by the next connection (seen as EPIPE in TLS
// handshakes). Returns 0 or -errno.
int shutdown_write(int fd);

// Yields to the loop: resumes after the current batch of completions.
struct Yield {
  EventLoop& loop;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { loop.defer(h); }
  void await_resume() const noexcept {}
};

// Asks the kernel to cancel the operation whose completion is `target`. Fire and forget.
void cancel(EventLoop& loop, Completion* target);

// Arms a multishot accept on `listen_fd` delivering to `c` (re-arm when F_MORE is clear).
void prep_multishot_accept(EventLoop& loop, Completion* c, int listen_fd);


// One-shot poll of `fd` for `mask` (POLLRDHUP, ...) delivering to `c`.
void prep_poll(EventLoop& loop, Completion* c, int fd, unsigned mask);

// Watches a socket for a hang-up (POLLRDHUP/POLLHUP/POLLERR) while something else runs, and
// sets `*flag` when one happens. finish() must be awaited before the watch goes away: it
// cancels the poll if it is still armed and waits for its completion.
class HangupWatch : public Completion {
 public:
  HangupWatch(EventLoop& loop, int fd, bool* flag);
  HangupWatch(const HangupWatch&) = delete;
  HangupWatch& operator=(const HangupWatch&) = delete;

  struct Finish {
    HangupWatch& w;
    bool await_ready() const noexcept { return w.done_; }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume() const noexcept {}
  };
  Finish finish() { return Finish{*this}; }

 private:
  static void complete(Completion* c, int32_t res, uint32_t flags);

  EventLoop& loop_;
  bool* flag_;
  bool done_ = false;
  std::coroutine_handle<> waiter_;
};

}  // namespace zs::io
