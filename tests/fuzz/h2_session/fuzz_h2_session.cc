// libFuzzer target for the HTTP/2 server Session. The input is what a client sends after a valid
// preface and SETTINGS (seeds are hand-built frame sequences). The first byte picks how the
// bytes are split into reads and how much output the "socket" takes per round; the session is
// driven as the connection coroutine would drive it (requests answered with memory and file
// parts, file reads performed with pread, cancellations released, shutdown at a chosen round).
// Checked invariants: no crash or sanitizer report, buffered output never above the high-water
// mark plus one frame, and everything handed out refers to a live stream.
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/h2/session.hh"
#include "http/response.hh"

namespace {

using namespace zs::http;
using namespace zs::http::h2;

#define FUZZ_CHECK(cond)                                                                    \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "fuzz_h2_session: check failed: %s (line %d)\n", #cond, __LINE__); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)

constexpr std::string_view kOpening(
    "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    "\x00\x00\x00\x04\x00\x00\x00\x00\x00"   // SETTINGS (empty)
    "\x00\x00\x00\x04\x01\x00\x00\x00\x00",  // SETTINGS ACK
    24 + 9 + 9);

// A small file for FILE parts, shared by all runs.
int body_fd() {
  static int fd = [] {
    int f = memfd_create("fuzz_h2_body", 0);
    std::string bytes(200'000, 'f');
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31);
    if (f >= 0 && write(f, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) std::abort();
    return f;
  }();
  return fd;
}

void answer(Session& s, const StreamRequest& req) {
  Response* res = s.response(req.stream_id);
  FUZZ_CHECK(res != nullptr);
  FUZZ_CHECK(req.head != nullptr);
  const std::string_view path = req.head->path;
  res->add_header("Content-Type", "text/plain");
  res->add_memory("head:");
  if (!path.empty() && path.size() % 3 == 0) res->add_file(body_fd(), path.size() * 100, 70'000);
  if (path.size() % 5 == 1) res->status = 304;
  res->add_memory(":tail");
  (void)s.submit(req.stream_id, "Thu, 01 Jan 2026 00:00:00 GMT");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  Settings settings;
  settings.max_request_body = 4096;
  settings.keep_request_body = (mode & 1) != 0;
  settings.output_high_water = 16 * 1024;
  auto created = Session::create(settings);
  FUZZ_CHECK(created.ok());
  Session& s = *created.value();

  const size_t read_size = 1 + (mode >> 1) % 64 * 37;            // 1 .. 2332 bytes per read
  const size_t sink = (mode & 0x80) != 0 ? 0 : 64 * 1024;        // 0: a client that never reads
  const size_t shutdown_round = (mode & 0x40) != 0 ? 3 : SIZE_MAX;
  bool alive = s.feed({kOpening.data(), kOpening.size()}).ok();
  FUZZ_CHECK(alive);

  size_t at = 0;
  for (size_t round = 0; round < 10'000; ++round) {
    if (round == shutdown_round) s.begin_shutdown();
    bool progress = false;
    if (alive && at < input.size() && s.want_read()) {
      const size_t n = std::min(read_size, input.size() - at);
      alive = s.feed({input.data() + at, n}).ok();
      at += n;
      progress = true;
    }
    while (auto id = s.next_cancelled()) {
      s.release(*id);
      progress = true;
    }
    while (auto req = s.next_request()) {
      answer(s, *req);
      progress = true;
    }
    while (auto rd = s.next_file_read()) {
      FUZZ_CHECK(rd->dest != nullptr && rd->length > 0 && rd->length <= settings.file_chunk);
      const ssize_t got = pread(rd->fd, rd->dest, rd->length, static_cast<off_t>(rd->offset));
      s.complete_file_read(rd->stream_id, got < 0 ? -errno : got);
      progress = true;
    }
    std::span<const char> out = s.pending_output();
    FUZZ_CHECK(out.size() <= settings.output_high_water + 64 * 1024 + 9);
    const size_t take = std::min(out.size(), sink);
    if (take > 0) {
      s.consume_output(take);
      progress = true;
    }
    if (!progress && (at >= input.size() || !alive || !s.want_read())) break;
  }
  return 0;
}
