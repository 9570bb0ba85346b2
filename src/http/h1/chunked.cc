// Chunked body decoder: a byte-at-a-time state machine for the framing (sizes, extensions,
// CRLFs, trailers) and a bulk path for chunk data, which is returned as a view without copying.
// Framing bytes are few per chunk, so the byte loop costs little; data is never looked at.
#include "http/h1/chunked.hh"

#include <algorithm>

#include "http/token.hh"

namespace zs::http::h1 {

namespace {

constexpr uint64_t kMaxChunkSize = (uint64_t{1} << 63) - 1;

constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ChunkedDecoder::ChunkedDecoder(const ChunkedLimits& limits) : limits_(limits) {}

void ChunkedDecoder::reset() { *this = ChunkedDecoder(limits_); }

ChunkResult ChunkedDecoder::fail(uint16_t status, std::string_view reason) {
  state_ = State::kError;
  error_ = ChunkResult{ChunkStatus::kError, 0, {}, status, reason};
  return error_;
}

bool ChunkedDecoder::fail_step(uint16_t status, std::string_view reason) {
  fail(status, reason);
  return false;
}

ChunkResult ChunkedDecoder::decode(std::string_view input) {
  if (state_ == State::kError) return error_;
  if (state_ == State::kDone) return ChunkResult{ChunkStatus::kDone, 0, {}, 0, {}};
  size_t i = 0;
  while (i < input.size()) {
    if (state_ == State::kData) {
      const size_t n = size_t(std::min<uint64_t>(remaining_, input.size() - i));
      remaining_ -= n;
      if (remaining_ == 0) state_ = State::kDataCr;
      return ChunkResult{ChunkStatus::kData, i + n, input.substr(i, n), 0, {}};
    }
    if (!step(input[i])) return error_;
    ++i;
    if (state_ == State::kDone) return ChunkResult{ChunkStatus::kDone, i, {}, 0, {}};
  }
  return ChunkResult{ChunkStatus::kNeedMore, i, {}, 0, {}};
}

bool ChunkedDecoder::step(char c) {
  switch (state_) {
    case State::kSizeStart:
    case State::kSize:
    case State::kExtension:
    case State::kSizeLf:
      return step_size(c);
    case State::kDataCr:
      if (c == '\r') {
        state_ = State::kDataLf;
        return true;
      }
      if (c == '\n') return fail_step(400, "chunk data ended by bare LF");
      return fail_step(400, "chunk data longer than its size");
    case State::kDataLf:
      if (c != '\n') return fail_step(400, "bare CR after chunk data");
      state_ = State::kSizeStart;
      return true;
    default:
      return step_trailer(c);
  }
}

// chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; last-chunk = 1*"0" [ chunk-ext ] CRLF
// (RFC 9112 §7.1, §7.1.1).
bool ChunkedDecoder::step_size(char c) {
  switch (state_) {
    case State::kSizeStart:
    case State::kSize: {
      const int v = hex_value(c);
      if (v >= 0) {
        // Refuse before the shift could lose bits; 16 digits is the most a u64 can need.
        if (digits_ == 16 || size_ > (kMaxChunkSize >> 4)) {
          return fail_step(400, "chunk size overflow");
        }
        size_ = (size_ << 4) | uint64_t(v);
        ++digits_;
        state_ = State::kSize;
        return true;
      }
      if (state_ == State::kSizeStart) return fail_step(400, "invalid chunk size");
      if (c == ';') {
        extension_ = 0;
        state_ = State::kExtension;
        return true;
      }
      if (c == '\r') {
        state_ = State::kSizeLf;
        return true;
      }
      if (c == '\n') return fail_step(400, "bare LF after chunk size");
      return fail_step(400, "invalid chunk size");
    }
    case State::kExtension:
      if (c == '\r') {
        state_ = State::kSizeLf;
        return true;
      }
      if (c == '\n') return fail_step(400, "bare LF in chunk extension");
      if (!is_field_value_char(c)) return fail_step(400, "invalid character in chunk extension");
      // CVE-2023-39326 class: extensions are overhead the application never sees, so they are
      // capped per chunk and per body.
      if (++extension_ > limits_.max_extension || ++extension_total_ > limits_.max_extension_total) {
        return fail_step(400, "chunk extensions too long");
      }
      return true;
    case State::kSizeLf:
      if (c != '\n') return fail_step(400, "bare CR in chunk size line");
      if (size_ == 0) {
        state_ = State::kTrailerStart;
        return true;
      }
      if (size_ > limits_.max_body - std::min(total_, limits_.max_body)) {
        return fail_step(413, "chunked body over the body limit");
      }
      total_ += size_;
      remaining_ = size_;
      size_ = 0;
      digits_ = 0;
      state_ = State::kData;
      return true;
    default:
      return false;
  }
}

// trailer-section = *( field-line CRLF ) CRLF (RFC 9112 §7.1.2); checked like head fields,
// then dropped.
bool ChunkedDecoder::step_trailer(char c) {
  const bool blank_line = state_ == State::kFinalLf || (state_ == State::kTrailerStart && c == '\r');
  if (!blank_line && ++trailer_section_ > limits_.max_trailer_section) {
    return fail_step(431, "trailer section too large");
  }
  switch (state_) {
    case State::kTrailerStart:
      if (c == '\r') {
        state_ = State::kFinalLf;
        return true;
      }
      if (c == ' ' || c == '\t') return fail_step(400, "obs-fold in trailer section");
      if (c == '\n') return fail_step(400, "bare LF in trailer section");
      if (!is_tchar(c)) return fail_step(400, "invalid character in trailer field name");
      if (trailers_ == limits_.max_trailers) return fail_step(431, "too many trailer fields");
      ++trailers_;
      trailer_line_ = 1;
      state_ = State::kTrailerName;
      return true;
    case State::kTrailerName:
    case State::kTrailerValue:
      if (state_ == State::kTrailerValue && c == '\r') {
        state_ = State::kTrailerLf;
        return true;
      }
      if (++trailer_line_ > limits_.max_trailer_line) {
        return fail_step(431, "trailer field line too long");
      }
      if (state_ == State::kTrailerName) {
        if (c == ':') {
          state_ = State::kTrailerValue;
          return true;
        }
        if (c == ' ' || c == '\t') return fail_step(400, "whitespace before colon in trailer");
        if (!is_tchar(c)) return fail_step(400, "invalid character in trailer field name");
        return true;
      }
      if (!is_field_value_char(c)) return fail_step(400, "invalid character in trailer field");
      return true;
    case State::kTrailerLf:
      if (c != '\n') return fail_step(400, "bare CR in trailer section");
      state_ = State::kTrailerStart;
      return true;
    case State::kFinalLf:
      if (c != '\n') return fail_step(400, "bare CR at end of chunked body");
      state_ = State::kDone;
      return true;
    default:
      return false;
  }
}

}  // namespace zs::http::h1
