// Implementation of session.hh: nghttp2 glue. Read top to bottom in the order a stream lives:
// creation -> frames in (headers, body, end) -> dispatch to the caller -> response out (headers,
// then DATA pulled from memory parts or from file reads the caller performs) -> close -> free.
// nghttp2 calls back only from inside feed() (mem_recv), pending_output() (mem_send) and the
// submit/resume calls made here; the callbacks only record state and fill queues.
#include "http/h2/session.hh"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>

#include "base/assert.hh"
#include "http/response.hh"
#include "http/token.hh"

namespace zs::http::h2 {

// ---------------------------------------------------------------------------------------------
// Per-stream storage

struct Session::Stream {
  // kHeaders/kBody: receiving; kReady: in ready_; kHeld: the caller has it; kSending: our
  // response is queued; kRejected: answered or reset by the session, later input is dropped.
  enum class Phase : uint8_t { kHeaders, kBody, kReady, kHeld, kSending, kRejected };

  int32_t id = 0;
  Phase phase = Phase::kHeaders;
  bool open = true;           // nghttp2 has not closed it yet
  bool in_trailers = false;   // the header block being received is a trailer section
  bool cancelled = false;     // reported through next_cancelled()
  bool read_pending = false;  // a FileRead is queued or with the caller: `stage` is in use
  bool deferred = false;      // the data provider returned NGHTTP2_ERR_DEFERRED
  int64_t declared_length = -1;
  uint64_t body_length = 0;
  uint64_t trailer_bytes = 0;
  RequestHead head;
  std::string_view scheme;
  std::string cookie;  // joined cookie crumbs (the head views it)
  std::string body;    // kept body bytes
  std::vector<nghttp2_rcbuf*> refs;  // HPACK buffers the head views point into
  Response response;
  // Body cursor: part index and offset inside it; file bytes staged in `stage`.
  size_t part = 0;
  uint64_t part_off = 0;
  std::unique_ptr<char[]> stage;
  size_t stage_cap = 0, stage_len = 0, stage_pos = 0;
  FileRead read;
  // A DATA frame whose payload read_body() left in the stage (NGHTTP2_DATA_FLAG_NO_COPY): nghttp2
  // calls send_data right after, in the same mem_send, which appends it to the output.
  const char* no_copy = nullptr;

  // Back to the state of a fresh object, keeping allocations (stage, strings, vectors).
  void recycle() {
    for (nghttp2_rcbuf* r : refs) nghttp2_rcbuf_decref(r);
    refs.clear();
    phase = Phase::kHeaders;
    open = true;
    in_trailers = cancelled = read_pending = deferred = false;
    declared_length = -1;
    body_length = trailer_bytes = 0;
    scheme = {};
    cookie.clear();
    body.clear();
    response.reset();
    part = 0;
    part_off = 0;
    stage_len = stage_pos = 0;
    read = FileRead{};
    no_copy = nullptr;
  }
};

// Reused by every send_response(): lowercased names and numbers, and the list for nghttp2.
struct Session::Scratch {
  std::string text;
  std::vector<nghttp2_nv> nv;
};

namespace {

constexpr size_t kSpareStreams = 16;
constexpr uint8_t kShutdownPing[8] = {'z', 's', '-', 'd', 'r', 'a', 'i', 'n'};
constexpr std::string_view kServer = "zeroserve";

std::string_view view_of(nghttp2_rcbuf* b) {
  nghttp2_vec v = nghttp2_rcbuf_get_buf(b);
  return {reinterpret_cast<const char*>(v.base), v.len};
}

nghttp2_nv make_nv(std::string_view name, std::string_view value) {
  // nghttp2 copies name and value at submit time (no NO_COPY flags), so views of scratch
  // storage are enough.
  nghttp2_nv nv;
  nv.name = reinterpret_cast<uint8_t*>(const_cast<char*>(name.data()));
  nv.value = reinterpret_cast<uint8_t*>(const_cast<char*>(value.data()));
  nv.namelen = name.size();
  nv.valuelen = value.size();
  nv.flags = NGHTTP2_NV_FLAG_NONE;
  return nv;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// C trampolines: each recovers the Session from user_data and calls the member.

struct Session::Callbacks {
  static Session& self(void* user) { return *static_cast<Session*>(user); }

  static int begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user) {
    return self(user).on_begin_frame(hd->type, hd->flags, hd->length);
  }
  static int begin_headers(nghttp2_session*, const nghttp2_frame* f, void* user) {
    if (f->hd.type != NGHTTP2_HEADERS) return 0;
    return self(user).on_begin_headers(f->hd.stream_id, f->headers.cat == NGHTTP2_HCAT_REQUEST);
  }
  static int header(nghttp2_session*, const nghttp2_frame* f, nghttp2_rcbuf* name, nghttp2_rcbuf* value,
                    uint8_t, void* user) {
    return self(user).on_header(f->hd.stream_id, view_of(name), view_of(value), name, value);
  }
  static int invalid_header(nghttp2_session*, const nghttp2_frame* f, nghttp2_rcbuf*, nghttp2_rcbuf*, uint8_t,
                            void* user) {
    return self(user).on_invalid_header(f->hd.stream_id);
  }
  static int frame_recv(nghttp2_session*, const nghttp2_frame* f, void* user) {
    Session& s = self(user);
    const bool end_stream = (f->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    switch (f->hd.type) {
      case NGHTTP2_HEADERS:
        if (f->headers.cat == NGHTTP2_HCAT_REQUEST) return s.on_headers_done(f->hd.stream_id, end_stream);
        return end_stream ? s.on_end_stream(f->hd.stream_id) : 0;
      case NGHTTP2_DATA:
        return end_stream ? s.on_end_stream(f->hd.stream_id) : 0;
      case NGHTTP2_PING:
        return (f->hd.flags & NGHTTP2_FLAG_ACK) != 0 ? s.on_ping_ack(f->ping.opaque_data) : 0;
      default:
        return 0;
    }
  }
  static int data_chunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                        void* user) {
    return self(user).on_data(stream_id, data, len);
  }
  static int frame_send(nghttp2_session*, const nghttp2_frame* f, void* user) {
    const uint32_t code = f->hd.type == NGHTTP2_RST_STREAM ? f->rst_stream.error_code : 0;
    return self(user).on_frame_sent(f->hd.type, f->hd.stream_id, f->hd.flags, code);
  }
  static int stream_close(nghttp2_session*, int32_t stream_id, uint32_t, void* user) {
    return self(user).on_stream_close(stream_id);
  }
  static ssize_t read_length(nghttp2_session*, uint8_t, int32_t, int32_t, int32_t, uint32_t remote_max_frame,
                             void*) {
    // Frames as large as the peer allows (capped at our own 64 KiB), not nghttp2's 16 KiB
    // default: fewer frame headers and fewer trips through read_body for large bodies.
    return static_cast<ssize_t>(std::min<uint32_t>(remote_max_frame, 64 * 1024));
  }
  static ssize_t read(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                      nghttp2_data_source* src, void* user) {
    return self(user).read_body(*static_cast<Stream*>(src->ptr), buf, length, flags);
  }
  static int send_data(nghttp2_session*, nghttp2_frame* frame, const uint8_t* framehd, size_t length,
                       nghttp2_data_source* src, void* user) {
    return self(user).send_data_frame(*static_cast<Stream*>(src->ptr), frame->data.padlen, framehd, length);
  }
};

// ---------------------------------------------------------------------------------------------
// Lifecycle

Result<std::unique_ptr<Session>> Session::create(const Settings& settings) {
  std::unique_ptr<Session> s(new Session(settings));
  if (Result<void> r = s->init(); !r) return r.error();
  return s;
}

Session::Session(const Settings& settings)
    : settings_(settings),
      fields_(FieldLimits{settings.max_header_list, kMaxHeaders}),
      scratch_(std::make_unique<Scratch>()),
      reset_tokens_(settings.max_server_resets) {}

Result<void> Session::init() {
  nghttp2_session_callbacks* cb = nullptr;
  if (nghttp2_session_callbacks_new(&cb) != 0) return Error("h2: out of memory (callbacks)");
  nghttp2_session_callbacks_set_on_begin_frame_callback(cb, &Callbacks::begin_frame);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, &Callbacks::begin_headers);
  nghttp2_session_callbacks_set_on_header_callback2(cb, &Callbacks::header);
  nghttp2_session_callbacks_set_on_invalid_header_callback2(cb, &Callbacks::invalid_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &Callbacks::frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &Callbacks::data_chunk);
  nghttp2_session_callbacks_set_on_frame_send_callback(cb, &Callbacks::frame_send);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, &Callbacks::stream_close);
  nghttp2_session_callbacks_set_data_source_read_length_callback(cb, &Callbacks::read_length);
  nghttp2_session_callbacks_set_send_data_callback(cb, &Callbacks::send_data);

  nghttp2_option* opt = nullptr;
  if (nghttp2_option_new(&opt) != 0) {
    nghttp2_session_callbacks_del(cb);
    return Error("h2: out of memory (options)");
  }
  nghttp2_option_set_max_outbound_ack(opt, settings_.max_outbound_ack);
  nghttp2_option_set_max_settings(opt, settings_.max_settings);
  nghttp2_option_set_max_continuations(opt, settings_.max_continuations);
  nghttp2_option_set_stream_reset_rate_limit(opt, settings_.reset_burst, settings_.reset_rate);
  nghttp2_option_set_no_closed_streams(opt, 1);
  const int rv = nghttp2_session_server_new2(&ng_, cb, this, opt);
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cb);
  if (rv != 0) return Error(std::string("h2: cannot create session: ") + nghttp2_strerror(rv));

  // The server preface (RFC 9113 §3.4). No RFC 7540 priorities: the priority tree is a known
  // CPU sink (CVE-2019-9513) and RFC 9113 deprecates it.
  const nghttp2_settings_entry iv[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, settings_.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, settings_.stream_window},
      {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, settings_.max_frame_size},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, settings_.max_header_list},
      {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
  };
  if (int r = nghttp2_submit_settings(ng_, NGHTTP2_FLAG_NONE, iv, std::size(iv)); r != 0)
    return Error(std::string("h2: cannot submit SETTINGS: ") + nghttp2_strerror(r));
  if (int r = nghttp2_session_set_local_window_size(ng_, NGHTTP2_FLAG_NONE, 0,
                                                    static_cast<int32_t>(settings_.connection_window));
      r != 0)
    return Error(std::string("h2: cannot set the connection window: ") + nghttp2_strerror(r));
  return {};
}

Session::~Session() {
  // rcbufs point at the session's allocator: release them before the session goes.
  for (auto& [id, s] : streams_) s->recycle();
  if (ng_ != nullptr) nghttp2_session_del(ng_);
}

Session::Stream* Session::find(int32_t stream_id) const {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : it->second.get();
}

Session::Stream* Session::acquire(int32_t stream_id) {
  std::unique_ptr<Stream> s;
  if (!spare_.empty()) {
    s = std::move(spare_.back());
    spare_.pop_back();
  } else {
    s = std::make_unique<Stream>();
  }
  s->id = stream_id;
  Stream* p = s.get();
  const bool inserted = streams_.emplace(stream_id, std::move(s)).second;
  ZS_ASSERT(inserted);  // nghttp2 never reuses a stream id
  return p;
}

// A stream's storage goes once nghttp2 closed it, the caller no longer holds it and no read
// may still write into its stage.
void Session::maybe_free(Stream& s) {
  if (s.open || s.phase == Stream::Phase::kHeld || s.read_pending) return;
  --zombies_;
  auto it = streams_.find(s.id);
  ZS_ASSERT(it != streams_.end());
  std::unique_ptr<Stream> owned = std::move(it->second);
  streams_.erase(it);
  owned->recycle();
  if (spare_.size() < kSpareStreams) spare_.push_back(std::move(owned));
}

void Session::terminate(uint32_t error_code) {
  nghttp2_session_terminate_session(ng_, error_code);
}

// ---------------------------------------------------------------------------------------------
// Frames in

Result<void> Session::feed(std::span<const char> bytes) {
  if (failed_) return Error("h2: connection already failed");
  const ssize_t n = nghttp2_session_mem_recv(ng_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (n < 0) {
    failed_ = true;
    return Error(std::string("h2: ") + nghttp2_strerror(static_cast<int>(n)));
  }
  // The final GOAWAY goes after the whole read: streams that arrived with the PING ACK were
  // processed, so last_proc_stream_id covers them; nghttp2 ignores newer ones once it is sent.
  if (shutdown_acked_) {
    shutdown_acked_ = false;
    finish_shutdown();
  }
  return {};
}

// CVE-2019-9518: frames that carry nothing and end nothing cost us work for free. Count them
// while they come back to back; any frame with a payload resets the count.
int Session::on_begin_frame(uint8_t type, uint8_t flags, size_t length) {
  if (length != 0) {
    empty_frames_ = 0;
    return 0;
  }
  const bool empty = (type == NGHTTP2_DATA && (flags & NGHTTP2_FLAG_END_STREAM) == 0) ||
                     (type == NGHTTP2_HEADERS && (flags & NGHTTP2_FLAG_END_STREAM) == 0) ||
                     (type == NGHTTP2_CONTINUATION && (flags & NGHTTP2_FLAG_END_HEADERS) == 0);
  if (empty && ++empty_frames_ > settings_.max_empty_frames) {
    terminate(NGHTTP2_ENHANCE_YOUR_CALM);
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

int Session::on_begin_headers(int32_t stream_id, bool request) {
  fields_.reset();
  if (!request) {
    if (Stream* s = find(stream_id)) s->in_trailers = true;
    return 0;
  }
  // Streams the caller still holds after the client reset them do not count against
  // SETTINGS_MAX_CONCURRENT_STREAMS in nghttp2; bound them here so a reset loop cannot pile up
  // work (the caller also sees want_read() turn false).
  if (streams_.size() >= 2 * static_cast<size_t>(settings_.max_concurrent_streams)) {
    nghttp2_submit_rst_stream(ng_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_REFUSED_STREAM);
    return 0;
  }
  Stream* s = acquire(stream_id);
  s->phase = Stream::Phase::kHeaders;
  nghttp2_session_set_stream_user_data(ng_, stream_id, s);
  return 0;
}

int Session::on_header(int32_t stream_id, std::string_view name, std::string_view value, void* name_buf,
                       void* value_buf) {
  Stream* s = find(stream_id);
  if (s == nullptr) return 0;
  if (s->in_trailers) {
    // Trailer fields are not kept; they only count against the same list limit.
    s->trailer_bytes += name.size() + value.size() + 32;
    return s->trailer_bytes > settings_.max_header_list ? NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE : 0;
  }
  if (s->phase != Stream::Phase::kHeaders) return 0;
  if (fields_.add(name, value).verdict == FieldVerdict::kOk) {
    // The head will view these bytes: keep the buffers alive as long as the stream.
    nghttp2_rcbuf_incref(static_cast<nghttp2_rcbuf*>(name_buf));
    nghttp2_rcbuf_incref(static_cast<nghttp2_rcbuf*>(value_buf));
    s->refs.push_back(static_cast<nghttp2_rcbuf*>(name_buf));
    s->refs.push_back(static_cast<nghttp2_rcbuf*>(value_buf));
  }
  return 0;
}

// nghttp2 would silently drop a regular field it finds invalid (e.g. CR, LF or NUL in the
// value); we refuse the request instead, as HTTP/1.1 does. TEMPORAL_CALLBACK_FAILURE here makes
// nghttp2 reset the stream with PROTOCOL_ERROR.
int Session::on_invalid_header(int32_t stream_id) {
  if (Stream* s = find(stream_id)) s->phase = Stream::Phase::kRejected;
  return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

int Session::on_headers_done(int32_t stream_id, bool end_stream) {
  Stream* s = find(stream_id);
  if (s == nullptr || s->phase != Stream::Phase::kHeaders) return 0;
  FieldResult r = fields_.finish(s->head, s->cookie, s->scheme, s->declared_length);
  if (r.verdict == FieldVerdict::kMalformed) {
    reset_stream(*s, NGHTTP2_PROTOCOL_ERROR);
    return 0;
  }
  if (r.verdict == FieldVerdict::kRespond) {
    reject(*s, r.status, r.reason);
    return 0;
  }
  if (s->declared_length > 0 && static_cast<uint64_t>(s->declared_length) > settings_.max_request_body) {
    reject(*s, 413, "request body too large");
    return 0;
  }
  s->head.content_length = s->declared_length > 0 ? static_cast<uint64_t>(s->declared_length) : 0;
  if (end_stream) return on_end_stream(stream_id);
  s->phase = Stream::Phase::kBody;
  // RFC 9110 §10.1.1: a client waiting for 100 Continue sends nothing until it gets it.
  const Header* expect = s->head.find("expect");
  if (expect != nullptr && s->declared_length != 0) {
    const nghttp2_nv nv = make_nv(":status", "100");
    nghttp2_submit_headers(ng_, NGHTTP2_FLAG_NONE, stream_id, nullptr, &nv, 1, nullptr);
  }
  return 0;
}

int Session::on_data(int32_t stream_id, const uint8_t* data, size_t len) {
  Stream* s = find(stream_id);
  if (s == nullptr || s->phase != Stream::Phase::kBody) return 0;
  s->body_length += len;
  if (s->body_length > settings_.max_request_body) {
    reject(*s, 413, "request body too large");
    return 0;
  }
  if (settings_.keep_request_body && s->body_length <= settings_.keep_request_body_limit)
    s->body.append(reinterpret_cast<const char*>(data), len);
  return 0;
}

// The request is complete: headers, body and trailers all arrived.
int Session::on_end_stream(int32_t stream_id) {
  Stream* s = find(stream_id);
  if (s == nullptr || (s->phase != Stream::Phase::kHeaders && s->phase != Stream::Phase::kBody)) return 0;
  // nghttp2 checks content-length against DATA too; the head must not claim otherwise.
  if (s->declared_length >= 0 && static_cast<uint64_t>(s->declared_length) != s->body_length) {
    reset_stream(*s, NGHTTP2_PROTOCOL_ERROR);
    return 0;
  }
  if (s->body_length != 0 || s->declared_length >= 0) {
    s->head.body = BodyFraming::kContentLength;
    s->head.content_length = s->body_length;
  }
  s->phase = Stream::Phase::kReady;
  ready_.push_back(stream_id);
  return 0;
}

int Session::on_ping_ack(const uint8_t* opaque) {
  if (shutdown_ == Shutdown::kNoticeSent && std::memcmp(opaque, kShutdownPing, sizeof kShutdownPing) == 0)
    shutdown_acked_ = true;
  return 0;
}

int Session::on_frame_sent(uint8_t type, int32_t stream_id, uint8_t flags, uint32_t error_code) {
  if (type == NGHTTP2_RST_STREAM && error_code != NGHTTP2_NO_ERROR) {
    // CVE-2025-8671 (MadeYouReset): nghttp2 only rate-limits resets the client sends.
    ++server_resets_;
    if (reset_tokens_ > 0) --reset_tokens_;
    if (reset_tokens_ == 0) terminate(NGHTTP2_ENHANCE_YOUR_CALM);
    return 0;
  }
  if ((type != NGHTTP2_HEADERS && type != NGHTTP2_DATA) || (flags & NGHTTP2_FLAG_END_STREAM) == 0) return 0;
  Stream* s = find(stream_id);
  if (s == nullptr) return 0;
  if (s->phase == Stream::Phase::kRejected) {
    // RFC 9113 §8.1: a response sent before the request ended is followed by RST_STREAM
    // NO_ERROR so the client stops sending the body.
    if (nghttp2_session_get_stream_remote_close(ng_, stream_id) == 0)
      nghttp2_submit_rst_stream(ng_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_NO_ERROR);
  } else if (reset_tokens_ < settings_.max_server_resets) {
    ++reset_tokens_;
  }
  return 0;
}

int Session::on_stream_close(int32_t stream_id) {
  Stream* s = find(stream_id);
  if (s == nullptr) return 0;
  s->open = false;
  ++zombies_;
  if (s->phase == Stream::Phase::kHeld && !s->cancelled) {
    s->cancelled = true;
    cancelled_.push_back(stream_id);
  }
  maybe_free(*s);
  return 0;
}

void Session::reset_stream(Stream& s, uint32_t error_code) {
  s.phase = Stream::Phase::kRejected;
  nghttp2_submit_rst_stream(ng_, NGHTTP2_FLAG_NONE, s.id, error_code);
}

// A response the session makes itself (413, 417, 431), in the same plain-text shape the
// HTTP/1.1 connection uses for its rejections.
void Session::reject(Stream& s, uint16_t status, std::string_view reason) {
  Response& res = s.response;
  res.reset();
  res.status = status;
  res.add_header("content-type", "text/plain; charset=utf-8");
  std::string text(reason_phrase(status));
  text.append(": ").append(reason).append("\n");
  res.add_memory(res.keep(text));
  s.phase = Stream::Phase::kRejected;
  if (!send_response(s, {})) reset_stream(s, NGHTTP2_INTERNAL_ERROR);
}

// ---------------------------------------------------------------------------------------------
// Dispatch to the caller

std::optional<StreamRequest> Session::next_request() {
  while (!ready_.empty()) {
    const int32_t id = ready_.front();
    ready_.pop_front();
    Stream* s = find(id);
    if (s == nullptr || !s->open || s->phase != Stream::Phase::kReady) continue;  // reset while queued
    s->phase = Stream::Phase::kHeld;
    StreamRequest req;
    req.stream_id = id;
    req.head = &s->head;
    req.scheme = s->scheme;
    req.body = s->body;
    req.body_length = s->body_length;
    return req;
  }
  return std::nullopt;
}

std::optional<int32_t> Session::next_cancelled() {
  if (cancelled_.empty()) return std::nullopt;
  const int32_t id = cancelled_.front();
  cancelled_.pop_front();
  return id;
}

Response* Session::response(int32_t stream_id) {
  Stream* s = find(stream_id);
  return s != nullptr && s->phase == Stream::Phase::kHeld ? &s->response : nullptr;
}

void Session::release(int32_t stream_id) {
  Stream* s = find(stream_id);
  if (s == nullptr || s->phase != Stream::Phase::kHeld) return;
  s->phase = Stream::Phase::kRejected;
  if (s->open) {
    nghttp2_submit_rst_stream(ng_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
  } else {
    maybe_free(*s);
  }
}

Result<void> Session::submit(int32_t stream_id, std::string_view http_date) {
  Stream* s = find(stream_id);
  if (s == nullptr || s->phase != Stream::Phase::kHeld) return Error("h2: submit on a stream not held");
  if (!s->open) {  // the client gave up meanwhile
    s->phase = Stream::Phase::kRejected;
    maybe_free(*s);
    return {};
  }
  if (s->response.status < 200 || s->response.status > 999) {
    release(stream_id);
    return Error("h2: a response needs a final status (200-999)");
  }
  s->phase = Stream::Phase::kSending;
  Result<void> r = send_response(*s, http_date);
  if (!r) reset_stream(*s, NGHTTP2_INTERNAL_ERROR);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Responses out

Result<void> Session::send_response(Stream& s, std::string_view http_date) {
  const Response& res = s.response;
  // Lowercased names (RFC 9113 §8.2.1) and the numbers go to one scratch string, reserved up
  // front so the views into it stay put; nghttp2 copies everything at submit.
  size_t names = 0;
  for (const ResponseHeader& h : res.headers()) names += h.name.size();
  std::string& scratch = scratch_->text;
  scratch.clear();
  scratch.reserve(names + 3 + 20);
  std::vector<nghttp2_nv>& nv = scratch_->nv;
  nv.clear();
  nv.reserve(res.headers().size() + 4);

  const size_t status_at = scratch.size();
  scratch.push_back(static_cast<char>('0' + res.status / 100 % 10));
  scratch.push_back(static_cast<char>('0' + res.status / 10 % 10));
  scratch.push_back(static_cast<char>('0' + res.status % 10));
  nv.push_back(make_nv(":status", std::string_view(scratch).substr(status_at, 3)));

  bool has_date = false, has_server = false;
  for (const ResponseHeader& h : res.headers()) {
    if (!is_sendable_name(h.name) || !is_sendable_value(h.value) || is_connection_specific(h.name) ||
        iequals(h.name, "content-length"))
      continue;  // framing is ours; invalid fields would make the client reset the stream
    const size_t at = scratch.size();
    for (char c : h.name) scratch.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    std::string_view name = std::string_view(scratch).substr(at, h.name.size());
    has_date |= name == "date";
    has_server |= name == "server";
    nv.push_back(make_nv(name, h.value));
  }
  if (!has_date && !http_date.empty()) nv.push_back(make_nv("date", http_date));
  if (!has_server) nv.push_back(make_nv("server", kServer));
  if (!status_has_no_body(res.status)) {
    char digits[20];
    size_t i = sizeof digits;
    uint64_t n = res.content_length();
    do {
      digits[--i] = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n != 0);
    const size_t at = scratch.size();
    scratch.append(digits + i, sizeof digits - i);
    nv.push_back(make_nv("content-length", std::string_view(scratch).substr(at)));
  }

  const bool body = s.head.method != Method::kHead && !status_has_no_body(res.status) && res.content_length() != 0;
  nghttp2_data_provider dp;
  dp.source.ptr = &s;
  dp.read_callback = &Callbacks::read;
  s.part = 0;
  s.part_off = 0;
  const int rv = nghttp2_submit_response(ng_, s.id, nv.data(), nv.size(), body ? &dp : nullptr);
  if (rv != 0) return Error(std::string("h2: cannot submit response: ") + nghttp2_strerror(rv));
  return {};
}

// nghttp2's data provider: fills `buf` from the body parts in order. Memory parts are copied
// directly; file parts come from the stage, and an empty stage means "ask the caller for the
// next FileRead and defer" (resumed by complete_file_read). The next read is requested as soon
// as the stage drains, so disk reads overlap with sending.
long Session::read_body(Stream& s, uint8_t* buf, size_t length, uint32_t* flags) {
  const std::span<const BodyPart> parts = s.response.body();
  size_t n = 0;
  while (n < length && s.part < parts.size()) {
    const BodyPart& p = parts[s.part];
    const uint64_t left = p.length - s.part_off;
    size_t take = 0;
    if (p.kind == BodyPart::Kind::kMemory) {
      take = static_cast<size_t>(std::min<uint64_t>(left, length - n));
      std::memcpy(buf + n, p.data + s.part_off, take);
    } else {
      const size_t staged = s.stage_len - s.stage_pos;
      if (staged == 0) {
        if (!s.read_pending) request_read(s);
        if (n > 0) break;  // send what we have; the read is already under way
        s.deferred = true;
        return NGHTTP2_ERR_DEFERRED;
      }
      take = static_cast<size_t>(std::min<uint64_t>({static_cast<uint64_t>(staged), left, length - n}));
      if (n == 0) {
        // A frame of file bytes only: send them from the stage (no copy into nghttp2's buffer).
        // send_data_frame() runs before mem_send returns, so before any read can refill it.
        s.no_copy = s.stage.get() + s.stage_pos;
        *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
      } else {
        std::memcpy(buf + n, s.stage.get() + s.stage_pos, take);
      }
      s.stage_pos += take;
    }
    n += take;
    s.part_off += take;
    const bool stage_done = s.part_off == p.length;
    if (stage_done) {
      ++s.part;
      s.part_off = 0;
      s.stage_pos = s.stage_len = 0;  // the bytes stay in the stage until the next read
    }
    if (s.no_copy != nullptr) break;  // one contiguous run per NO_COPY frame
  }
  if (s.part == parts.size()) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
  } else if (parts[s.part].kind == BodyPart::Kind::kFile && s.stage_pos == s.stage_len && !s.read_pending) {
    request_read(s);  // read ahead while this frame goes out (queued: it starts after mem_send)
  }
  return static_cast<long>(n);
}

int Session::send_data_frame(Stream& s, size_t padlen, const uint8_t* framehd, size_t length) {
  // We never ask for padding, so the frame is its 9-byte header and the payload.
  if (s.no_copy == nullptr || padlen != 0) return NGHTTP2_ERR_CALLBACK_FAILURE;
  out_.append(reinterpret_cast<const char*>(framehd), 9);
  out_.append(s.no_copy, length);
  s.no_copy = nullptr;
  return 0;
}

void Session::request_read(Stream& s) {
  const BodyPart& p = s.response.body()[s.part];
  const size_t len = static_cast<size_t>(std::min<uint64_t>(p.length - s.part_off, settings_.file_chunk));
  if (s.stage_cap < len) {
    // Allocated once at full size: a NO_COPY frame may still point into it when the next
    // read is requested (the read itself only starts after the frame was copied out).
    s.stage = std::make_unique<char[]>(settings_.file_chunk);
    s.stage_cap = settings_.file_chunk;
  }
  s.stage_pos = s.stage_len = 0;
  s.read = FileRead{s.id, p.fd, p.offset + s.part_off, s.stage.get(), len};
  s.read_pending = true;
  reads_.push_back(s.id);
}

std::optional<FileRead> Session::next_file_read() {
  while (!reads_.empty()) {
    const int32_t id = reads_.front();
    reads_.pop_front();
    Stream* s = find(id);
    if (s == nullptr || !s->read_pending) continue;
    if (!s->open) {  // reset before the read started: skip it
      s->read_pending = false;
      maybe_free(*s);
      continue;
    }
    return s->read;
  }
  return std::nullopt;
}

void Session::complete_file_read(int32_t stream_id, int64_t result) {
  Stream* s = find(stream_id);
  if (s == nullptr || !s->read_pending) return;
  s->read_pending = false;
  if (!s->open) {
    maybe_free(*s);
    return;
  }
  if (result <= 0) {
    // The headers (and content-length) are gone; all we can do is cut the stream (as h1 cuts
    // the connection when the file shrank or the read failed).
    reset_stream(*s, NGHTTP2_INTERNAL_ERROR);
    return;
  }
  s->stage_len = static_cast<size_t>(std::min<int64_t>(result, static_cast<int64_t>(s->read.length)));
  s->stage_pos = 0;
  if (s->deferred) {
    s->deferred = false;
    nghttp2_session_resume_data(ng_, stream_id);
  }
}

// ---------------------------------------------------------------------------------------------
// Bytes out, flow of the connection

std::span<const char> Session::pending_output() {
  if (out_pos_ != 0 && out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  }
  while (!failed_ && out_.size() - out_pos_ < settings_.output_high_water) {
    const uint8_t* p = nullptr;
    const ssize_t n = nghttp2_session_mem_send(ng_, &p);
    if (n < 0) {
      failed_ = true;
      break;
    }
    if (n == 0) break;
    if (out_pos_ != 0 && out_pos_ >= out_.size() / 2) {  // keep the buffer from creeping
      out_.erase(0, out_pos_);
      out_pos_ = 0;
    }
    out_.append(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
  }
  return {out_.data() + out_pos_, out_.size() - out_pos_};
}

void Session::consume_output(size_t n) {
  ZS_ASSERT(n <= out_.size() - out_pos_);
  out_pos_ += n;
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  }
}

bool Session::want_read() const {
  if (failed_ || nghttp2_session_want_read(ng_) == 0) return false;
  // Backpressure: a client that does not read, or streams the caller has not let go of.
  return out_.size() - out_pos_ < settings_.output_high_water && zombies_ < settings_.max_concurrent_streams;
}

bool Session::want_write() {
  return !pending_output().empty();
}

bool Session::finished() {
  if (want_write()) return false;
  return failed_ || (nghttp2_session_want_read(ng_) == 0 && nghttp2_session_want_write(ng_) == 0);
}

void Session::begin_shutdown() {
  if (shutdown_ != Shutdown::kNone || failed_) return;
  nghttp2_submit_shutdown_notice(ng_);
  nghttp2_submit_ping(ng_, NGHTTP2_FLAG_NONE, kShutdownPing);
  shutdown_ = Shutdown::kNoticeSent;
}

void Session::finish_shutdown() {
  if (shutdown_ == Shutdown::kFinal || failed_) return;
  nghttp2_submit_goaway(ng_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(ng_),
                        NGHTTP2_NO_ERROR, nullptr, 0);
  shutdown_ = Shutdown::kFinal;
}

}  // namespace zs::http::h2
