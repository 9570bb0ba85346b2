// Implementation of path.hh. One pass over the segments; the decoded and encoded stacks are
// kept in step so a '..' pops both. Errors are values: this runs on the request path.
#include "site/path.hh"

#include <vector>

#include "site/utf8.hh"

namespace zs::site {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes one segment into `out`. Mirrors the reference: "%" needs two following
// characters to be an escape at all; with two characters both must be hex.
Result<void> decode_segment(std::string_view seg, std::string& out) {
  out.clear();
  for (size_t i = 0; i < seg.size(); ++i) {
    if (seg[i] == '%' && i + 2 < seg.size()) {
      const int hi = hex_value(seg[i + 1]);
      const int lo = hex_value(seg[i + 2]);
      if (hi < 0 || lo < 0) return Error("'%' not followed by two hex digits");
      out.push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    } else {
      out.push_back(seg[i]);
    }
  }
  return {};
}

bool has_control(std::string_view s) {
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) return true;
  }
  return false;
}

struct Segment {
  std::string_view raw;  // view into the caller's input
  size_t decoded_len;    // length of this segment in `decoded`, to pop it
};

}  // namespace

Result<NormalizedPath> normalize_path(std::string_view raw) {
  if (raw.empty()) raw = "/";
  NormalizedPath out;
  out.dir_hint = raw == "/" || (raw.size() > 1 && raw.back() == '/');

  std::vector<Segment> stack;
  std::string seg_buf;
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t next = raw.find('/', pos);
    if (next == std::string_view::npos) next = raw.size();
    const std::string_view seg = raw.substr(pos, next - pos);
    pos = next + 1;
    if (seg.empty()) continue;

    if (auto r = decode_segment(seg, seg_buf); !r) return r.error();
    if (seg_buf == ".") continue;
    if (seg_buf == "..") {
      if (stack.empty()) return Error("'..' climbs above the root");
      const size_t len = stack.back().decoded_len;
      // Drop the segment and its separator (the first segment has none).
      out.decoded.resize(out.decoded.size() - len - (stack.size() > 1 ? 1 : 0));
      stack.pop_back();
      continue;
    }
    if (seg_buf.find('/') != std::string::npos) return Error("encoded '/' inside a segment");
    if (has_control(seg_buf)) return Error("NUL or control character in path");
    if (!is_valid_utf8(seg_buf)) return Error("path is not valid UTF-8");
    if (!stack.empty()) out.decoded.push_back('/');
    out.decoded += seg_buf;
    stack.push_back(Segment{seg, seg_buf.size()});
  }

  out.encoded.reserve(raw.size());
  for (const Segment& s : stack) {
    out.encoded.push_back('/');
    out.encoded.append(s.raw);
  }
  if (out.encoded.empty()) {
    out.encoded.push_back('/');  // the root
  } else if (out.dir_hint) {
    out.encoded.push_back('/');
  }
  return out;
}

}  // namespace zs::site
