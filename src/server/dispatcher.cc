// Implementation of dispatcher.hh. handle_async() is the scripted request pipeline, in the
// numbered steps of zeroserve-behavior.md §3c.
#include "server/dispatcher.hh"

#include <unistd.h>

#include <cerrno>
#include <forward_list>
#include <string>

#include "http/token.hh"
#include "io/ops.hh"
#include "script/guest.hh"
#include "script/rate_limiter.hh"
#include "script/request_state.hh"
#include "site/path.hh"

namespace zs::server {
namespace {

constexpr std::string_view kMetaHeaderPrefix = "zs.response.header.";
// Larger HTML files are served as they are, without the template pass.
constexpr uint64_t kMaxTemplatedBytes = 8 * 1024 * 1024;
// zs_load_static_json reads at most this much.
constexpr uint64_t kMaxStaticJsonBytes = 4 * 1024 * 1024;

// Token buckets outlive every snapshot: limits hold across reloads (§4b row 125).
script::RateLimiter& process_rate_limiter() {
  static script::RateLimiter limiter;
  return limiter;
}

// The main site's files as scripts see them. Reads use pread on the loop thread: the files
// are small configuration JSON, read at most once per call (documented in docs/manual.md).
class SnapshotFiles final : public script::SiteFiles {
 public:
  explicit SnapshotFiles(const Snapshot& snap) : snap_(snap) {}
  std::optional<Stat> stat(std::string_view path) const override {
    const site::Entry* e = snap_.site->find(path);
    if (e == nullptr) return std::nullopt;
    // SiteFiles wants the 32 hex digits; the entry's ETag is that, quoted.
    std::string_view etag = e->etag();
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
    return Stat{e->size, etag, e->mtime};
  }
  std::optional<std::string> read(std::string_view path, uint64_t max_bytes) const override {
    const site::Entry* e = snap_.site->find(path);
    if (e == nullptr || e->size > max_bytes || e->size > kMaxStaticJsonBytes) return std::nullopt;
    std::string out(e->size, '\0');
    size_t done = 0;
    while (done < e->size) {
      ssize_t n = pread(snap_.site->fd(), out.data() + done, e->size - done, static_cast<off_t>(e->offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      done += static_cast<size_t>(n);
    }
    return out;
  }

 private:
  const Snapshot& snap_;
};

std::string_view path_part(std::string_view target) { return target.substr(0, target.find('?')); }

std::string_view query_part(std::string_view target) {
  size_t q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

bool templatable(std::string_view content_type) {
  // §2h: text/html with any parameters, or exactly application/xml.
  std::string_view base = content_type.substr(0, content_type.find(';'));
  return http::iequals(http::trim_ows(base), "text/html") || content_type == "application/xml";
}

// §2h: <zs-meta>KEY</zs-meta> -> the metadata value (KEY trimmed); unknown keys vanish; an
// opening tag without a closing one is kept literally with the rest of the body.
std::string render_template(std::string_view body, const script::Metadata& meta) {
  constexpr std::string_view kOpen = "<zs-meta>";
  constexpr std::string_view kClose = "</zs-meta>";
  std::string out;
  out.reserve(body.size());
  size_t at = 0;
  for (;;) {
    size_t open = body.find(kOpen, at);
    if (open == std::string_view::npos) break;
    size_t close = body.find(kClose, open + kOpen.size());
    if (close == std::string_view::npos) break;
    out.append(body.substr(at, open - at));
    std::string_view key = body.substr(open + kOpen.size(), close - open - kOpen.size());
    if (auto v = meta.get(key)) out.append(*v);
    at = close + kClose.size();
  }
  out.append(body.substr(at));
  return out;
}

}  // namespace

// Everything one scripted request owns; pinned by the response so header and body views stay
// valid until it is written.
struct Dispatcher::Scripted {
  explicit Scripted(std::shared_ptr<const Snapshot> s) : snapshot(std::move(s)), files(*snapshot) {}
  std::shared_ptr<const Snapshot> snapshot;
  SnapshotFiles files;
  script::RequestState state;
  std::string body;                   // a script's response body, or a rendered template
  std::forward_list<std::string> strings;  // header names/values (stable addresses)
  std::unique_ptr<http::RequestHead> head;  // the rewritten request, when scripts changed it
  std::string target;
};

Dispatcher::Dispatcher(io::EventLoop& loop, const ServerOptions& opts, std::shared_ptr<const Snapshot> snapshot)
    : loop_(loop),
      snapshot_(std::move(snapshot)),
      static_(opts.index, opts.try_html),
      runner_(loop, [&opts] {
        script::RunnerOptions r;
        r.slice = std::chrono::milliseconds(opts.preempt_interval_ms);
        r.limits.max_memory_bytes = opts.max_script_memory;
        return r;
      }()),
      max_buffered_body_(opts.max_buffered_body) {
  runner_.prewarm(snapshot_->scripts);
}

bool Dispatcher::try_handle(const http::Request& req, http::Response& res) {
  if (snapshot_->scripts) return false;
  static_.handle(snapshot_, req, res);
  return true;
}

io::Task<void> Dispatcher::handle_async(const http::Request& req, http::Response& res) {
  auto st = std::make_shared<Scripted>(snapshot_);
  res.pin = st;
  const http::RequestHead& head = req.head;
  // 1. Path normalization happens before any script runs (§2c): 400 on failure.
  auto path = site::normalize_path(path_part(head.path));
  if (!path) {
    StaticHandler::plain(res, 400);
    co_return;
  }
  // 2. The request as scripts see it.
  script::RequestState& rs = st->state;
  rs.method.assign(head.method_token);
  rs.path = std::move(path->encoded);
  rs.decoded_path.reserve(path->decoded.size() + 1);
  rs.decoded_path.append("/").append(path->decoded);
  rs.query.assign(query_part(head.path));
  rs.received = head.fields();
  rs.authority.assign(head.authority);
  rs.peer_ip = req.peer_ip;
  rs.peer_port = req.peer_port;
  rs.secure = req.secure;
  rs.proto_major = req.http_major;
  rs.proto_minor = req.http_major == 2 ? 0 : (head.version == http::Version::kHttp10 ? 0 : 1);
  rs.ja4 = req.tls_ja4;
  rs.alpn = req.tls_alpn;
  rs.sni = req.tls_server_name;
  if (head.body == http::BodyFraming::kContentLength) rs.content_length = head.content_length;
  rs.body = req.body;
  rs.body_available = req.body_complete;
  rs.body_limit = max_buffered_body_;
  rs.site_files = &st->files;
  rs.rate_limiter = &process_rate_limiter();
  rs.request_id = next_request_id_++;

  // 3. The chain.
  script::ChainResult chain = co_await runner_.run_chain(st->snapshot->scripts, rs, req.hangup);
  switch (chain.kind) {
    case script::ChainResult::Kind::kCancelled:
    case script::ChainResult::Kind::kAbort:
      res.abort = true;
      co_return;
    case script::ChainResult::Kind::kFailed:
      // §3c: a failed script stops the chain with an empty 500.
      res.status = 500;
      res.add_header("Content-Type", "text/plain; charset=utf-8");
      break;
    case script::ChainResult::Kind::kRespond: {
      // §3d: statuses outside 100..999 become 500; so do 1xx, which cannot be a final
      // response (RFC 9110 §15.2).
      uint16_t status = chain.response.status;
      res.status = status >= 200 && status <= 999 ? status : 500;
      st->body = std::move(chain.response.body);
      if (!chain.response.content_type.empty()) {
        res.add_header("Content-Type", st->strings.emplace_front(std::move(chain.response.content_type)));
      }
      res.add_memory(st->body);
      break;
    }
    case script::ChainResult::Kind::kContinue:
      co_await serve_static(*st, req, res);
      res.pin = st;  // the static handler pinned the snapshot; st holds it too
      break;
  }
  // 4. Metadata headers, hooks, metadata headers again (§3c step 8).
  apply_metadata_headers(*st, res);
  if (!rs.hooks.empty()) {
    co_await runner_.run_hooks(st->snapshot->scripts, rs, res, req.hangup);
    apply_metadata_headers(*st, res);
  }
}

// The static lookup of the request as the scripts left it, with the template pass for HTML
// when the metadata map is not empty.
io::Task<void> Dispatcher::serve_static(Scripted& st, const http::Request& req, http::Response& res) {
  const script::RequestState& rs = st.state;
  const http::Request* serve = &req;
  if (rs.uri_changed || rs.method_changed || rs.headers_changed) st.head = std::make_unique<http::RequestHead>(req.head);
  http::Request rewritten{.head = st.head ? *st.head : req.head, .peer_ip = req.peer_ip, .peer_port = req.peer_port,
                          .secure = req.secure};
  if (st.head) {
    st.target = rs.query.empty() ? rs.path : rs.path + "?" + rs.query;
    st.head->target = st.target;
    st.head->path = st.target;
    st.head->method_token = rs.method;
    st.head->method = http::method_from_token(rs.method);
    if (rs.headers_copied) {  // else the received fields (copied with the head) still hold
      st.head->header_count = 0;
      for (const script::HeaderField& h : rs.headers) {
        if (st.head->header_count == http::kMaxHeaders) break;
        st.head->headers[st.head->header_count++] = {h.name, h.value};
      }
    }
    serve = &rewritten;
  }
  const http::RequestHead& head = serve->head;
  if (!rs.meta.empty() && (head.method == http::Method::kGet || head.method == http::Method::kHead)) {
    auto path = site::normalize_path(path_part(head.path));
    const site::Entry* entry = path ? static_.lookup(*st.snapshot, *path) : nullptr;
    if (entry != nullptr && templatable(entry->content_type) && entry->size <= kMaxTemplatedBytes &&
        !known_without_tags(st.snapshot, entry)) {
      Template t = co_await serve_template(st, *entry, res);
      if (t == Template::kServed) co_return;
      if (t == Template::kReadError) {
        res.clear_body_and_headers();
        StaticHandler::plain(res, 500);  // §2h: a read error is a 500
        co_return;
      }
      remember_without_tags(st.snapshot, entry);
    }
    if (entry != nullptr) {  // already looked up: serve it without normalizing again
      static_.serve(st.snapshot, *serve, *entry, res);
      co_return;
    }
  }
  static_.handle(st.snapshot, *serve, res);
}

// Pages without a single <zs-meta> tag render to their own bytes, so they are served as
// static files, validators and ranges included (the reference drops them; the body is the
// same). Which pages have no tags is remembered per snapshot, so they are read only once.
bool Dispatcher::known_without_tags(const std::shared_ptr<const Snapshot>& snap, const site::Entry* entry) const {
  return untemplated_owner_ == snap && untemplated_.contains(entry);
}

void Dispatcher::remember_without_tags(const std::shared_ptr<const Snapshot>& snap, const site::Entry* entry) {
  if (untemplated_owner_ != snap) {
    untemplated_.clear();
    untemplated_owner_ = snap;
  }
  constexpr size_t kMaxRemembered = 4096;
  if (untemplated_.size() < kMaxRemembered) untemplated_.insert(entry);
}

// §2h: the whole file through the template pass; no validators, no ranges. Non-UTF-8 pages
// and pages without tags are left to the static path (same bytes).
io::Task<Dispatcher::Template> Dispatcher::serve_template(Scripted& st, const site::Entry& entry,
                                                          http::Response& res) {
  std::string raw(entry.size, '\0');
  size_t done = 0;
  while (done < raw.size()) {
    io::ReadAt op(loop_, st.snapshot->site->fd(), raw.data() + done, raw.size() - done, entry.offset + done);
    int32_t n = co_await op;
    if (n <= 0) co_return Template::kReadError;
    done += static_cast<size_t>(n);
  }
  if (raw.find("<zs-meta>") == std::string::npos || !script::valid_utf8(raw)) co_return Template::kNoTags;
  st.body = render_template(raw, st.state.meta);
  res.status = 200;
  res.add_header("Content-Type", entry.content_type);
  res.add_memory(st.body);
  co_return Template::kServed;
}

// Every `zs.response.header.<name>` entry replaces that header; invalid names or values are
// skipped (§3e).
void Dispatcher::apply_metadata_headers(Scripted& st, http::Response& res) {
  for (const auto& [key, value] : st.state.meta.entries()) {
    if (!key.starts_with(kMetaHeaderPrefix)) continue;
    std::string_view name = std::string_view(key).substr(kMetaHeaderPrefix.size());
    if (!http::is_token(name)) continue;
    if (!http::is_field_value(value)) continue;
    std::string_view n = st.strings.emplace_front(name);
    res.set_header(n, st.strings.emplace_front(value));
  }
}

}  // namespace zs::server
