// Resumable decoder for the chunked transfer coding of request bodies (RFC 9112 §7.1): a byte
// state machine that hands back decoded data as views into the caller's input, never copying.
// It parses trailer fields for syntax and discards them (never merged into the head, A15).
// It does no I/O and does not allocate; the caller owns the bytes and enforces timeouts.
//
// Strictness (the "Funky Chunks" and A11-A14 vectors, each a named test row): chunk-size is
// 1-16 HEXDIG with a value <= 2^63-1, immediately followed by ';' or CRLF (no "0x", sign,
// underscore or whitespace, not even the BWS the RFC grammar allows before ';'). Extensions are
// checked byte-wise only (VCHAR / obs-text / SP / HTAB; any CTL, bare CR or bare LF -> 400) and
// ignored; they are capped per chunk and per body. Every line ends in CRLF exactly; chunk data
// must be followed by CRLF immediately (a longer "runaway" chunk -> 400).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace zs::http::h1 {

struct ChunkedLimits {
  uint32_t max_extension = 4 * 1024;         // extension bytes on one chunk line; over -> 400
  uint32_t max_extension_total = 64 * 1024;  // extension bytes in the whole body; over -> 400
  uint32_t max_trailer_line = 8 * 1024;      // one trailer field line, without CRLF; over -> 431
  uint32_t max_trailer_section = 64 * 1024;  // trailer lines with their CRLFs, not the blank line; over -> 431
  uint32_t max_trailers = 100;               // trailer field lines; over -> 431
  uint64_t max_body = std::numeric_limits<uint64_t>::max();  // decoded bytes; over -> 413
};

enum class ChunkStatus : uint8_t { kData, kNeedMore, kDone, kError };

struct ChunkResult {
  ChunkStatus status = ChunkStatus::kNeedMore;
  // Input bytes used by this call (framing and data). The next call must start right after.
  size_t consumed = 0;
  // kData: decoded body bytes, always the last data.size() bytes of the consumed prefix.
  std::string_view data;
  // kError: 400, 413 (max_body) or 431 (trailers), with a short static reason.
  uint16_t http_status = 0;
  std::string_view reason;
};

// One decoder per chunked body; reset() for the next. Not thread-safe.
//
// Protocol: call decode() with the bytes received after those already consumed. Each call
// returns at most one data span, so the caller loops:
//   kData:     deliver `data`, drop `consumed` bytes, call again (possibly with no new bytes).
//   kNeedMore: every byte was consumed (consumed == input.size()); call again with new bytes.
//   kDone:     the body and its trailer section ended after `consumed` bytes; what follows is
//              the next request. Later calls return kDone with consumed 0 until reset().
//   kError:    answer http_status and close; later calls repeat the error until reset().
// A chunk whose size would take decoded_total() past max_body fails before its data is read.
class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(const ChunkedLimits& limits = ChunkedLimits{});

  ChunkResult decode(std::string_view input);
  void reset();

  // Body bytes announced by the chunk sizes seen so far, including data not yet delivered.
  uint64_t decoded_total() const { return total_; }
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State : uint8_t {
    kSizeStart,     // first HEXDIG of a chunk-size
    kSize,          // further HEXDIG, ';' or CR
    kExtension,     // inside chunk extensions, until CR
    kSizeLf,        // LF ending the chunk-size line
    kData,          // remaining_ bytes of chunk data
    kDataCr,        // CR after chunk data
    kDataLf,        // LF after chunk data
    kTrailerStart,  // start of a trailer field line, or CR of the final CRLF
    kTrailerName,   // field-name until ':'
    kTrailerValue,  // field-value until CR
    kTrailerLf,     // LF ending a trailer line
    kFinalLf,       // LF of the blank line ending the message
    kDone,
    kError,
  };

  ChunkResult fail(uint16_t status, std::string_view reason);
  bool fail_step(uint16_t status, std::string_view reason);
  // Consumes one framing byte; returns false after recording an error.
  bool step(char c);
  bool step_size(char c);
  bool step_trailer(char c);

  ChunkedLimits limits_;
  State state_ = State::kSizeStart;
  uint8_t digits_ = 0;
  uint64_t size_ = 0;       // chunk-size being parsed
  uint64_t remaining_ = 0;  // data bytes left in the current chunk
  uint64_t total_ = 0;
  uint32_t extension_ = 0;        // extension bytes on the current chunk line
  uint64_t extension_total_ = 0;
  uint32_t trailer_line_ = 0;     // bytes of the current trailer line
  uint32_t trailer_section_ = 0;  // bytes of the trailer section so far
  uint32_t trailers_ = 0;
  ChunkResult error_;
};

}  // namespace zs::http::h1
