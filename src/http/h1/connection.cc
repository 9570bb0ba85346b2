// One HTTP/1.1 connection as one coroutine, read top to bottom in the order a request lives:
// read the head -> settle the body -> handle -> write the response -> keep-alive or close.
// Buffers come from per-worker pools and go back whenever the connection is idle, so an idle
// keep-alive connection holds no buffer (receives use the loop's provided-buffer ring).
#include "http/h1/connection.hh"

#include <arpa/inet.h>
#include <sys/uio.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "base/assert.hh"
#include "http/h1/chunked.hh"
#include "http/response.hh"
#include "http/token.hh"
#include "io/block_pool.hh"
#include "io/ops.hh"
#include "io/task.hh"
#include "tls/session.hh"

namespace zs::http::h1 {
namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kH2PrefaceLine = "PRI * HTTP/2.0\r\n";
constexpr int64_t kGoawayAckMs = 1'000;  // wait for the shutdown PING's ACK (double GOAWAY)
constexpr size_t kHeadReserve = 8 * 1024;     // output room reserved for a response head
constexpr size_t kLingerBytes = 256 * 1024;   // discarded at most while lingering on close
constexpr int64_t kLingerMs = 2'000;
// File parts at least this large are sent from the snapshot's mapping (no read, one copy);
// smaller ones are read into the output buffer so the response leaves in one send.
constexpr uint64_t kDirectSendMin = 32 * 1024;

// A growable byte buffer over blocks of the worker's pool; release() hands the block back
// (connections release theirs whenever they go idle).
struct Buffer {
  explicit Buffer(io::BlockPool& p) : pool(p) {}
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { release(); }

  // Makes room for `more` bytes after `len`. Existing bytes move: views into them die.
  void reserve_more(size_t more) {
    if (len + more <= cap) return;
    size_t new_cap = 0;
    char* p = pool.acquire(len + more, &new_cap);
    if (len != 0) std::memcpy(p, data, len);
    pool.release(data, cap);
    data = p;
    cap = new_cap;
  }
  void append(std::string_view s) {
    reserve_more(s.size());
    std::memcpy(data + len, s.data(), s.size());
    len += s.size();
  }
  void consume(size_t n) {
    ZS_ASSERT(n <= len);
    std::memmove(data, data + n, len - n);
    len -= n;
  }
  void release() {
    pool.release(data, cap);
    data = nullptr;
    cap = len = 0;
  }
  std::string_view view() const { return {data, len}; }

  io::BlockPool& pool;
  char* data = nullptr;
  size_t cap = 0;
  size_t len = 0;
};

// Does the request's authority name the host the TLS client asked for (SNI)?
bool authority_matches(std::string_view authority, std::string_view sni) { return iequals(host_of(authority), sni); }

void append_number(Buffer& b, uint64_t n) {
  char tmp[20];
  auto [end, ec] = std::to_chars(tmp, tmp + sizeof tmp, n);
  b.append({tmp, static_cast<size_t>(end - tmp)});
}

}  // namespace

class Connection {
 public:
  Connection(Connections& set, int fd, const sockaddr_storage& peer, bool secure);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  io::Task<void> serve();
  io::Task<void> close();

  // Intrusive list links owned by Connections.
  Connection* prev = nullptr;
  Connection* next = nullptr;

  // Called by Connections::drain(): wakes the connection if it is waiting for a new request.
  void on_drain();
  // Called by Connections::abort_all(): cancels whatever it waits for; nothing new starts.
  void on_abort();

 private:
  enum class BodyOutcome { kDone, kTooLarge, kBad, kFailed };

  io::Task<bool> handshake();
  io::Task<void> serve_h2();
  io::Task<void> serve_h2_loop(h2::Session& session);
  // HTTP/2 requests the handler answers asynchronously (scripts) run concurrently with the
  // connection's loop, each in its own coroutine; the loop submits their responses when they
  // are done and flags the ones whose stream was reset (or whose connection ended).
  struct H2Async {
    H2Async(const Request& r, int32_t id, Response* out) : req(r), stream_id(id), res(out) {}
    struct Gone final : HangupSignal {
      bool flag = false;
      const bool* watch() override { return &flag; }  // the loop reads all along: no poll needed
    } gone;
    Request req;
    int32_t stream_id;
    Response* res;
    bool done = false;
  };
  io::Detached run_h2_async(H2Async* job);
  // Wakes the h2 loop from its receive wait when an asynchronous answer is ready.
  void wake_h2();
  // Answers synchronously when it can (421, or the handler's fast path); false: the caller
  // must co_await the handler's handle_async().
  bool handle(const Request& req, Response& res);
  Request request_for(const RequestHead& head, uint8_t http_major) const;
  // The handler's asynchronous step. The handler may ask to watch the socket for a hang-up
  // (Request::hangup); the watch is reaped before this returns.
  io::Task<void> handle_watched(const Request& req, Response& res);
  io::Task<ParseResult> read_head(Parser& parser, RequestHead& head);
  io::Task<BodyOutcome> settle_body(const RequestHead& head, size_t head_len, size_t& buffered_body);
  io::Task<BodyOutcome> drain_chunked(size_t head_len, size_t& buffered_body);
  // What a body consumer makes of one received segment: how many bytes belong to the body,
  // whether the body is now complete (the rest belongs to the next request), or broken.
  struct BodyStep {
    size_t used;
    bool done;
    bool failed;
  };
  // Receives body bytes into ring buffers and hands each segment to `consume` (BodyStep
  // consume(std::string_view)) until it says done (true) or failed, or the body times out,
  // the peer goes away or the connection is aborted (false). Leftover bytes go to carry_.
  template <typename Consume>
  io::Task<bool> pump_body(Consume& consume);
  io::Task<bool> write_response(const RequestHead& head, const Response& res, bool keep_alive);
  // Sends n bytes: through the TLS session when there is one, else straight to the socket.
  io::Task<bool> send_all(const char* p, size_t n);
  io::Task<bool> send_raw(const char* p, size_t n);
  io::Task<bool> flush_tls();
  io::Task<int32_t> recv_ciphertext();
  io::Task<bool> send_with_pending(const char* extra, size_t n);
  io::Task<void> reject(uint16_t status, std::string_view reason);
  io::Task<void> linger();

  void serialize_head(const RequestHead* head, const Response& res, bool keep_alive);
  void log(const RequestHead* head, uint16_t status, uint64_t bytes);

  // Receives (and over TLS, decrypts) into `dst`; returns bytes (> 0), 0 on EOF, -errno.
  io::Task<int32_t> recv_into(Buffer& dst);
  // pump_body's per-segment step: 1 body done, 0 failed, -1 more needed.
  template <typename Consume>
  int take_body(Consume& consume, std::string_view got);

  void arm(int64_t ms) { loop_.timers().arm(deadline_, loop_.now_ms() + ms); }
  void disarm() { loop_.timers().disarm(deadline_); }
  static void on_deadline(io::Deadline* d);

  Connections& set_;
  io::EventLoop& loop_;
  const ConnectionOptions& opts_;
  int fd_;
  struct ConnDeadline : io::Deadline {
    Connection* conn = nullptr;
  } deadline_;
  io::Completion* pending_ = nullptr;  // the operation a deadline or drain() would cancel
  bool expired_ = false;
  bool aborted_ = false;               // abort_all(): no new I/O may start
  bool h2_ = false;                    // serve_h2() runs this connection
  std::list<H2Async> h2_async_;        // asynchronous HTTP/2 answers in progress or done
  size_t h2_running_ = 0;              // of them, still running
  bool h2_in_recv_ = false;            // the h2 loop waits for input (wake_h2 may cancel it)
  bool receiving_ = false;             // pending_ is a receive
  std::coroutine_handle<> h2_drain_;   // serve_h2 waiting for the last one to finish
  std::coroutine_handle<> h2_waiter_;  // the h2 loop waiting for an answer (nothing to read)
  bool idle_ = true;                   // waiting for the first byte of a request
  Buffer in_{set_.blocks_};             // unconsumed received bytes
  Buffer out_{set_.blocks_};            // response bytes not yet sent
  Buffer carry_{set_.blocks_};          // pipelined bytes that arrived while a body was drained
  char peer_ip_[INET6_ADDRSTRLEN] = "-";
  uint16_t peer_port_ = 0;
  Response response_;
  std::shared_ptr<const tls::Context> tls_ctx_;  // set for secure connections until the handshake
  std::optional<tls::Session> tls_;
  std::string tls_out_;               // ciphertext being sent
  Buffer tls_plain_{set_.blocks_};    // decrypted body bytes (in_ must not move under a head)
  std::string body_;                  // the request body, when the handler wants it (body_limit)
  bool body_complete_ = false;
  // Request::hangup for this connection: a POLLRDHUP poll armed on demand.
  struct Hangup final : HangupSignal {
    Connection* conn = nullptr;
    std::optional<io::HangupWatch> watch_op;
    bool hung_up = false;
    const bool* watch() override {
      if (!watch_op) watch_op.emplace(conn->loop_, conn->fd_, &hung_up);
      return &hung_up;
    }
  } hangup_;
  uint16_t chunked_error_ = 400;      // why drain_chunked() said kBad
  std::string_view chunked_reason_;
};

// ---------------------------------------------------------------------------------------------
// Lifecycle

Connection::Connection(Connections& set, int fd, const sockaddr_storage& peer, bool secure)
    : set_(set), loop_(set.loop_), opts_(set.opts_), fd_(fd) {
  if (secure) tls_ctx_ = set.tls_;
  deadline_.on_expire = &Connection::on_deadline;
  deadline_.conn = this;
  hangup_.conn = this;
  if (peer.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&peer);
    inet_ntop(AF_INET, &a->sin_addr, peer_ip_, sizeof peer_ip_);
    peer_port_ = ntohs(a->sin_port);
  } else if (peer.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&peer);
    inet_ntop(AF_INET6, &a->sin6_addr, peer_ip_, sizeof peer_ip_);
    peer_port_ = ntohs(a->sin6_port);
  }
  set_.link(this);
}

Connection::~Connection() {
  disarm();
  set_.unlink(this);
}

void Connection::on_deadline(io::Deadline* d) {
  Connection* self = static_cast<ConnDeadline*>(d)->conn;
  self->expired_ = true;
  if (self->pending_ != nullptr) io::cancel(self->loop_, self->pending_);
}

void Connection::on_drain() {
  // An HTTP/2 connection is always woken: it answers a drain with GOAWAY and finishes its streams.
  if ((idle_ || h2_) && pending_ != nullptr) io::cancel(loop_, pending_);
}

void Connection::on_abort() {
  aborted_ = true;
  expired_ = true;
  if (pending_ != nullptr) io::cancel(loop_, pending_);
}

io::Task<void> Connection::close() {
  disarm();
  io::Close op(loop_, fd_);
  co_await op;
}

// ---------------------------------------------------------------------------------------------
// The request loop

io::Task<void> Connection::serve() {
  if (tls_ctx_ != nullptr && !co_await handshake()) co_return;
  if (tls_ && tls_->alpn() == "h2") co_return co_await serve_h2();
  Parser parser(opts_.limits);
  RequestHead head;
  for (uint32_t served = 1;; ++served) {
    // 1. Read and parse a request head (keep-alive timeout while idle, then the header timeout).
    ParseResult pr = co_await read_head(parser, head);
    // HTTP/2 with prior knowledge (RFC 9113 §3.3): the preface's first line parses as an
    // HTTP/2.0 request (505); if it opens the connection, the connection speaks h2.
    if (pr.status == ParseStatus::kError && served == 1 && in_.view().starts_with(kH2PrefaceLine))
      co_return co_await serve_h2();
    if (pr.status == ParseStatus::kError) co_return co_await reject(pr.http_status, pr.reason);
    if (pr.status != ParseStatus::kDone) co_return;  // EOF, timeout, drain or I/O error

    // 2. Settle the body: nothing consumes request bodies yet, so it is read and discarded.
    size_t buffered_body = 0;
    BodyOutcome body = co_await settle_body(head, pr.consumed, buffered_body);
    if (body == BodyOutcome::kTooLarge) co_return co_await reject(413, "request body too large");
    if (body == BodyOutcome::kBad) co_return co_await reject(chunked_error_, chunked_reason_);
    if (body == BodyOutcome::kFailed) co_return;

    // 3. Ask the handler for a response (asynchronously when it needs to: scripts).
    Response& res = response_;
    res.reset();
    Request req = request_for(head, 1);
    if (!handle(req, res)) co_await handle_watched(req, res);
    if (body_.capacity() > 16 * 1024) std::string().swap(body_);  // no big buffer kept while idle
    body_.clear();
    if (res.abort) co_return;  // a script asked to close without answering

    // 4. Write it. Keep-alive needs the client's consent, the handler's, and a running server.
    const bool keep = head.keep_alive && !res.close_connection && !set_.draining_ &&
                      served < opts_.max_requests_per_connection;
    const bool sent = co_await write_response(head, res, keep);
    log(&head, res.status, head.method == Method::kHead || status_has_no_body(res.status) ? 0 : res.content_length());
    res.reset();
    if (!sent) co_return;

    // 5. Drop this request's bytes; pipelined bytes stay for the next round.
    in_.consume(pr.consumed + buffered_body);
    if (carry_.len != 0) {
      in_.append(carry_.view());
      carry_.len = 0;
    }
    parser.reset();
    if (!keep) co_return co_await linger();
    if (in_.len == 0) {
      in_.release();  // idle connections hold no buffers
      out_.release();
    }
  }
}

// Asks the handler, unless the request names a host this server (--validate-hostnames) or this
// TLS connection (SNI) is not for.
bool Connection::handle(const Request& req, Response& res) {
  const RequestHead& head = req.head;
  bool allowed = opts_.valid_hostnames.empty();
  for (const std::string& name : opts_.valid_hostnames) allowed = allowed || iequals(host_of(head.authority), name);
  if (!allowed || (tls_ && !tls_->server_name().empty() && !authority_matches(head.authority, tls_->server_name()))) {
    // RFC 9110 §7.4 / the reference §3c and §8f: not a name this connection or server is for.
    res.status = 421;
    res.add_header("Content-Type", "text/plain; charset=utf-8");
    res.add_memory("Misdirected Request\n");
    return true;
  }
  return set_.handler_.try_handle(req, res);
}

io::Task<void> Connection::handle_watched(const Request& req, Response& res) {
  hangup_.hung_up = false;
  co_await set_.handler_.handle_async(req, res);
  if (hangup_.watch_op) {
    auto finished = hangup_.watch_op->finish();
    co_await finished;
    hangup_.watch_op.reset();
  }
}

Request Connection::request_for(const RequestHead& head, uint8_t http_major) const {
  Request req{.head = head, .peer_ip = peer_ip_, .peer_port = peer_port_, .secure = tls_.has_value()};
  req.http_major = http_major;
  if (tls_) {
    req.tls_server_name = tls_->server_name();
    req.tls_alpn = tls_->alpn();
    req.tls_ja4 = tls_->ja4();
  }
  req.body = body_;
  req.body_complete = body_complete_;
  req.hangup = const_cast<Hangup*>(&hangup_);
  return req;
}

// HTTP/2: the session turns bytes into requests and responses into bytes; this loop moves bytes
// and runs the handler, in the order session.hh prescribes: feed, cancelled streams, requests,
// file reads, output, then read more while the session wants input.
io::Task<void> Connection::serve_h2() {
  h2::Settings settings = opts_.h2;
  settings.keep_request_body = set_.handler_.body_limit() > 0;
  settings.keep_request_body_limit = set_.handler_.body_limit();
  auto created = h2::Session::create(settings);
  if (!created) co_return;
  h2_ = true;
  co_await serve_h2_loop(**created);
  // The session (and the responses in it) must outlive every asynchronous answer: tell them
  // the client is gone and wait for the last one.
  for (H2Async& job : h2_async_) job.gone.flag = true;
  if (h2_running_ > 0) {
    struct Drain {
      Connection& c;
      bool await_ready() const noexcept { return c.h2_running_ == 0; }
      void await_suspend(std::coroutine_handle<> h) { c.h2_drain_ = h; }
      void await_resume() const noexcept {}
    };
    co_await Drain{*this};
  }
  h2_async_.clear();
}

io::Detached Connection::run_h2_async(H2Async* job) {
  co_await set_.handler_.handle_async(job->req, *job->res);
  job->done = true;
  if (--h2_running_ == 0 && h2_drain_) {
    loop_.defer(std::exchange(h2_drain_, {}));
    co_return;
  }
  wake_h2();
}

void Connection::wake_h2() {
  if (h2_waiter_) {
    loop_.defer(std::exchange(h2_waiter_, {}));
    return;
  }
  // Only a receive may be cancelled: the loop treats its -ECANCELED as "look again".
  if (h2_in_recv_ && receiving_ && pending_ != nullptr) io::cancel(loop_, pending_);
}

io::Task<void> Connection::serve_h2_loop(h2::Session& session) {
  bool shutting_down = false;
  bool final_goaway = false;
  std::string log_line;
  if (in_.len != 0 && !session.feed({in_.data, in_.len})) co_return;  // the preface, already read
  in_.len = 0;
  // Submits a stream's finished response (or resets the stream for zs_abort) and logs it.
  auto answer = [&](int32_t id, const Request& req, Response& res) -> bool {
    if (res.abort) {
      session.release(id);  // RST_STREAM: a script asked for no response
      return true;
    }
    const uint16_t status = res.status;
    const uint64_t bytes = req.head.method == Method::kHead || status_has_no_body(status) ? 0 : res.content_length();
    if (!session.submit(id, loop_.http_date())) return false;
    if (set_.log_ != nullptr) {
      log_line.assign(req.head.method_token).append(" ").append(req.head.target).append(" HTTP/2.0");
      set_.log_->record(peer_ip_, log_line, status, bytes);
    }
    return true;
  };
  for (;;) {
    while (auto id = session.next_cancelled()) {
      auto job = std::find_if(h2_async_.begin(), h2_async_.end(), [&](const H2Async& j) { return j.stream_id == *id; });
      if (job == h2_async_.end()) {
        session.release(*id);
      } else {
        job->gone.flag = true;  // its script stops; the stream is released when it is done
        job->res->abort = true;
      }
    }
    for (auto it = h2_async_.begin(); it != h2_async_.end();) {
      if (!it->done) {
        ++it;
        continue;
      }
      if (!answer(it->stream_id, it->req, *it->res)) co_return;
      it = h2_async_.erase(it);
    }
    while (auto req = session.next_request()) {
      Response* res = session.response(req->stream_id);
      if (res == nullptr) continue;
      Request hreq = request_for(*req->head, 2);
      hreq.body = req->body;
      hreq.body_complete = req->body.size() == req->body_length;
      if (handle(hreq, *res)) {
        if (!answer(req->stream_id, hreq, *res)) co_return;
        continue;
      }
      H2Async& job = h2_async_.emplace_back(hreq, req->stream_id, res);
      job.req.hangup = &job.gone;
      ++h2_running_;
      run_h2_async(&job);
      if (job.done) {  // answered without suspending
        if (!answer(job.stream_id, job.req, *job.res)) co_return;
        h2_async_.pop_back();
      }
    }
    bool read_file = false;
    while (auto rd = session.next_file_read()) {
      io::ReadAt op(loop_, rd->fd, rd->dest, rd->length, rd->offset);
      int32_t n = co_await op;
      session.complete_file_read(rd->stream_id, n);
      read_file = true;
    }
    if (set_.draining_ && !shutting_down) {
      shutting_down = true;
      session.begin_shutdown();  // GOAWAY: streams in flight finish, no new ones
    }
    std::span<const char> out = session.pending_output();
    if (!out.empty()) {
      if (!co_await send_all(out.data(), out.size())) co_return;
      session.consume_output(out.size());
      continue;  // sending may have let the session produce more
    }
    if (read_file) continue;
    if (session.finished() && h2_running_ == 0) co_return;
    if (!session.want_read() && h2_running_ > 0 && session.pending_output().empty()) {
      // Nothing to read (the client is done sending) but answers are still being computed.
      struct WaitAnswer {
        Connection& c;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> h) { c.h2_waiter_ = h; }
        void await_resume() const noexcept {}
      };
      co_await WaitAnswer{*this};
      continue;
    }
    if (!session.want_read()) {
      if (session.open_streams() == 0 && h2_running_ == 0) co_return;
      co_await io::Yield{loop_};  // waiting for our own output to drain
      continue;
    }
    // Idle (no stream open) waits get the keep-alive timeout, others the body timeout. After the
    // first GOAWAY the client gets kGoawayAckMs to acknowledge our PING; then the final GOAWAY
    // goes out anyway (a client need not answer once it has seen a GOAWAY).
    idle_ = session.open_streams() == 0;
    expired_ = false;
    const bool awaiting_ack = shutting_down && !final_goaway;
    arm(awaiting_ack ? kGoawayAckMs : idle_ ? opts_.timeouts.keepalive_ms : opts_.timeouts.body_ms);
    h2_in_recv_ = true;
    int32_t n = co_await recv_into(in_);
    h2_in_recv_ = false;
    disarm();
    idle_ = false;
    if (n <= 0) {
      if (n == -ECANCELED && !expired_ && !aborted_ && !set_.draining_) continue;  // wake_h2(): an answer is ready
      if (set_.draining_ && !shutting_down) continue;  // drain() woke us: say GOAWAY first
      if (awaiting_ack && expired_ && !aborted_) {
        session.finish_shutdown();
        final_goaway = true;
        continue;
      }
      co_return;
    }
    bool fed = static_cast<bool>(session.feed({in_.data, in_.len}));
    in_.len = 0;
    if (!fed) {  // connection error: nghttp2 queued a GOAWAY, send it and close
      std::span<const char> last = session.pending_output();
      if (!last.empty()) co_await send_all(last.data(), last.size());
      co_return;
    }
  }
}

// The TLS handshake runs under the header timeout: a client that stalls in it is a slowloris.
io::Task<bool> Connection::handshake() {
  auto session = tls::Session::create(std::move(tls_ctx_));
  if (!session) co_return false;
  tls_.emplace(std::move(session).value());
  expired_ = false;
  arm(opts_.timeouts.header_ms);
  for (;;) {
    tls::HandshakeStatus st = tls_->handshake();
    bool flushed = co_await flush_tls();  // our flight, or the alert that explains a failure
    if (st == tls::HandshakeStatus::kDone && flushed) break;
    if (st == tls::HandshakeStatus::kError || !flushed || expired_ || co_await recv_ciphertext() <= 0) {
      disarm();
      co_return false;
    }
  }
  disarm();
  co_return true;
}

io::Task<int32_t> Connection::recv_ciphertext() {
  for (;;) {
    if (aborted_) co_return -ECANCELED;
    io::Recv op(loop_, fd_);
    op.track(&pending_);  // a deadline or drain() cancels it while in flight
    receiving_ = true;
    int32_t n = co_await op;
    receiving_ = false;
    if (n == -ENOBUFS) {
      co_await io::Yield{loop_};
      if (expired_) co_return -ETIMEDOUT;
      continue;
    }
    if (n > 0) tls_->feed({op.buffer(), static_cast<size_t>(n)});
    op.recycle();
    if (n == 0) tls_->feed_eof();
    co_return n;
  }
}

io::Task<bool> Connection::flush_tls() {
  if (tls_->pending_output().empty()) co_return true;
  tls_->swap_output(tls_out_);
  co_return co_await send_raw(tls_out_.data(), tls_out_.size());
}

io::Task<ParseResult> Connection::read_head(Parser& parser, RequestHead& head) {
  bool started = in_.len > 0;
  expired_ = false;
  arm(started ? opts_.timeouts.header_ms : opts_.timeouts.keepalive_ms);
  for (;;) {
    if (in_.len > 0) {
      if (!started) {
        started = true;  // the header timeout counts from the first byte, in total (slowloris)
        arm(opts_.timeouts.header_ms);
      }
      ParseResult pr = parser.parse(in_.view(), head);
      if (pr.status != ParseStatus::kNeedMore) {
        disarm();
        co_return pr;
      }
    }
    idle_ = !started;
    if ((idle_ && set_.draining_) || expired_) break;
    int32_t n = co_await recv_into(in_);
    idle_ = false;
    if (n <= 0) break;
  }
  disarm();
  co_return ParseResult{};  // kNeedMore: the caller closes
}

io::Task<int32_t> Connection::recv_into(Buffer& dst) {
  while (tls_) {
    dst.reserve_more(16 * 1024);  // one TLS record of plaintext
    tls::ReadResult r = tls_->read({dst.data + dst.len, dst.cap - dst.len});
    if (r.status == tls::ReadStatus::kData) {
      dst.len += r.bytes;
      co_return static_cast<int32_t>(r.bytes);
    }
    if (r.status == tls::ReadStatus::kClosed) co_return 0;
    // Alerts and post-handshake messages (session tickets) may be waiting to go out.
    bool flushed = co_await flush_tls();
    if (r.status == tls::ReadStatus::kError || !flushed) co_return -EPROTO;
    int32_t n = co_await recv_ciphertext();
    if (n < 0) co_return n;
  }
  for (;;) {
    if (aborted_) co_return -ECANCELED;
    io::Recv op(loop_, fd_);
    op.track(&pending_);  // a deadline or drain() cancels it while in flight
    receiving_ = true;
    int32_t n = co_await op;
    receiving_ = false;
    if (n == -ENOBUFS) {  // every ring buffer is in use this instant: retry after the batch
      co_await io::Yield{loop_};
      if (expired_) co_return -ETIMEDOUT;
      continue;
    }
    if (n > 0) {
      dst.append({op.buffer(), static_cast<size_t>(n)});
      op.recycle();
    } else {
      op.recycle();
    }
    co_return n;
  }
}

// ---------------------------------------------------------------------------------------------
// Request bodies

template <typename Consume>
int Connection::take_body(Consume& consume, std::string_view got) {
  BodyStep step = consume(got);
  if (step.done && step.used < got.size()) carry_.append(got.substr(step.used));
  return step.done ? 1 : step.failed ? 0 : -1;
}

template <typename Consume>
io::Task<bool> Connection::pump_body(Consume& consume) {
  expired_ = false;
  for (;;) {
    arm(opts_.timeouts.body_ms);  // without progress, not in total
    if (aborted_) break;
    if (tls_) {
      tls_plain_.len = 0;
      int32_t n = co_await recv_into(tls_plain_);
      if (n <= 0 || expired_) break;
      if (int r = take_body(consume, tls_plain_.view()); r >= 0) {
        disarm();
        co_return r == 1;
      }
      continue;
    }
    io::Recv op(loop_, fd_);
    op.track(&pending_);  // a deadline or drain() cancels it while in flight
    int32_t n = co_await op;
    if (n == -ENOBUFS) {
      co_await io::Yield{loop_};
      continue;
    }
    if (n <= 0 || expired_) {
      op.recycle();
      break;
    }
    int r = take_body(consume, std::string_view(op.buffer(), static_cast<size_t>(n)));
    op.recycle();
    if (r >= 0) {
      disarm();
      co_return r == 1;
    }
  }
  disarm();
  co_return false;
}

io::Task<Connection::BodyOutcome> Connection::settle_body(const RequestHead& head, size_t head_len,
                                                          size_t& buffered_body) {
  body_complete_ = head.body == BodyFraming::kNone;
  if (head.body == BodyFraming::kNone) co_return BodyOutcome::kDone;
  if (head.body == BodyFraming::kContentLength && head.content_length > opts_.max_request_body)
    co_return BodyOutcome::kTooLarge;  // before reading any of it (and without 100 Continue)
  const size_t have = in_.len - head_len;
  // RFC 9110 §10.1.1: a client waiting for 100 Continue sends nothing until it gets it.
  if (head.expect_continue && have == 0 && !(head.body == BodyFraming::kContentLength && head.content_length == 0) &&
      !co_await send_all(kContinue.data(), kContinue.size()))
    co_return BodyOutcome::kFailed;
  if (head.body == BodyFraming::kChunked) co_return co_await drain_chunked(head_len, buffered_body);

  uint64_t remaining = head.content_length;
  // Bodies the handler may read (scripts) are kept, up to its limit; others are dropped.
  const bool keep = head.content_length <= set_.handler_.body_limit();
  buffered_body = static_cast<size_t>(std::min<uint64_t>(remaining, have));
  if (keep) body_.assign(in_.view().substr(head_len, buffered_body));
  remaining -= buffered_body;
  body_complete_ = keep && remaining == 0;
  if (remaining == 0) co_return BodyOutcome::kDone;

  // The rest arrives in ring buffers; in_ must not move (the head views it).
  auto consume = [this, keep, &remaining](std::string_view got) {
    size_t take = static_cast<size_t>(std::min<uint64_t>(remaining, got.size()));
    if (keep) body_.append(got.substr(0, take));
    remaining -= take;
    return BodyStep{take, remaining == 0, false};
  };
  const bool done = co_await pump_body(consume);
  body_complete_ = keep && done;
  co_return done ? BodyOutcome::kDone : BodyOutcome::kFailed;
}

io::Task<Connection::BodyOutcome> Connection::drain_chunked(size_t head_len, size_t& buffered_body) {
  ChunkedLimits limits;
  limits.max_body = opts_.max_request_body;
  ChunkedDecoder decoder(limits);
  // Bodies the handler may read are kept while they fit its limit (body_complete_ says whether
  // the whole body did); others are dropped.
  const uint64_t keep_limit = set_.handler_.body_limit();
  bool keep = keep_limit > 0;
  // Runs the decoder over `bytes` until it needs more input, finishes or fails.
  auto feed = [&](std::string_view bytes, size_t& used) {
    used = 0;
    for (;;) {
      ChunkResult r = decoder.decode(bytes.substr(used));
      used += r.consumed;
      if (r.status != ChunkStatus::kData) return r;
      if (keep && body_.size() + r.data.size() <= keep_limit) {
        body_.append(r.data);
      } else if (keep) {
        keep = false;
        body_.clear();
      }
    }
  };
  auto outcome = [this](const ChunkResult& r) {
    chunked_error_ = r.http_status;
    chunked_reason_ = r.reason;
    return r.http_status == 413 ? BodyOutcome::kTooLarge : BodyOutcome::kBad;
  };
  size_t used = 0;
  ChunkResult r = feed(in_.view().substr(head_len), used);
  buffered_body = used;
  if (r.status == ChunkStatus::kError) co_return outcome(r);
  if (r.status == ChunkStatus::kNeedMore) {
    auto consume = [&](std::string_view got) {
      r = feed(got, used);
      return BodyStep{used, r.status == ChunkStatus::kDone, r.status == ChunkStatus::kError};
    };
    if (!co_await pump_body(consume) && r.status != ChunkStatus::kError) co_return BodyOutcome::kFailed;
  }
  if (r.status == ChunkStatus::kError) co_return outcome(r);
  body_complete_ = keep;
  co_return BodyOutcome::kDone;
}

// ---------------------------------------------------------------------------------------------
// Responses

void Connection::serialize_head(const RequestHead* head, const Response& res, bool keep_alive) {
  out_.reserve_more(kHeadReserve);
  out_.append("HTTP/1.1 ");
  append_number(out_, res.status);
  out_.append(" ");
  out_.append(reason_phrase(res.status));
  out_.append("\r\nDate: ");
  out_.append(loop_.http_date());
  out_.append("\r\nServer: zeroserve\r\n");
  for (const ResponseHeader& h : res.headers()) {
    out_.append(h.name);
    out_.append(": ");
    out_.append(h.value);
    out_.append("\r\n");
  }
  if (!status_has_no_body(res.status)) {
    out_.append("Content-Length: ");
    append_number(out_, res.content_length());
    out_.append("\r\n");
  }
  if (!keep_alive) {
    out_.append("Connection: close\r\n");
  } else if (head != nullptr && head->version == Version::kHttp10) {
    out_.append("Connection: keep-alive\r\n");
  }
  out_.append("\r\n");
}

io::Task<bool> Connection::write_response(const RequestHead& head, const Response& res, bool keep_alive) {
  const bool head_only = head.method == Method::kHead;
  out_.len = 0;
  serialize_head(&head, res, keep_alive);
  if (!head_only && !status_has_no_body(res.status)) {
    // Fill out_ up to one chunk, send it, repeat: small responses leave in a single send. A
    // large file part with a mapping goes to the kernel straight from the mapping instead, in
    // chunk-size pieces after whatever out_ holds: one copy, and no read operations at all.
    const size_t chunk = opts_.chunk_size;
    for (const BodyPart& part : res.body()) {
      if (part.kind == BodyPart::Kind::kFile && part.data != nullptr && part.length >= kDirectSendMin && !tls_) {
        for (uint64_t off = 0; off < part.length;) {
          size_t n = static_cast<size_t>(std::min<uint64_t>(part.length - off, chunk));
          if (!co_await send_with_pending(part.data + off, n)) co_return false;
          off += n;
        }
        continue;
      }
      uint64_t off = 0;
      while (off < part.length) {
        if (out_.len >= chunk) {
          if (!co_await send_all(out_.data, out_.len)) co_return false;
          out_.len = 0;
        }
        size_t room = chunk - std::min(out_.len, chunk);
        size_t n = static_cast<size_t>(std::min<uint64_t>(part.length - off, std::max<size_t>(room, 1)));
        out_.reserve_more(n);
        if (part.kind == BodyPart::Kind::kMemory) {
          std::memcpy(out_.data + out_.len, part.data + off, n);
        } else {
          io::ReadAt op(loop_, part.fd, out_.data + out_.len, n, part.offset + off);
          int32_t r = co_await op;
          if (r <= 0) co_return false;  // I/O error or the file shrank: cut the response off
          n = static_cast<size_t>(r);
        }
        out_.len += n;
        off += n;
      }
    }
  }
  bool ok = co_await send_all(out_.data, out_.len);
  out_.len = 0;
  co_return ok;
}

io::Task<bool> Connection::send_with_pending(const char* extra, size_t n) {
  // Sends out_ (if anything is pending) then `extra`, as one sendmsg, until all of it is gone.
  // `extra` is only ever read by the kernel (it may be a file mapping: see BodyPart).
  expired_ = false;
  size_t head_off = 0;
  while (head_off < out_.len || n > 0) {
    iovec iov[2];
    size_t count = 0;
    if (head_off < out_.len) iov[count++] = {out_.data + head_off, out_.len - head_off};
    if (n > 0) iov[count++] = {const_cast<char*>(extra), n};
    arm(opts_.timeouts.write_ms);
    if (aborted_) {
      disarm();
      co_return false;
    }
    io::SendV op(loop_, fd_, iov, count);
    op.track(&pending_);  // a deadline or drain() cancels it while in flight
    int32_t w = co_await op;
    if (w <= 0 || expired_) {  // -EFAULT here means the tarball was truncated under the mapping
      disarm();
      co_return false;
    }
    size_t sent = static_cast<size_t>(w);
    size_t from_head = std::min(sent, out_.len - head_off);
    head_off += from_head;
    sent -= from_head;
    extra += sent;
    n -= sent;
  }
  disarm();
  out_.len = 0;
  co_return true;
}

io::Task<bool> Connection::send_all(const char* p, size_t n) {
  if (!tls_) co_return co_await send_raw(p, n);
  if (n != 0 && !tls_->write({p, n})) co_return false;
  co_return co_await flush_tls();
}

io::Task<bool> Connection::send_raw(const char* p, size_t n) {
  // A stalled reader gets write_ms without progress. Sends also happen inside other phases (a
  // TLS handshake flight, a session ticket while waiting for a request): their deadline keeps
  // counting, caps the write deadline, and is restored afterwards.
  const int64_t outer = deadline_.armed() ? deadline_.expires_ms : -1;
  if (outer < 0) expired_ = false;
  bool ok = true;
  while (n > 0) {
    int64_t at = loop_.now_ms() + opts_.timeouts.write_ms;
    if (outer >= 0 && outer < at) at = outer;
    loop_.timers().arm(deadline_, at);
    if (aborted_ || expired_) {
      ok = false;
      break;
    }
    io::Send op(loop_, fd_, p, n);
    op.track(&pending_);  // a deadline or drain() cancels it while in flight
    int32_t w = co_await op;
    if (w <= 0 || expired_) {
      ok = false;
      break;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  if (outer >= 0) {
    loop_.timers().arm(deadline_, outer);
  } else {
    disarm();
  }
  co_return ok;
}

io::Task<void> Connection::reject(uint16_t status, std::string_view reason) {
  Response& res = response_;
  res.reset();
  res.status = status;
  res.add_header("Content-Type", "text/plain; charset=utf-8");
  std::string_view phrase = reason_phrase(status);
  res.add_memory(res.keep(std::string(phrase) + ": " + std::string(reason) + "\n"));
  out_.len = 0;
  serialize_head(nullptr, res, false);
  for (const BodyPart& p : res.body()) out_.append({p.data, p.length});
  log(nullptr, status, res.content_length());
  bool sent = co_await send_all(out_.data, out_.len);
  res.reset();
  if (sent) co_await linger();
}

// Lingering close (RFC 9112 §9.6): stop writing, then read and drop what the client still sends
// for a moment, so unread input does not make the kernel reset the connection and destroy the
// response we just sent before the client has read it.
io::Task<void> Connection::linger() {
  if (tls_) {
    tls_->close_notify();
    co_await flush_tls();
  }
  io::shutdown_write(fd_);  // a failure (the peer is gone) just ends the drain below sooner
  in_.release();
  out_.release();
  expired_ = false;
  arm(kLingerMs);
  size_t dropped = 0;
  while (dropped < kLingerBytes && !expired_ && !aborted_) {
    io::Recv op(loop_, fd_);
    op.track(&pending_);  // a deadline or drain() cancels it while in flight
    int32_t n = co_await op;
    op.recycle();
    if (n == -ENOBUFS) {
      co_await io::Yield{loop_};
      continue;
    }
    if (n <= 0) break;
    dropped += static_cast<size_t>(n);
  }
  disarm();
}

void Connection::log(const RequestHead* head, uint16_t status, uint64_t bytes) {
  if (set_.log_ == nullptr) return;
  std::string_view line = "-";
  if (head != nullptr && !head->method_token.empty()) {
    // The request line is contiguous in the receive buffer: "METHOD SP TARGET SP HTTP/x.y".
    const char* begin = head->method_token.data();
    const char* end = head->target.data() + head->target.size() + 9;
    line = {begin, static_cast<size_t>(end - begin)};
  }
  set_.log_->record(peer_ip_, line, status, bytes);
}

// ---------------------------------------------------------------------------------------------
// Connections

namespace {
io::Detached run_connection(Connections& set, int fd, sockaddr_storage peer, bool secure) {
  Connection conn(set, fd, peer, secure);
  co_await conn.serve();
  co_await conn.close();
}
}  // namespace

Connections::Connections(io::EventLoop& loop, Handler& handler, const ConnectionOptions& opts, AccessLog* log)
    : loop_(loop), handler_(handler), opts_(opts), log_(log) {}

void Connections::serve(int fd, const sockaddr_storage& peer, socklen_t, bool secure) {
  run_connection(*this, fd, peer, secure);
}

void Connections::drain() {
  draining_ = true;
  for (Connection* c = head_; c != nullptr;) {
    Connection* next = c->next;  // on_drain only queues a cancel; the list is unchanged now
    c->on_drain();
    c = next;
  }
}

void Connections::abort_all() {
  draining_ = true;
  for (Connection* c = head_; c != nullptr; c = c->next) c->on_abort();
}

void Connections::link(Connection* c) {
  c->next = head_;
  c->prev = nullptr;
  if (head_ != nullptr) head_->prev = c;
  head_ = c;
  ++live_;
}

void Connections::unlink(Connection* c) {
  if (c->prev != nullptr) c->prev->next = c->next;
  else head_ = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  --live_;
}

}  // namespace zs::http::h1
