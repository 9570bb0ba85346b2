// Test drivers for the HTTP/1.1 head parser: one-shot, split at given positions, and
// byte-at-a-time feeding, each reduced to an owning Outcome that compares by value.
// Split feeding copies the buffer to a fresh allocation on every call to prove the parser keeps
// offsets, not pointers (ASan turns a stale pointer into a failure).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/h1/parser.hh"

namespace zs::http::h1::testing {

struct Outcome {
  ParseStatus status = ParseStatus::kNeedMore;
  size_t consumed = 0;
  uint16_t http_status = 0;
  std::string reason;
  // Copied from RequestHead when status == kDone.
  Method method = Method::kOther;
  std::string method_token, target, path, authority, host;
  bool has_host = false;
  TargetForm form = TargetForm::kOrigin;
  Version version = Version::kHttp11;
  BodyFraming body = BodyFraming::kNone;
  uint64_t content_length = 0;
  bool keep_alive = false;
  bool expect_continue = false;
  std::vector<std::pair<std::string, std::string>> headers;

  bool operator==(const Outcome&) const = default;
};

// Names a parameterized test after its row (gtest names allow [A-Za-z0-9_]).
struct RowName {
  template <typename Param>
  std::string operator()(const ::testing::TestParamInfo<Param>& p) const {
    return p.param.name;
  }
};

inline std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  os << "{status=" << int(o.status) << " consumed=" << o.consumed << " http=" << o.http_status
     << " reason='" << o.reason << "' target='" << o.target << "' body=" << int(o.body)
     << " cl=" << o.content_length << " ka=" << o.keep_alive << " headers=" << o.headers.size()
     << "}";
  return os;
}

// True when `v` is empty or lies entirely inside [base, base + size).
inline bool view_inside(std::string_view v, const char* base, size_t size) {
  return v.empty() || (v.data() >= base && v.data() + v.size() <= base + size);
}

// Converts a result (and, when done, the head) into an Outcome; checks every view of a done
// head lies inside the consumed bytes of `buf`.
inline Outcome to_outcome(const ParseResult& r, const RequestHead& h, std::string_view buf) {
  Outcome o;
  o.status = r.status;
  o.consumed = r.consumed;
  o.http_status = r.http_status;
  o.reason = std::string(r.reason);
  if (r.status != ParseStatus::kDone) return o;
  EXPECT_LE(r.consumed, buf.size());
  const char* base = buf.data();
  for (std::string_view v : {h.method_token, h.target, h.path, h.authority, h.host}) {
    EXPECT_TRUE(view_inside(v, base, r.consumed)) << "view escapes the head: " << v;
  }
  o.method = h.method;
  o.method_token = std::string(h.method_token);
  o.target = std::string(h.target);
  o.path = std::string(h.path);
  o.authority = std::string(h.authority);
  o.host = std::string(h.host);
  o.has_host = h.has_host;
  o.form = h.target_form;
  o.version = h.version;
  o.body = h.body;
  o.content_length = h.content_length;
  o.keep_alive = h.keep_alive;
  o.expect_continue = h.expect_continue;
  for (const Header& f : h.fields()) {
    EXPECT_TRUE(view_inside(f.name, base, r.consumed) && view_inside(f.value, base, r.consumed));
    o.headers.emplace_back(std::string(f.name), std::string(f.value));
  }
  return o;
}

inline Outcome parse_once(std::string_view bytes, const Limits& limits = Limits{}) {
  Parser parser(limits);
  RequestHead head;
  const std::string buf(bytes);
  return to_outcome(parser.parse(buf, head), head, buf);
}

// Feeds `bytes` in pieces ending at each of `cuts` (ascending) and then at bytes.size(),
// each call on a freshly allocated copy of everything received so far.
inline Outcome parse_split(std::string_view bytes, const std::vector<size_t>& cuts,
                           const Limits& limits = Limits{}) {
  Parser parser(limits);
  RequestHead head;
  std::vector<size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (size_t end : ends) {
    const std::string buf(bytes.substr(0, end));  // a new allocation each time: the buffer moves
    const ParseResult r = parser.parse(buf, head);
    if (r.status != ParseStatus::kNeedMore) return to_outcome(r, head, buf);
  }
  return Outcome{};
}

// Feeds one byte per call; reports the result and the buffered size at which it was decided.
// Large inputs grow one buffer in place (copying each time would be quadratic).
inline std::pair<Outcome, size_t> parse_bytewise(std::string_view bytes,
                                                 const Limits& limits = Limits{}) {
  Parser parser(limits);
  RequestHead head;
  std::string grow;
  grow.reserve(bytes.size());
  const bool move_buffer = bytes.size() <= 4096;
  for (size_t n = 1; n <= bytes.size(); ++n) {
    ParseResult r;
    if (move_buffer) {
      const std::string buf(bytes.substr(0, n));
      r = parser.parse(buf, head);
      if (r.status != ParseStatus::kNeedMore) return {to_outcome(r, head, buf), n};
    } else {
      grow.push_back(bytes[n - 1]);
      r = parser.parse(grow, head);
      if (r.status != ParseStatus::kNeedMore) return {to_outcome(r, head, grow), n};
    }
  }
  return {Outcome{}, bytes.size()};
}

}  // namespace zs::http::h1::testing
