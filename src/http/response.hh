// Response: what a handler produces and a protocol adapter (h1 today, h2 later) writes. It is
// protocol-independent: no framing headers (Content-Length, Transfer-Encoding, Connection, Date,
// Server) are set by handlers; the adapter derives them. Header names/values and memory body
// parts are views: they must stay valid until the response is written (static strings, the site
// snapshot the request holds, or this object's own scratch arena).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace zs::http {

struct ResponseHeader {
  std::string_view name;
  std::string_view value;
};

// One piece of the body: bytes in memory, or a byte range of a file read at write time.
struct BodyPart {
  enum class Kind : uint8_t { kMemory, kFile };
  Kind kind = Kind::kMemory;
  int fd = -1;              // kFile
  uint64_t offset = 0;      // kFile: offset in fd
  const char* data = nullptr;  // kMemory: the bytes. kFile: the same bytes in a read-only
                               // mapping of fd, or null. Userspace must never dereference a
                               // kFile mapping (a file truncated under it would raise SIGBUS);
                               // it may only hand it to the kernel (send), which reports EFAULT.
  uint64_t length = 0;
};

class Response {
 public:
  static constexpr size_t kMaxHeaders = 48;
  static constexpr size_t kMaxParts = 40;  // a 16-range multipart body is 33 parts
  static constexpr size_t kArenaBytes = 3072;

  uint16_t status = 200;
  bool close_connection = false;  // handler asks the adapter to close after this response
  bool abort = false;             // send nothing: close the connection (h2: reset the stream)
  // Keeps alive whatever the views point into (e.g. the site snapshot) until the response is
  // written; released by reset().
  std::shared_ptr<const void> pin;

  // Returns false (and drops the header) when the table is full.
  bool add_header(std::string_view name, std::string_view value);
  // Replaces every header named `name` (case-insensitive) with one; adds it if absent.
  bool set_header(std::string_view name, std::string_view value);
  void remove_header(std::string_view name);
  // Replaces the whole header table (a response hook's changes rolled back).
  void replace_headers(std::span<const ResponseHeader> headers);
  std::span<const ResponseHeader> headers() const { return {headers_.data(), header_count_}; }

  bool add_memory(std::string_view bytes);
  // `mapped`, if not null, addresses the same bytes in a read-only mapping (see BodyPart).
  bool add_file(int fd, uint64_t offset, uint64_t length, const char* mapped = nullptr);
  std::span<const BodyPart> body() const { return {parts_.data(), part_count_}; }
  uint64_t content_length() const { return content_length_; }

  // Copies `s` into the response's scratch arena; the view lives as long as the Response.
  // Returns an empty view when the arena is exhausted (callers treat that as a 500).
  std::string_view keep(std::string_view s);
  // Formats an unsigned number into the arena.
  std::string_view keep_number(uint64_t n);

  // Drops headers and body (status kept): used when a handler replaces a response.
  void clear_body_and_headers();
  void reset();

 private:
  std::array<ResponseHeader, kMaxHeaders> headers_{};
  size_t header_count_ = 0;
  std::array<BodyPart, kMaxParts> parts_{};
  size_t part_count_ = 0;
  uint64_t content_length_ = 0;
  char arena_[kArenaBytes];
  size_t arena_used_ = 0;
};

// Status codes whose responses never carry a body (RFC 9110 §6.4.1).
inline bool status_has_no_body(uint16_t status) {
  return status < 200 || status == 204 || status == 304;
}

// "OK", "Not Found", ...; "" for codes we have no phrase for (the status line then ends
// after the code and a space, which RFC 9112 §4 allows).
std::string_view reason_phrase(uint16_t status);

}  // namespace zs::http
