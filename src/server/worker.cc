// Implementation of worker.hh. The worker's loop, as numbered steps, is in run().
#include "server/worker.hh"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>

#include "base/log.hh"
#include "http/access_log.hh"
#include "http/h1/connection.hh"
#include "io/event_loop.hh"
#include "io/ops.hh"
#include "server/dispatcher.hh"

namespace zs::server {

struct Worker::State {
  State(io::EventLoop& loop, const ServerOptions& opts, std::shared_ptr<const Snapshot> snap)
      : handler(loop, opts, std::move(snap)),
        log(loop, STDERR_FILENO),
        connections(loop, handler, opts.connection, opts.request_logging ? &log : nullptr) {}

  Dispatcher handler;
  http::AccessLog log;
  http::h1::Connections connections;
};

Worker::Worker(unsigned index, const ServerOptions& opts, SnapshotStore& store, int listen_fd, int tls_listen_fd)
    : index_(index), opts_(opts), store_(store), listen_fd_(listen_fd), tls_listen_fd_(tls_listen_fd) {
  for (AcceptCompletion* a : {&accept_, &tls_accept_}) {
    a->on_complete = &Worker::on_accept;
    a->self = this;
  }
  tls_accept_.secure = true;
}

Worker::~Worker() { join(); }

Result<void> Worker::start() {
  // The ring must be created by the thread that will use it: SINGLE_ISSUER and DEFER_TASKRUN
  // tie it to its creator. The new thread reports whether that worked before start() returns.
  std::promise<Result<void>> ready;
  std::future<Result<void>> started = ready.get_future();
  thread_ = std::thread([this, &ready] {
    auto loop = io::EventLoop::create(io::LoopOptions{});
    if (!loop) {
      ready.set_value(loop.error().wrap("worker " + std::to_string(index_)));
      return;
    }
    loop_ = std::move(loop).value();
    loop_->set_wake_handler(&Worker::on_wake, this);
    ready.set_value(Result<void>());
    run();
  });
  Result<void> r = started.get();
  if (!r) thread_.join();
  return r;
}

void Worker::notify_reload() {
  if (loop_) loop_->wake();
}

void Worker::request_stop() {
  stop_requested_.store(true, std::memory_order_release);
  if (loop_) loop_->wake();
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::on_wake(void*) {
  // Nothing to do here: run() re-checks the generation and the stop flag after every iteration.
}

void Worker::arm_accept(bool secure) {
  AcceptCompletion& a = secure ? tls_accept_ : accept_;
  a.armed = true;
  io::prep_multishot_accept(*loop_, &a, secure ? tls_listen_fd_ : listen_fd_);
}

void Worker::on_accept(io::Completion* c, int32_t res, uint32_t flags) {
  auto* accept = static_cast<AcceptCompletion*>(c);
  Worker* self = accept->self;
  if (res >= 0) {
    if (self->stop_requested_.load(std::memory_order_relaxed)) {
      close(res);  // raced with the stop: the accept was already on its way
    } else {
      sockaddr_storage peer{};
      socklen_t len = sizeof peer;
      getpeername(res, reinterpret_cast<sockaddr*>(&peer), &len);
      self->state_->connections.serve(res, peer, len, accept->secure);
    }
  } else if (res != -ECANCELED && res != -EINTR && res != -EAGAIN) {
    // EMFILE/ENFILE and friends: say so once per burst, keep serving what we have.
    log::error("worker %u: accept: %s", self->index_, strerror(-res));
  }
  // Multishot accept stops on errors (F_MORE clear): re-arm unless we are stopping.
  if (!(flags & IORING_CQE_F_MORE)) {
    accept->armed = false;
    if (!self->stop_requested_.load(std::memory_order_relaxed)) self->arm_accept(accept->secure);
  }
}

void Worker::run() {
  uint64_t generation = store_.generation();
  State state(*loop_, opts_, store_.current());
  state_ = &state;
  state.connections.set_tls(store_.current()->tls);
  arm_accept(false);
  if (tls_listen_fd_ >= 0) arm_accept(true);
  bool draining = false;
  int64_t drain_deadline = 0;
  io::Deadline drain_timer([](io::Deadline*) {});  // only wakes the loop at the drain deadline
  for (;;) {
    // 1. Wait for and dispatch I/O completions, deferred coroutines and due timeouts.
    loop_->run_once();
    // 2. Write what the access log collected during this iteration (one write per iteration).
    state.log.flush();
    // 3. Pick up a newly published snapshot; in-flight responses keep the old one alive.
    if (uint64_t g = store_.generation(); g != generation) {
      generation = g;
      auto snap = store_.current();
      state.connections.set_tls(snap->tls);  // new handshakes use the new certificates
      state.handler.set_snapshot(std::move(snap));
    }
    // 4. Graceful stop: stop accepting, close idle connections, let the others finish.
    if (!draining && stop_requested_.load(std::memory_order_acquire)) {
      draining = true;
      drain_deadline = loop_->now_ms() + opts_.shutdown_timeout_ms;
      loop_->timers().arm(drain_timer, drain_deadline);
      for (AcceptCompletion* a : {&accept_, &tls_accept_})
        if (a->armed) io::cancel(*loop_, a);
      state.connections.drain();
    }
    if (draining) {
      if (loop_->now_ms() >= drain_deadline) state.connections.abort_all();
      if (state.connections.live() == 0 && !accept_.armed && !tls_accept_.armed && state.log.idle()) break;
    }
  }
  loop_->timers().disarm(drain_timer);
  state_ = nullptr;
}

}  // namespace zs::server
