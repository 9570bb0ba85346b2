// Implementation of server.hh.
#include "server/server.hh"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "base/log.hh"
#include "server/listener.hh"
#include "server/snapshot.hh"
#include "server/worker.hh"
#include "tls/ticket_keys.hh"

namespace zs::server {
namespace {

void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  rlim_t want = lim.rlim_max < 1048576 ? lim.rlim_max : 1048576;
  if (lim.rlim_cur < want) {
    lim.rlim_cur = want;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  getrlimit(RLIMIT_NOFILE, &lim);
  log::info("fd limit %llu", static_cast<unsigned long long>(lim.rlim_cur));
}

std::string read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void reload(const ServerOptions& opts, SnapshotStore& store, std::vector<std::unique_ptr<Worker>>& workers,
            const std::shared_ptr<const tls::TicketKeyRing>& ticket_keys) {
  auto next = Snapshot::load(opts, ticket_keys);
  if (!next) {
    log::error("reload failed, still serving the previous site: %s", next.error().message().c_str());
    return;
  }
  const auto& site = *(*next)->site;
  store.publish(std::move(next).value());
  for (auto& w : workers) w->notify_reload();
  log::info("reloaded %zu entries from %s (%llu bytes)", site.files().size(), opts.site_path.c_str(),
            static_cast<unsigned long long>(site.file_size()));
}

}  // namespace

int run(const ServerOptions& opts) {
  raise_fd_limit();
  // One ticket key ring for the life of the process: every generation's TLS context shares it,
  // so session tickets stay valid across reloads and across workers.
  std::shared_ptr<const tls::TicketKeyRing> ticket_keys;
  if (opts.tls.enabled()) {
    auto ring = tls::TicketKeyRing::create();
    if (!ring) {
      log::error("TLS session tickets: %s", ring.error().message().c_str());
      return 1;
    }
    ticket_keys = std::move(ring).value();
  }
  auto first = Snapshot::load(opts, ticket_keys);
  if (!first) {
    log::error("%s", first.error().message().c_str());
    return 1;
  }
  log::info("loaded %zu entries from %s (%llu bytes)", (*first)->site->files().size(), opts.site_path.c_str(),
            static_cast<unsigned long long>((*first)->site->file_size()));
  SnapshotStore store(std::move(first).value());

  auto where = parse_listen_address(opts.addr);
  if (!where) {
    log::error("--addr %s", where.error().message().c_str());
    return 1;
  }
  const unsigned threads = opts.threads != 0 ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  auto listeners = open_listeners(*where, threads);
  if (!listeners) {
    log::error("--addr %s: %s", opts.addr.c_str(), listeners.error().message().c_str());
    return 1;
  }
  Result<ListenAddress> tls_where = ListenAddress{};
  Result<std::vector<int>> tls_listeners = std::vector<int>(threads, -1);
  if (opts.tls.enabled()) {
    tls_where = parse_listen_address(opts.tls.addr);
    if (!tls_where) {
      log::error("--tls-addr %s", tls_where.error().message().c_str());
      return 1;
    }
    tls_listeners = open_listeners(*tls_where, threads);
    if (!tls_listeners) {
      log::error("--tls-addr %s: %s", opts.tls.addr.c_str(), tls_listeners.error().message().c_str());
      return 1;
    }
  }

  // Signals are taken synchronously by this thread only: block them before any worker exists,
  // so every worker thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGHUP, SIGTERM, SIGINT, SIGPIPE}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Worker>(i, opts, store, (*listeners)[i], (*tls_listeners)[i]));
    if (auto started = workers.back()->start(); !started) {
      log::error("%s", started.error().message().c_str());
      for (auto& w : workers) w->request_stop();
      return 1;
    }
  }
  log::info("listening on http://%s (%u worker thread(s))", describe_bound_address((*listeners)[0]).c_str(), threads);
  if (opts.tls.enabled()) log::info("listening on https://%s", describe_bound_address((*tls_listeners)[0]).c_str());

  std::string watched = opts.reload_signal_file.empty() ? "" : read_small_file(opts.reload_signal_file);
  for (;;) {
    siginfo_t info{};
    int sig;
    if (opts.reload_signal_file.empty()) {
      sig = sigwaitinfo(&signals, &info);
    } else {
      timespec one_second{1, 0};
      sig = sigtimedwait(&signals, &info, &one_second);
      if (sig < 0 && errno == EAGAIN) {
        std::string now = read_small_file(opts.reload_signal_file);
        if (now != watched) {
          watched = std::move(now);
          reload(opts, store, workers, ticket_keys);
        }
        continue;
      }
    }
    if (sig == SIGHUP) {
      reload(opts, store, workers, ticket_keys);
    } else if (sig == SIGTERM || sig == SIGINT) {
      break;
    }
  }

  log::info("shutting down: finishing in-flight requests (at most %lld ms)",
            static_cast<long long>(opts.shutdown_timeout_ms));
  for (auto& w : workers) w->request_stop();
  // New connections must not queue on sockets nobody will accept from again.
  if (!where->inherited)
    for (int fd : *listeners) close(fd);
  if (opts.tls.enabled() && !tls_where->inherited)
    for (int fd : *tls_listeners) close(fd);
  for (auto& w : workers) w->join();
  log::info("stopped");
  return 0;
}

}  // namespace zs::server
