// StaticHandler: answers requests from the current site snapshot, as the reference server does
// (zeroserve-behavior.md §2c-2g): path normalization (400), GET/HEAD only (405), lookup with
// index and try-html (404), conditional requests (304), byte ranges (206/416), and beyond the
// reference, multi-range requests as multipart/byteranges. One per worker, on its loop thread.
#pragma once

#include <memory>
#include <string>

#include "http/request.hh"
#include "http/response.hh"
#include "server/snapshot.hh"
#include "site/site.hh"

namespace zs::server {

class StaticHandler {
 public:
  StaticHandler(std::string index, bool try_html);

  // Serves `req` from `snapshot`, which the response pins.
  void handle(const std::shared_ptr<const Snapshot>& snapshot, const http::Request& req, http::Response& res) const;
  // The entry a GET of `path` would serve, or nullptr.
  const site::Entry* lookup(const Snapshot& snapshot, const site::NormalizedPath& path) const {
    return snapshot.site->lookup(path, lookup_);
  }
  // Serves `entry` (a GET or HEAD request's lookup result in `snapshot`) with conditionals and
  // ranges; the response pins the snapshot.
  void serve(const std::shared_ptr<const Snapshot>& snapshot, const http::Request& req, const site::Entry& entry,
             http::Response& res) const {
    res.pin = snapshot;
    serve_entry(*snapshot, req, entry, res);
  }
  // A plain-text error response: the status and its reason phrase.
  static void plain(http::Response& res, uint16_t status);

 private:
  void serve_entry(const Snapshot& snapshot, const http::Request& req, const site::Entry& entry,
                   http::Response& res) const;

  std::string index_;
  site::LookupOptions lookup_;
};

}  // namespace zs::server
