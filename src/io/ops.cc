// The one place that maps operations to io_uring_prep_* calls.
#include "io/ops.hh"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <utility>

namespace zs::io {

void Op::finish(Completion* c, int32_t res, uint32_t flags) {
  auto* op = static_cast<Op*>(c);
  op->res_ = res;
  op->flags_ = flags;
  if (op->slot_ != nullptr) *op->slot_ = nullptr;
  op->waiter_.resume();
}

void Recv::await_suspend(std::coroutine_handle<> h) {
  park(h);
  io_uring_sqe* sqe = loop_.sqe_for(this);
  io_uring_prep_recv(sqe, fd_, nullptr, loop_.recv_buffers().buffer_size(), 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = loop_.recv_buffers().group_id();
}

const char* Recv::buffer() const {
  return loop_.recv_buffers().buffer(static_cast<uint16_t>(cqe_flags() >> IORING_CQE_BUFFER_SHIFT));
}

void Recv::recycle() const {
  if (has_buffer()) loop_.recv_buffers().recycle(static_cast<uint16_t>(cqe_flags() >> IORING_CQE_BUFFER_SHIFT));
}

void Send::await_suspend(std::coroutine_handle<> h) {
  park(h);
  io_uring_prep_send(loop_.sqe_for(this), fd_, data_, len_, MSG_NOSIGNAL);
}

void SendV::await_suspend(std::coroutine_handle<> h) {
  park(h);
  io_uring_prep_sendmsg(loop_.sqe_for(this), fd_, &msg_, MSG_NOSIGNAL);
}

void ReadAt::await_suspend(std::coroutine_handle<> h) {
  park(h);
  io_uring_prep_read(loop_.sqe_for(this), fd_, buf_, static_cast<unsigned>(len_), offset_);
}

void Close::await_suspend(std::coroutine_handle<> h) {
  park(h);
  io_uring_prep_close(loop_.sqe_for(this), fd_);
}

void cancel(EventLoop& loop, Completion* target) {
  io_uring_prep_cancel64(loop.sqe_for(nullptr), reinterpret_cast<uint64_t>(target), 0);
}

void prep_multishot_accept(EventLoop& loop, Completion* c, int listen_fd) {
  io_uring_prep_multishot_accept(loop.sqe_for(c), listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
}

void prep_poll(EventLoop& loop, Completion* c, int fd, unsigned mask) {
  io_uring_prep_poll_add(loop.sqe_for(c), fd, mask);
}

HangupWatch::HangupWatch(EventLoop& loop, int fd, bool* flag) : loop_(loop), flag_(flag) {
  on_complete = &HangupWatch::complete;
  prep_poll(loop, this, fd, POLLRDHUP | POLLHUP | POLLERR);
}

void HangupWatch::complete(Completion* c, int32_t res, uint32_t) {
  auto* self = static_cast<HangupWatch*>(c);
  self->done_ = true;
  if (res > 0 && (res & (POLLRDHUP | POLLHUP | POLLERR)) != 0) *self->flag_ = true;
  if (self->waiter_) std::exchange(self->waiter_, {}).resume();
}

void HangupWatch::Finish::await_suspend(std::coroutine_handle<> h) {
  w.waiter_ = h;
  cancel(w.loop_, &w);
}

int shutdown_write(int fd) {
  return ::shutdown(fd, SHUT_WR) == 0 ? 0 : -errno;
}

}  // namespace zs::io
