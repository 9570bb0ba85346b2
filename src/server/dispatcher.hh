// Dispatcher: the worker's http::Handler. Without scripts it is the static handler, answered
// synchronously. With scripts it runs the request pipeline of zeroserve-behavior.md §3c on
// the worker's loop: path normalization (400), the script chain, then the script's response
// or the static lookup of the (possibly rewritten) request, the `<zs-meta>` template pass on
// HTML (§2h), `zs.response.header.*` metadata on every response, and response hooks (§3g).
// One per worker thread.
#pragma once

#include <memory>
#include <unordered_set>

#include "http/request.hh"
#include "http/response.hh"
#include "io/event_loop.hh"
#include "script/runner.hh"
#include "server/options.hh"
#include "server/snapshot.hh"
#include "server/static_handler.hh"

namespace zs::server {

class Dispatcher final : public http::Handler {
 public:
  Dispatcher(io::EventLoop& loop, const ServerOptions& opts, std::shared_ptr<const Snapshot> snapshot);

  void set_snapshot(std::shared_ptr<const Snapshot> snapshot) {
    snapshot_ = std::move(snapshot);
    runner_.prewarm(snapshot_->scripts);
  }

  bool try_handle(const http::Request& req, http::Response& res) override;
  io::Task<void> handle_async(const http::Request& req, http::Response& res) override;
  uint64_t body_limit() const override { return snapshot_->scripts ? max_buffered_body_ : 0; }

 private:
  struct Scripted;
  io::Task<void> serve_static(Scripted& st, const http::Request& req, http::Response& res);
  enum class Template { kServed, kNoTags, kReadError };
  io::Task<Template> serve_template(Scripted& st, const site::Entry& entry, http::Response& res);
  bool known_without_tags(const std::shared_ptr<const Snapshot>& snap, const site::Entry* entry) const;
  void remember_without_tags(const std::shared_ptr<const Snapshot>& snap, const site::Entry* entry);
  void apply_metadata_headers(Scripted& st, http::Response& res);

  io::EventLoop& loop_;
  std::shared_ptr<const Snapshot> snapshot_;
  StaticHandler static_;
  script::Runner runner_;
  uint64_t max_buffered_body_;
  uint64_t next_request_id_ = 1;
  // HTML entries of one snapshot known to hold no <zs-meta> tag (served statically). The
  // snapshot is held so its entry addresses cannot be reused by a later one.
  std::shared_ptr<const Snapshot> untemplated_owner_;
  std::unordered_set<const site::Entry*> untemplated_;
};

}  // namespace zs::server
