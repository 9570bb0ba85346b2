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

class StaticHandler final : public http::Handler {
 public:
  StaticHandler(std::shared_ptr<const Snapshot> snapshot, std::string index, bool try_html);

  void set_snapshot(std::shared_ptr<const Snapshot> snapshot) { snapshot_ = std::move(snapshot); }
  void handle(const http::Request& req, http::Response& res) override;

 private:
  void serve_entry(const http::Request& req, const site::Entry& entry, http::Response& res);
  static void plain(http::Response& res, uint16_t status);

  std::shared_ptr<const Snapshot> snapshot_;
  std::string index_;
  site::LookupOptions lookup_;
};

}  // namespace zs::server
