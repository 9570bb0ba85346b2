// libFuzzer target for the HTTP/1.1 head parser and the chunked body decoder. The input is raw
// request bytes (seeds are plain requests). Checked invariants: consumed <= size, every view
// inside the consumed head, statuses from the documented set, and the same verdict whether the
// bytes arrive at once, in hash-chosen pieces, or one by one (buffer moved on every call).
// A chunked body after a complete head, and the whole input as a chunked body, are decoded too.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "http/h1/chunked.hh"
#include "http/h1/parser.hh"

namespace {

using namespace zs::http;
using namespace zs::http::h1;

#define FUZZ_CHECK(cond)                                                      \
  do {                                                                        \
    if (!(cond)) {                                                            \
      std::fprintf(stderr, "fuzz_h1_request: check failed: %s (line %d)\n", #cond, __LINE__); \
      std::abort();                                                           \
    }                                                                         \
  } while (0)

// Everything observable about one parse, copied out of the (moving) buffer.
struct Snapshot {
  ParseStatus status = ParseStatus::kNeedMore;
  size_t consumed = 0;
  uint16_t http_status = 0;
  std::string reason;
  BodyFraming body = BodyFraming::kNone;
  std::string summary;  // method, target, path, authority, host, framing, fields
  bool operator==(const Snapshot&) const = default;
};

bool inside(std::string_view v, std::string_view buf, size_t n) {
  return v.empty() || (v.data() >= buf.data() && v.data() + v.size() <= buf.data() + n);
}

Snapshot snapshot(const ParseResult& r, const RequestHead& h, std::string_view buf) {
  Snapshot s;
  s.status = r.status;
  s.consumed = r.consumed;
  s.http_status = r.http_status;
  s.reason = std::string(r.reason);
  FUZZ_CHECK(r.consumed <= buf.size());
  if (r.status == ParseStatus::kError) {
    const uint16_t st = r.http_status;
    FUZZ_CHECK(st == 400 || st == 413 || st == 414 || st == 417 || st == 431 || st == 501 ||
               st == 505);
    FUZZ_CHECK(!r.reason.empty());
  }
  if (r.status != ParseStatus::kDone) return s;
  FUZZ_CHECK(r.consumed >= 4);  // at least a CRLF-terminated request line and a blank line
  FUZZ_CHECK(h.header_count <= kMaxHeaders);
  for (std::string_view v : {h.method_token, h.target, h.path, h.authority, h.host}) {
    FUZZ_CHECK(inside(v, buf, r.consumed));
    s.summary.append(v).push_back('\x1f');
  }
  FUZZ_CHECK(!h.method_token.empty() && !h.target.empty());
  FUZZ_CHECK(h.body != BodyFraming::kChunked || h.version == Version::kHttp11);
  s.body = h.body;
  s.summary += std::to_string(h.content_length);
  s.summary += h.keep_alive ? 'K' : 'k';
  s.summary += h.expect_continue ? 'E' : 'e';
  for (const Header& f : h.fields()) {
    FUZZ_CHECK(inside(f.name, buf, r.consumed) && inside(f.value, buf, r.consumed));
    FUZZ_CHECK(!f.name.empty());
    s.summary.append(f.name).push_back(':');
    s.summary.append(f.value).push_back('\x1e');
  }
  return s;
}

// Feeds the prefixes ending at `ends` (ascending, last == size), each in a fresh allocation.
Snapshot parse_pieces(std::string_view in, const std::vector<size_t>& ends, const Limits& lim) {
  Parser parser(lim);
  RequestHead head;
  for (size_t end : ends) {
    const std::string buf(in.substr(0, end));
    const ParseResult r = parser.parse(buf, head);
    if (r.status != ParseStatus::kNeedMore) return snapshot(r, head, buf);
  }
  return Snapshot{};
}

struct Body {
  ChunkStatus status = ChunkStatus::kNeedMore;
  std::string data;
  size_t consumed = 0;
  uint16_t http_status = 0;
  bool operator==(const Body&) const = default;
};

// Decodes `in` as a chunked body, delivered in pieces ending at `ends`.
Body decode_pieces(std::string_view in, const std::vector<size_t>& ends) {
  ChunkedLimits lim;
  lim.max_body = 1 << 20;
  ChunkedDecoder decoder(lim);
  Body out;
  std::string pending;
  size_t fed = 0;
  for (size_t end : ends) {
    pending.append(in.substr(fed, end - fed));
    fed = end;
    while (true) {
      const std::string buf = pending;
      const ChunkResult r = decoder.decode(buf);
      FUZZ_CHECK(r.consumed <= buf.size());
      if (r.status == ChunkStatus::kError) {
        FUZZ_CHECK(r.http_status == 400 || r.http_status == 413 || r.http_status == 431);
        out.status = r.status;
        out.http_status = r.http_status;
        out.consumed = 0;  // depends on where the failing call started
        return out;
      }
      out.consumed += r.consumed;
      pending.erase(0, r.consumed);
      if (r.status == ChunkStatus::kDone) {
        out.status = r.status;
        FUZZ_CHECK(decoder.decoded_total() == out.data.size());
        return out;
      }
      if (r.status == ChunkStatus::kNeedMore) {
        FUZZ_CHECK(r.consumed == buf.size());
        break;
      }
      FUZZ_CHECK(!r.data.empty() && r.data.data() + r.data.size() == buf.data() + r.consumed);
      out.data.append(r.data);
      FUZZ_CHECK(out.data.size() <= decoder.decoded_total());
    }
  }
  return out;
}

uint64_t hash(std::string_view s) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Split plans: whole, a few hash-chosen cuts, and (for small inputs) every byte.
std::vector<std::vector<size_t>> plans(size_t n, uint64_t seed) {
  std::vector<std::vector<size_t>> out;
  out.push_back({n});
  std::vector<size_t> cuts;
  for (int i = 0; i < 4 && n > 0; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    cuts.push_back(size_t(seed >> 33) % (n + 1));
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.push_back(n);
  out.push_back(cuts);
  if (n <= 1024) {
    std::vector<size_t> bytes;
    for (size_t i = 1; i <= n; ++i) bytes.push_back(i);
    out.push_back(bytes);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const uint64_t seed = hash(in);
  Limits lim;
  if (seed % 4 == 0) {  // tiny limits so the fuzzer reaches every limit quickly
    lim.max_request_line = 64;
    lim.max_field_line = 48;
    lim.max_head = 256;
    lim.max_headers = 4;
    lim.max_content_length = 1000;
  }
  const auto split_plans = plans(size, seed);
  const Snapshot once = parse_pieces(in, split_plans[0], lim);
  for (size_t i = 1; i < split_plans.size(); ++i) {
    FUZZ_CHECK(parse_pieces(in, split_plans[i], lim) == once);
  }

  // The body after a complete chunked head, and the raw input as a body.
  std::vector<std::string_view> bodies = {in};
  if (once.status == ParseStatus::kDone && once.body == BodyFraming::kChunked) {
    bodies.push_back(in.substr(once.consumed));
  }
  for (std::string_view body : bodies) {
    const auto body_plans = plans(body.size(), seed ^ body.size());
    const Body whole = decode_pieces(body, body_plans[0]);
    for (size_t i = 1; i < body_plans.size(); ++i) {
      FUZZ_CHECK(decode_pieces(body, body_plans[i]) == whole);
    }
  }
  return 0;
}
