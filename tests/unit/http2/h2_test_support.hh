// Test peers for the HTTP/2 Session, all in memory: an nghttp2 CLIENT session (the known-good
// peer) and a raw frame writer/reader with a tiny HPACK literal encoder (the attacker, which may
// send what no library would). Both talk to a server Session through buffers, and a Driver plays
// the connection coroutine's part: dispatch requests to a handler, perform file reads with
// pread(), shuttle output.
#pragma once

#include <nghttp2/nghttp2.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/h2/session.hh"
#include "http/response.hh"

namespace zs::http::h2::test {

using Fields = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
inline constexpr std::string_view kDate = "Thu, 01 Jan 2026 00:00:00 GMT";

// ---------------------------------------------------------------------------------------------
// Raw frames (RFC 9113 §4.1) and HPACK literals (RFC 7541 §5.1, §6.2.2)

inline std::string frame(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload) {
  std::string f;
  const size_t n = payload.size();
  f.push_back(static_cast<char>(n >> 16));
  f.push_back(static_cast<char>(n >> 8));
  f.push_back(static_cast<char>(n));
  f.push_back(static_cast<char>(type));
  f.push_back(static_cast<char>(flags));
  f.push_back(static_cast<char>((stream >> 24) & 0x7f));
  f.push_back(static_cast<char>(stream >> 16));
  f.push_back(static_cast<char>(stream >> 8));
  f.push_back(static_cast<char>(stream));
  f.append(payload);
  return f;
}

inline std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// An HPACK integer with an N-bit prefix whose high bits are `first`.
inline std::string hpack_int(uint8_t first, int prefix_bits, uint64_t v) {
  std::string out;
  const uint64_t max = (1u << prefix_bits) - 1;
  if (v < max) {
    out.push_back(static_cast<char>(first | v));
    return out;
  }
  out.push_back(static_cast<char>(first | max));
  v -= max;
  while (v >= 128) {
    out.push_back(static_cast<char>(0x80 | (v & 0x7f)));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// Literal field without indexing, new name (0x00): leaves the decoder's table alone.
inline std::string literal(std::string_view name, std::string_view value) {
  std::string out(1, '\0');
  out += hpack_int(0, 7, name.size());
  out += name;
  out += hpack_int(0, 7, value.size());
  out += value;
  return out;
}

// Literal with incremental indexing, new name (0x40): the entry becomes dynamic index 62.
inline std::string literal_indexed(std::string_view name, std::string_view value) {
  std::string out(1, '\x40');
  out += hpack_int(0, 7, name.size());
  out += name;
  out += hpack_int(0, 7, value.size());
  out += value;
  return out;
}

inline std::string block(const Fields& fields) {
  std::string out;
  for (const auto& [n, v] : fields) out += literal(n, v);
  return out;
}

inline Fields get_fields(std::string path = "/") {
  return {{":method", "GET"}, {":scheme", "https"}, {":authority", "example.test"}, {":path", std::move(path)}};
}

struct Frame {
  uint8_t type = 0;
  uint8_t flags = 0;
  uint32_t stream = 0;
  std::string payload;
};

// Splits complete frames off the front of `buf`, leaving a partial one there.
inline std::vector<Frame> parse_frames(std::string& buf) {
  std::vector<Frame> frames;
  size_t pos = 0;
  while (buf.size() - pos >= 9) {
    const auto* p = reinterpret_cast<const uint8_t*>(buf.data() + pos);
    const size_t len = (size_t{p[0]} << 16) | (size_t{p[1]} << 8) | p[2];
    if (buf.size() - pos < 9 + len) break;
    Frame f;
    f.type = p[3];
    f.flags = p[4];
    f.stream = ((uint32_t{p[5]} & 0x7f) << 24) | (uint32_t{p[6]} << 16) | (uint32_t{p[7]} << 8) | p[8];
    f.payload.assign(buf, pos + 9, len);
    frames.push_back(std::move(f));
    pos += 9 + len;
  }
  buf.erase(0, pos);
  return frames;
}

inline uint32_t read32(std::string_view s, size_t at) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data() + at);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// ---------------------------------------------------------------------------------------------
// The server side as the connection coroutine would drive it.

using HandlerFn = std::function<void(const StreamRequest&, Response&)>;

inline void hello_handler(const StreamRequest& req, Response& res) {
  res.status = 200;
  res.add_header("Content-Type", "text/plain");
  res.add_header("X-Path", req.head->path);
  res.add_memory("hello\n");
}

struct Driver {
  std::unique_ptr<Session> session;
  HandlerFn handler = hello_handler;
  bool auto_dispatch = true;  // answer requests as soon as they come out
  bool auto_release = true;   // release cancelled streams at once (false: a slow handler)
  std::vector<StreamRequest> held;  // when !auto_dispatch
  std::vector<int32_t> cancelled;
  size_t dispatched = 0;
  size_t feed_errors = 0;
  std::string last_error;
  uint64_t file_bytes_read = 0;
  size_t max_output_seen = 0;

  explicit Driver(const Settings& settings = Settings{}) {
    auto s = Session::create(settings);
    if (s.ok()) session = std::move(s.value());
  }

  bool feed(std::string_view bytes) {
    Result<void> r = session->feed({bytes.data(), bytes.size()});
    if (!r) {
      ++feed_errors;
      last_error = r.error().message();
    }
    return r.ok();
  }

  // Steps 2-4 of the caller's loop (session.hh). Returns whether anything happened.
  bool service() {
    bool progress = false;
    while (auto id = session->next_cancelled()) {
      cancelled.push_back(*id);
      for (size_t i = 0; i < held.size(); ++i) {
        if (held[i].stream_id == *id) held.erase(held.begin() + static_cast<long>(i));
      }
      if (auto_release) session->release(*id);
      progress = true;
    }
    while (auto req = session->next_request()) {
      ++dispatched;
      progress = true;
      if (!auto_dispatch) {
        held.push_back(*req);
        continue;
      }
      answer(*req);
    }
    while (auto rd = session->next_file_read()) {
      const ssize_t n = pread(rd->fd, rd->dest, rd->length, static_cast<off_t>(rd->offset));
      if (n > 0) file_bytes_read += static_cast<uint64_t>(n);
      session->complete_file_read(rd->stream_id, n < 0 ? -errno : n);
      progress = true;
    }
    return progress;
  }

  void answer(const StreamRequest& req) {
    Response* res = session->response(req.stream_id);
    if (res == nullptr) return;
    handler(req, *res);
    (void)session->submit(req.stream_id, kDate);
  }

  // Output, at most `limit` bytes of it (the peer's receive room).
  std::string take_output(size_t limit = SIZE_MAX) {
    std::span<const char> out = session->pending_output();
    max_output_seen = std::max(max_output_seen, out.size());
    const size_t n = std::min(limit, out.size());
    std::string bytes(out.data(), n);
    session->consume_output(n);
    return bytes;
  }
};

// ---------------------------------------------------------------------------------------------
// nghttp2 client session: the well-behaved peer.

struct ClientStream {
  int status = 0;
  Fields headers;
  std::string body;
  bool closed = false;
  uint32_t close_error = 0;
  bool rst = false;
};

struct ClientOptions {
  uint32_t initial_window = 65535;
  bool auto_window_update = true;
};

class Client {
 public:
  explicit Client(const ClientOptions& opts = ClientOptions{}) {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_header_callback(cb, &Client::on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &Client::on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, &Client::on_close);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &Client::on_frame);
    nghttp2_option* opt = nullptr;
    nghttp2_option_new(&opt);
    nghttp2_option_set_no_auto_window_update(opt, opts.auto_window_update ? 0 : 1);
    nghttp2_session_client_new2(&ng_, cb, this, opt);
    nghttp2_option_del(opt);
    nghttp2_session_callbacks_del(cb);
    const nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, opts.initial_window}};
    nghttp2_submit_settings(ng_, NGHTTP2_FLAG_NONE, iv, 1);
  }
  ~Client() { nghttp2_session_del(ng_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  int32_t request(const Fields& fields, std::string body = {}) {
    std::vector<nghttp2_nv> nv;
    for (const auto& [n, v] : fields) {
      nv.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(n.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), n.size(), v.size(),
                    NGHTTP2_NV_FLAG_NONE});
    }
    int32_t id = 0;
    if (body.empty()) {
      id = nghttp2_submit_request(ng_, nullptr, nv.data(), nv.size(), nullptr, nullptr);
    } else {
      auto src = std::make_unique<std::string>(std::move(body));
      nghttp2_data_provider dp;
      dp.source.ptr = src.get();
      dp.read_callback = &Client::read_body;
      id = nghttp2_submit_request(ng_, nullptr, nv.data(), nv.size(), &dp, nullptr);
      bodies_.push_back(std::move(src));
    }
    if (id > 0) streams[id];
    return id;
  }

  std::string take_output() {
    std::string out;
    for (;;) {
      const uint8_t* p = nullptr;
      const ssize_t n = nghttp2_session_mem_send(ng_, &p);
      if (n <= 0) break;
      out.append(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    }
    return out;
  }

  int feed(std::string_view bytes) {
    const ssize_t n = nghttp2_session_mem_recv(ng_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    return n < 0 ? static_cast<int>(n) : 0;
  }

  nghttp2_session* ng() { return ng_; }

  std::map<int32_t, ClientStream> streams;
  int goaways = 0;
  int32_t goaway_last_stream = -1;
  uint32_t goaway_error = 0;
  int non_final_headers = 0;

 private:
  static Client& self(void* u) { return *static_cast<Client*>(u); }
  static int on_header(nghttp2_session*, const nghttp2_frame* f, const uint8_t* name, size_t namelen,
                       const uint8_t* value, size_t valuelen, uint8_t, void* u) {
    ClientStream& s = self(u).streams[f->hd.stream_id];
    std::string n(reinterpret_cast<const char*>(name), namelen), v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":status") {
      s.status = std::stoi(v);
      if (s.status < 200) ++self(u).non_final_headers;
    } else {
      s.headers.emplace_back(n, v);
    }
    return 0;
  }
  static int on_data(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len, void* u) {
    self(u).streams[id].body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }
  static int on_close(nghttp2_session*, int32_t id, uint32_t error, void* u) {
    ClientStream& s = self(u).streams[id];
    s.closed = true;
    s.close_error = error;
    return 0;
  }
  static int on_frame(nghttp2_session*, const nghttp2_frame* f, void* u) {
    if (f->hd.type == NGHTTP2_GOAWAY) {
      ++self(u).goaways;
      self(u).goaway_last_stream = f->goaway.last_stream_id;
      self(u).goaway_error = f->goaway.error_code;
    }
    if (f->hd.type == NGHTTP2_RST_STREAM) self(u).streams[f->hd.stream_id].rst = true;
    return 0;
  }
  static ssize_t read_body(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                           nghttp2_data_source* src, void*) {
    auto* body = static_cast<std::string*>(src->ptr);
    const size_t n = std::min(length, body->size());
    std::memcpy(buf, body->data(), n);
    body->erase(0, n);
    if (body->empty()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  nghttp2_session* ng_ = nullptr;
  std::vector<std::unique_ptr<std::string>> bodies_;
};

// Shuttles bytes both ways until neither side has anything left to say.
inline void pump(Client& client, Driver& server, int max_rounds = 10'000) {
  for (int i = 0; i < max_rounds; ++i) {
    bool progress = false;
    std::string c = client.take_output();
    if (!c.empty()) {
      server.feed(c);
      progress = true;
    }
    progress |= server.service();
    std::string s = server.take_output();
    if (!s.empty()) {
      client.feed(s);
      progress = true;
    }
    if (!progress) return;
  }
}

inline std::string header_of(const ClientStream& s, std::string_view name) {
  for (const auto& [n, v] : s.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

// ---------------------------------------------------------------------------------------------
// Raw peer: what an attacker writes, and what the server answers, frame by frame.

class RawPeer {
 public:
  RawPeer() { nghttp2_hd_inflate_new(&inflater_); }
  ~RawPeer() { nghttp2_hd_inflate_del(inflater_); }
  RawPeer(const RawPeer&) = delete;
  RawPeer& operator=(const RawPeer&) = delete;

  // Client preface, an empty SETTINGS and the ACK of the server's SETTINGS.
  static std::string opening() {
    return std::string(kPreface) + frame(NGHTTP2_SETTINGS, 0, 0, "") + frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, "");
  }

  // Takes server output; decodes response HEADERS (status per stream) as they pass.
  std::vector<Frame> read(std::string_view bytes) {
    pending_.append(bytes);
    std::vector<Frame> frames = parse_frames(pending_);
    for (const Frame& f : frames) {
      if (f.type == NGHTTP2_HEADERS) decode_status(f);
      if (f.type == NGHTTP2_RST_STREAM) resets[f.stream] = read32(f.payload, 0);
      if (f.type == NGHTTP2_GOAWAY) {
        ++goaways;
        goaway_error = read32(f.payload, 4);
      }
      if (f.type == NGHTTP2_DATA) data[f.stream] += f.payload;
    }
    all.insert(all.end(), frames.begin(), frames.end());
    return frames;
  }

  std::map<uint32_t, int> statuses;
  std::map<uint32_t, uint32_t> resets;
  std::map<uint32_t, std::string> data;
  std::vector<Frame> all;
  int goaways = 0;
  uint32_t goaway_error = 0;

 private:
  void decode_status(const Frame& f) {
    // Without PADDED/PRIORITY flags (our server never sets them) the payload is the block.
    const auto* in = reinterpret_cast<const uint8_t*>(f.payload.data());
    size_t left = f.payload.size();
    for (;;) {
      nghttp2_nv nv;
      int flags = 0;
      const ssize_t n = nghttp2_hd_inflate_hd2(inflater_, &nv, &flags, in, left, 1);
      if (n < 0) return;
      in += n;
      left -= static_cast<size_t>(n);
      if ((flags & NGHTTP2_HD_INFLATE_EMIT) != 0 && std::string_view(reinterpret_cast<char*>(nv.name), nv.namelen) == ":status") {
        statuses[f.stream] = std::stoi(std::string(reinterpret_cast<char*>(nv.value), nv.valuelen));
      }
      if ((flags & NGHTTP2_HD_INFLATE_FINAL) != 0) {
        nghttp2_hd_inflate_end_headers(inflater_);
        return;
      }
      if (n == 0 && left == 0) return;
    }
  }

  nghttp2_hd_inflater* inflater_ = nullptr;
  std::string pending_;
};

}  // namespace zs::http::h2::test
