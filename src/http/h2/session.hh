// Session: the server side of one HTTP/2 connection (RFC 9113), over nghttp2's memory API only.
// Bytes in via feed(), bytes out via pending_output()/consume_output(); completed requests out
// as RequestHead values, responses in as http::Response objects. File body parts are pulled
// through the caller (next_file_read/complete_file_read) so reads can go through io_uring.
// Not here: sockets, TLS, timers and clocks (the caller owns every deadline), ALPN or the
// "PRI * HTTP/2.0" sniffing, and what a response contains. Relies on Debian's libnghttp2 1.52
// (mem_recv/mem_send; the *2 variants do not exist there).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.hh"
#include "http/h2/request_fields.hh"
#include "http/request_head.hh"

struct nghttp2_session;

namespace zs::http {
class Response;
}

namespace zs::http::h2 {

// Everything tunable about one session. Defaults follow the reference server
// (--h2-stream-window-kb 512, --h2-connection-window-kb 1024, 64 KiB frames) and nghttp2's
// own flood limits. Option parsing lives with the server's flags, not here.
struct Settings {
  uint32_t stream_window = 512 * 1024;       // SETTINGS_INITIAL_WINDOW_SIZE (our receive side)
  uint32_t connection_window = 1024 * 1024;  // connection receive window (WINDOW_UPDATE on 0)
  uint32_t max_concurrent_streams = 100;     // SETTINGS_MAX_CONCURRENT_STREAMS
  uint32_t max_header_list = 64 * 1024;      // SETTINGS_MAX_HEADER_LIST_SIZE, enforced -> 431
  uint32_t max_frame_size = 64 * 1024;       // SETTINGS_MAX_FRAME_SIZE we accept
  uint64_t max_request_body = 1 << 20;       // past it -> 413 (the rest is read and dropped)
  bool keep_request_body = false;            // false: body bytes are counted, then dropped
  uint64_t keep_request_body_limit = UINT64_MAX;  // bodies longer than this are not kept whole
  size_t file_chunk = 64 * 1024;             // largest single FileRead
  // pending_output() stops pulling frames from nghttp2 once this much is buffered, and
  // want_read() turns false: a client that does not read stops the server producing.
  size_t output_high_water = 128 * 1024;
  // Flood protection (reliability.md §2.E). nghttp2 counts the first four; we count the rest.
  size_t max_outbound_ack = 1000;     // queued SETTINGS/PING ACKs -> connection error
  size_t max_settings = 32;           // entries per SETTINGS frame
  size_t max_continuations = 8;       // CONTINUATION frames per header block
  uint64_t reset_burst = 1000;        // inbound RST_STREAM token bucket (CVE-2023-44487)
  uint64_t reset_rate = 33;           //   ... tokens per second
  uint32_t max_empty_frames = 10;     // consecutive empty DATA/HEADERS/CONTINUATION (CVE-2019-9518)
  // Stream errors the server itself had to send (RST_STREAM != NO_ERROR, "MadeYouReset",
  // CVE-2025-8671): a bucket of this many tokens, one back per normally completed response;
  // empty -> GOAWAY ENHANCE_YOUR_CALM.
  uint32_t max_server_resets = 100;
};

// A complete request (head and, unless it was dropped, body), handed to the caller once.
// Every view stays valid until the caller calls submit() or release() for `stream_id`, even if
// the client resets the stream meanwhile.
struct StreamRequest {
  int32_t stream_id = 0;
  const RequestHead* head = nullptr;  // version is kHttp11: RequestHead has no HTTP/2 value
  std::string_view scheme;            // :scheme ("" for CONNECT)
  std::string_view body;              // the body when Settings::keep_request_body, else ""
  uint64_t body_length = 0;           // bytes of body received
};

// "Read `length` bytes of `fd` at `offset` into `dest`, then call complete_file_read()".
// `dest` belongs to the session and stays valid until that call, whatever happens to the
// stream (so an io_uring read may target it directly).
struct FileRead {
  int32_t stream_id = 0;
  int fd = -1;
  uint64_t offset = 0;
  char* dest = nullptr;
  size_t length = 0;
};

// One per connection, used on one thread. Nothing here blocks or throws; no callback into the
// caller ever happens: everything the caller must act on comes out of a queue it polls after
// feed() and after consume_output().
//
// The caller's loop, in order:
//   1. feed() received bytes (the first ones must be the client preface, "PRI * HTTP/2.0...";
//      h2c prior knowledge and h2 over TLS start the same way). An error means: send what
//      pending_output() still holds (it may carry a GOAWAY), then close.
//   2. next_cancelled(): streams the caller holds that the client (or a stream error) reset;
//      stop their work, then release() them.
//   3. next_request(): answer each with response(id) filled and submit(id), or release(id).
//   4. next_file_read(): perform each read; complete_file_read() when it finishes.
//   5. pending_output(): send it; consume_output(sent).
//   6. want_read() / want_write() say whether to receive / keep sending; finished() means the
//      connection is over (close it once every FileRead handed out was completed).
// Deadlines (idle, header, zero-window or stalled writes) belong to the caller: it can see
// open_streams() and whether output makes progress.
class Session {
 public:
  // Queues the server preface (SETTINGS) and the connection WINDOW_UPDATE; fails only when
  // nghttp2 cannot allocate.
  static Result<std::unique_ptr<Session>> create(const Settings& settings = Settings{});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Consumes all of `bytes`. An Error is a connection error (bad preface, flood, protocol
  // violation): no more input is accepted.
  Result<void> feed(std::span<const char> bytes);

  // The next complete request, or nullopt. The stream is then held by the caller.
  std::optional<StreamRequest> next_request();
  // The held stream's Response, empty (status 200) on first call; nullptr when `stream_id` is
  // not held. It lives as long as the stream and must not be touched after submit().
  Response* response(int32_t stream_id);
  // Sends the held stream's response: :status, date (when `http_date` is not empty), server,
  // the handler's headers lowercased (connection-specific ones and invalid ones dropped), and
  // content-length unless the status has no body (RFC 9110 §6.4.1); the body unless HEAD.
  // On a stream the client already reset it just releases it. Errors: not held, 1xx status.
  Result<void> submit(int32_t stream_id, std::string_view http_date);
  // Gives up a held stream without answering it (RST_STREAM CANCEL if still open).
  void release(int32_t stream_id);
  // Held streams that were reset before their response was submitted, once each.
  std::optional<int32_t> next_cancelled();

  // File body parts: the next read to perform, and its result (bytes read, 0 at end of file,
  // or -errno). A short read is fine; 0 or an error resets the stream (its headers are gone).
  std::optional<FileRead> next_file_read();
  void complete_file_read(int32_t stream_id, int64_t result);

  // Bytes to send, pulled from nghttp2 up to Settings::output_high_water. The span is valid
  // until the next call on this session.
  std::span<const char> pending_output();
  void consume_output(size_t n);

  bool want_read() const;
  bool want_write();
  // Nothing more to read or write and no buffered output: close the connection.
  bool finished();

  // Graceful shutdown, the double GOAWAY of RFC 9113 §6.8: first a GOAWAY with the largest
  // stream id plus a PING; when its ACK comes back every stream the client opened before it
  // has arrived, so the final GOAWAY names the last one exactly. In-flight streams complete.
  void begin_shutdown();
  // The final GOAWAY now (the caller's shutdown deadline passed without the PING ACK).
  void finish_shutdown();

  // Streams nghttp2 still has open plus closed ones the caller or a read still holds.
  size_t open_streams() const { return streams_.size(); }
  // Server-sent stream errors so far (for logs and tests).
  uint64_t server_resets() const { return server_resets_; }
  // :authority of requests is RequestHead::authority; the caller compares it with the TLS SNI
  // (421, reference §7) before dispatching.

  struct Stream;  // per-stream storage, defined in session.cc

 private:
  explicit Session(const Settings& settings);
  Result<void> init();

  // nghttp2 callbacks, as members (the C trampolines live in session.cc).
  int on_begin_frame(uint8_t type, uint8_t flags, size_t length);
  int on_begin_headers(int32_t stream_id, bool request);
  int on_header(int32_t stream_id, std::string_view name, std::string_view value, void* name_buf,
                void* value_buf);
  int on_invalid_header(int32_t stream_id);
  int on_headers_done(int32_t stream_id, bool end_stream);
  int on_data(int32_t stream_id, const uint8_t* data, size_t len);
  int on_end_stream(int32_t stream_id);
  int on_ping_ack(const uint8_t* opaque);
  int on_frame_sent(uint8_t type, int32_t stream_id, uint8_t flags, uint32_t error_code);
  int on_stream_close(int32_t stream_id);
  long read_body(Stream& s, uint8_t* buf, size_t length, uint32_t* flags);
  int send_data_frame(Stream& s, size_t padlen, const uint8_t* framehd, size_t length);

  Stream* find(int32_t stream_id) const;
  Stream* acquire(int32_t stream_id);
  void maybe_free(Stream& s);
  void reject(Stream& s, uint16_t status, std::string_view reason);
  void reset_stream(Stream& s, uint32_t error_code);
  Result<void> send_response(Stream& s, std::string_view http_date);
  void request_read(Stream& s);
  void terminate(uint32_t error_code);

  struct Callbacks;
  friend struct Callbacks;

  Settings settings_;
  nghttp2_session* ng_ = nullptr;
  RequestFields fields_;
  std::unordered_map<int32_t, std::unique_ptr<Stream>> streams_;
  std::vector<std::unique_ptr<Stream>> spare_;  // recycled Stream objects
  std::deque<int32_t> ready_;       // complete requests not yet taken
  std::deque<int32_t> cancelled_;   // held streams reset before their response
  std::deque<int32_t> reads_;       // FileReads not yet taken
  struct Scratch;                   // send_response()'s reused buffers (session.cc)
  std::unique_ptr<Scratch> scratch_;
  std::string out_;                 // output pulled from nghttp2, from out_pos_ on unsent
  size_t out_pos_ = 0;
  size_t zombies_ = 0;              // closed streams kept alive by the caller or a read
  uint32_t empty_frames_ = 0;
  uint32_t reset_tokens_ = 0;
  uint64_t server_resets_ = 0;
  bool failed_ = false;             // connection error: nothing more in or out of nghttp2
  bool shutdown_acked_ = false;     // our shutdown PING came back during this feed()
  enum class Shutdown : uint8_t { kNone, kNoticeSent, kFinal } shutdown_ = Shutdown::kNone;
};

}  // namespace zs::http::h2
