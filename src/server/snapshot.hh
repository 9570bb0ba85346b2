// Snapshot: one immutable generation of everything a reload swaps (site, scripts, TLS material). Built off the request path, shared read-only by every worker,
// and kept alive by each in-flight response that still reads from it (Response::pin).
// SnapshotStore publishes the current generation: readers poll a generation counter without a
// lock and take the mutex only when it changed, so the request path never locks.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.hh"
#include "script/script_set.hh"
#include "server/options.hh"
#include "site/site.hh"
#include "tls/context.hh"
#include "tls/ticket_keys.hh"

namespace zs::server {

struct Snapshot {
  Snapshot() = default;
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  std::shared_ptr<const site::Site> site;
  // The whole tarball mapped read-only (null if mmap failed: bodies are then read with io_uring).
  // Only the kernel may touch it: responses pass it to send(2), never read it in userspace, so
  // a tarball truncated in place costs an EFAULT on one connection instead of a SIGBUS.
  const char* mapping = nullptr;
  size_t mapping_size = 0;

  // TLS contexts for this generation (null when HTTPS is off); certificates reload with the site.
  std::shared_ptr<const tls::Context> tls;
  // Bytes of the site's small files (each at most kSmallFileMax, kSmallFilesBudget in all),
  // read once at load: answering them needs no file read (HTTP/1.1: one send; HTTP/2: no read
  // round trip inside the connection loop). Views stay valid for the snapshot's lifetime.
  static constexpr uint64_t kSmallFileMax = 16 * 1024;
  static constexpr uint64_t kSmallFilesBudget = 8 * 1024 * 1024;
  std::optional<std::string_view> small_file(const site::Entry& entry) const {
    auto it = small_index.find(&entry);
    if (it == small_index.end()) return std::nullopt;
    return std::string_view(small_files).substr(it->second, entry.size);
  }
  std::string small_files;
  std::unordered_map<const site::Entry*, size_t> small_index;  // entry -> offset in small_files

  // The script chain (plugins, then the site's scripts); null when there are none, so requests
  // take the static fast path.
  std::shared_ptr<const script::ScriptSet> scripts;

  // Loads and validates the site (opts.site_path: a tarball, or a standalone .o/.c script),
  // the scripts and, when opts.tls is enabled, the certificates, with `ticket_keys` (shared by
  // every generation so resumption survives reloads). Errors say what is wrong and where.
  static Result<std::shared_ptr<const Snapshot>> load(const ServerOptions& opts,
                                                      std::shared_ptr<const tls::TicketKeyRing> ticket_keys);

 private:
  void load_small_files();
};

class SnapshotStore {
 public:
  explicit SnapshotStore(std::shared_ptr<const Snapshot> first) : current_(std::move(first)) {}

  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::shared_ptr<const Snapshot> current() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  void publish(std::shared_ptr<const Snapshot> next) {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(next);
    generation_.fetch_add(1, std::memory_order_release);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;
  std::atomic<uint64_t> generation_{1};
};

}  // namespace zs::server
