// Implementation of event_loop.hh.
#include "io/event_loop.hh"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

#include "base/assert.hh"

namespace zs::io {

Result<std::unique_ptr<EventLoop>> EventLoop::create(const LoopOptions& opts) {
  std::unique_ptr<EventLoop> loop(new EventLoop());
  io_uring_params p{};
  // One thread submits, and completions are reaped only when we ask: the cheapest mode (6.1+).
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
  p.cq_entries = opts.ring_entries * 4;
  int rc = io_uring_queue_init_params(opts.ring_entries, &loop->ring_, &p);
  if (rc == -EINVAL) {
    p = {};
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = opts.ring_entries * 4;
    rc = io_uring_queue_init_params(opts.ring_entries, &loop->ring_, &p);
  }
  if (rc < 0) return Error(std::string("io_uring_queue_init: ") + strerror(-rc));
  loop->ring_ready_ = true;
  if (!(p.features & IORING_FEAT_NODROP)) return Error("kernel io_uring lacks IORING_FEAT_NODROP (need Linux 5.19+)");

  auto bufs = BufferRing::create(&loop->ring_, 0, opts.recv_buffers, opts.recv_buffer_size);
  if (!bufs) return bufs.error().wrap("receive buffer ring");
  loop->buffers_ = std::move(bufs).value();

  loop->wake_fd_ = eventfd(0, EFD_CLOEXEC);
  if (loop->wake_fd_ < 0) return Error(std::string("eventfd: ") + strerror(errno));
  loop->wake_completion_.on_complete = &EventLoop::on_wake_read;
  loop->wake_completion_.loop = loop.get();
  loop->arm_wake_read();
  loop->update_clock();
  return loop;
}

EventLoop::~EventLoop() {
  buffers_.reset();
  if (ring_ready_) io_uring_queue_exit(&ring_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

io_uring_sqe* EventLoop::sqe_for(Completion* c) {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
    ZS_ASSERT(sqe != nullptr);
  }
  io_uring_sqe_set_data(sqe, c);
  return sqe;
}

void EventLoop::wake() {
  uint64_t one = 1;
  // A full eventfd counter still wakes the reader, so a failed write loses nothing.
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void EventLoop::arm_wake_read() {
  io_uring_prep_read(sqe_for(&wake_completion_), wake_fd_, &wake_value_, sizeof wake_value_, 0);
}

void EventLoop::on_wake_read(Completion* c, int32_t, uint32_t) {
  EventLoop* self = static_cast<WakeCompletion*>(c)->loop;
  self->arm_wake_read();
  if (self->wake_fn_ != nullptr) self->wake_fn_(self->wake_arg_);
}

void EventLoop::update_clock() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  now_ms_ = static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  if (ts.tv_sec != unix_seconds_) {
    unix_seconds_ = ts.tv_sec;
    format_http_date(unix_seconds_, date_);
  }
}

void EventLoop::run_once() {
  // 1. Submit everything queued since the last iteration and wait for one completion, or for the
  //    next timer slot when deadlines are armed. Deferred coroutines mean: do not block.
  io_uring_cqe* cqe = nullptr;
  int64_t wait_ms = deferred_.empty() ? timers_.ms_until_next(now_ms_) : 0;
  if (wait_ms < 0) {
    io_uring_submit_and_wait(&ring_, 1);
  } else {
    __kernel_timespec ts{wait_ms / 1000, (wait_ms % 1000) * 1000000};
    io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
  }
  // 2. One clock reading serves the whole iteration.
  update_clock();
  // 3. Dispatch completions in batches. Handlers may queue SQEs (and submit when the SQ is full)
  //    but never reap, so the batch stays valid until we advance past it.
  io_uring_cqe* batch[256];
  unsigned n;
  while ((n = io_uring_peek_batch_cqe(&ring_, batch, 256)) > 0) {
    struct Item { Completion* c; int32_t res; uint32_t flags; } items[256];
    for (unsigned i = 0; i < n; ++i)
      items[i] = {static_cast<Completion*>(io_uring_cqe_get_data(batch[i])), batch[i]->res, batch[i]->flags};
    io_uring_cq_advance(&ring_, n);
    for (unsigned i = 0; i < n; ++i)
      if (items[i].c != nullptr) items[i].c->on_complete(items[i].c, items[i].res, items[i].flags);
  }
  // 4. Resume coroutines that yielded during this iteration.
  if (!deferred_.empty()) {
    running_deferred_.swap(deferred_);
    for (auto h : running_deferred_) h.resume();
    running_deferred_.clear();
  }
  // 5. Fire due deadlines (their handlers cancel the I/O they guard).
  timers_.expire(now_ms_);
}

}  // namespace zs::io
