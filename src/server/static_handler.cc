// Implementation of static_handler.hh.
#include "server/static_handler.hh"

#include <optional>

#include "base/http_date.hh"
#include "site/conditional.hh"
#include "site/path.hh"
#include "site/range.hh"

namespace zs::server {
namespace {

std::optional<std::string_view> header(const http::RequestHead& head, std::string_view name) {
  const http::Header* h = head.find(name);
  if (h == nullptr) return std::nullopt;
  return h->value;
}

// The path part of the target: everything before '?'. (Fragments never reach a server.)
std::string_view path_of(const http::RequestHead& head) {
  std::string_view p = head.path;
  size_t q = p.find('?');
  return q == std::string_view::npos ? p : p.substr(0, q);
}

}  // namespace

StaticHandler::StaticHandler(std::string index, bool try_html) : index_(std::move(index)) {
  lookup_.index = index_;
  lookup_.try_html = try_html;
}

void StaticHandler::plain(http::Response& res, uint16_t status) {
  res.status = status;
  res.add_header("Content-Type", "text/plain; charset=utf-8");
  std::string_view phrase = http::reason_phrase(status);
  res.add_memory(phrase);
}

void StaticHandler::handle(const std::shared_ptr<const Snapshot>& snapshot, const http::Request& req,
                           http::Response& res) const {
  const http::RequestHead& head = req.head;
  // 1. The path, normalized once: escapes, %2f and malformed encodings are 400 (§2c).
  auto path = site::normalize_path(path_of(head));
  if (!path) return plain(res, 400);
  // 2. Only GET and HEAD are served from the site (§2d).
  if (head.method != http::Method::kGet && head.method != http::Method::kHead) {
    plain(res, 405);
    res.add_header("Allow", "GET, HEAD");
    return;
  }
  // 3. Lookup in the snapshot this response will pin.
  const site::Entry* entry = snapshot->site->lookup(*path, lookup_);
  if (entry == nullptr) return plain(res, 404);
  serve(snapshot, req, *entry, res);
}

void StaticHandler::serve_entry(const Snapshot& snapshot, const http::Request& req, const site::Entry& entry,
                                http::Response& res) const {
  const http::RequestHead& head = req.head;
  const int fd = snapshot.site->fd();
  // The entry's bytes in the snapshot's mapping: handed to the kernel only (see Snapshot).
  auto mapped = [&snapshot](uint64_t offset) -> const char* {
    return snapshot.mapping != nullptr ? snapshot.mapping + offset : nullptr;
  };
  // `length` bytes at `from` in the entry: from the small-file copy when there is one.
  const std::optional<std::string_view> cached = snapshot.small_file(entry);
  auto add_part = [&](uint64_t from, uint64_t length) {
    if (cached) return res.add_memory(cached->substr(from, length));
    return res.add_file(fd, entry.offset + from, length, mapped(entry.offset + from));
  };
  std::string_view last_modified;
  if (entry.mtime != 0) {
    char date[kHttpDateLen];
    format_http_date(entry.mtime, date);
    last_modified = res.keep({date, kHttpDateLen});
  }

  // Conditional requests first (§2g): If-None-Match alone decides when present.
  if (site::evaluate_conditional(header(head, "if-none-match"), header(head, "if-modified-since"), entry) ==
      site::ConditionalOutcome::kNotModified) {
    res.status = 304;
    res.add_header("ETag", entry.etag());
    return;
  }

  res.add_header("ETag", entry.etag());
  if (!last_modified.empty()) res.add_header("Last-Modified", last_modified);
  res.add_header("Accept-Ranges", "bytes");

  site::RangeDecision ranges = site::evaluate_range(header(head, "range"), header(head, "if-range"), entry);
  if (ranges.outcome == site::RangeOutcome::kUnsatisfiable) {
    res.status = 416;
    res.add_header("Content-Range", res.keep(site::unsatisfied_content_range(entry.size)));
    return;
  }
  if (ranges.outcome == site::RangeOutcome::kSatisfiable && ranges.count == 1) {
    const site::ByteRange& r = ranges.ranges[0];
    res.status = 206;
    res.add_header("Content-Type", entry.content_type);
    res.add_header("Content-Range", res.keep(site::content_range(r, entry.size)));
    add_part(r.first, r.length());
    return;
  }
  if (ranges.outcome == site::RangeOutcome::kSatisfiable) {
    site::MultipartFraming mp = site::build_multipart(ranges.satisfiable(), entry.content_type, entry.size,
                                                      site::multipart_boundary(entry.etag()));
    std::string_view type = res.keep(mp.content_type);
    bool fits = !type.empty();
    for (const auto& part : mp.parts) {
      std::string_view h = res.keep(part.header);
      fits = fits && !h.empty() && res.add_memory(h) &&
             add_part(part.range.first, part.range.length());
    }
    std::string_view closing = res.keep(mp.closing);
    fits = fits && !closing.empty() && res.add_memory(closing);
    if (fits) {
      res.status = 206;
      res.add_header("Content-Type", type);
      return;
    }
    // The framing did not fit this response's scratch space: serve the whole file instead,
    // which RFC 9110 §14.2 always allows.
    res.clear_body_and_headers();
    res.add_header("ETag", entry.etag());
    if (!last_modified.empty()) res.add_header("Last-Modified", last_modified);
    res.add_header("Accept-Ranges", "bytes");
  }
  res.status = 200;
  res.add_header("Content-Type", entry.content_type);
  add_part(0, entry.size);
}

}  // namespace zs::server
