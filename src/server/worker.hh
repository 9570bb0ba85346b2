// Worker: one thread, one io_uring event loop, one listening socket, its own connections.
// Nothing on its request path is shared with other workers except the read-only snapshot.
// The main thread talks to a worker only through wake(): "a new snapshot is published" and
// "stop" are flags the worker reads on its own thread after waking.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "io/completion.hh"
#include "server/options.hh"
#include "server/snapshot.hh"

namespace zs::io {
class EventLoop;
}

namespace zs::server {

class Worker {
 public:
  // `tls_listen_fd` is -1 when HTTPS is off.
  Worker(unsigned index, const ServerOptions& opts, SnapshotStore& store, int listen_fd, int tls_listen_fd);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts the thread, which creates its own event loop. Returns once the loop exists, or with
  // the error if the kernel refused io_uring.
  Result<void> start();

  // Thread-safe. Tells the worker to look at the snapshot store again.
  void notify_reload();
  // Thread-safe. Begins a graceful stop: no new connections; in-flight requests finish within
  // the shutdown timeout, then the thread ends.
  void request_stop();
  void join();

 private:
  void run();
  void arm_accept(bool secure);
  static void on_accept(io::Completion* c, int32_t res, uint32_t flags);
  static void on_wake(void* self);

  unsigned index_;
  const ServerOptions& opts_;
  SnapshotStore& store_;
  int listen_fd_;
  int tls_listen_fd_;
  std::unique_ptr<io::EventLoop> loop_;
  std::thread thread_;
  std::atomic<bool> stop_requested_{false};

  // Loop-thread state.
  struct AcceptCompletion : io::Completion {
    Worker* self;
    bool secure;
    bool armed = false;
  };
  AcceptCompletion accept_{};
  AcceptCompletion tls_accept_{};
  struct State;
  State* state_ = nullptr;  // connections, handler, log: live only while run() runs
};

}  // namespace zs::server
