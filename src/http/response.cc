// Implementation of response.hh.
#include "http/response.hh"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "http/token.hh"

namespace zs::http {

bool Response::add_header(std::string_view name, std::string_view value) {
  if (header_count_ == kMaxHeaders) return false;
  headers_[header_count_++] = {name, value};
  return true;
}

bool Response::set_header(std::string_view name, std::string_view value) {
  remove_header(name);
  return add_header(name, value);
}

void Response::remove_header(std::string_view name) {
  size_t out = 0;
  for (size_t i = 0; i < header_count_; ++i)
    if (!iequals(headers_[i].name, name)) headers_[out++] = headers_[i];
  header_count_ = out;
}

void Response::replace_headers(std::span<const ResponseHeader> headers) {
  header_count_ = std::min(headers.size(), kMaxHeaders);
  std::copy_n(headers.begin(), header_count_, headers_.begin());
}

bool Response::add_memory(std::string_view bytes) {
  if (part_count_ == kMaxParts) return false;
  if (bytes.empty()) return true;
  BodyPart& p = parts_[part_count_++];
  p = {};
  p.kind = BodyPart::Kind::kMemory;
  p.data = bytes.data();
  p.length = bytes.size();
  content_length_ += bytes.size();
  return true;
}

bool Response::add_file(int fd, uint64_t offset, uint64_t length, const char* mapped) {
  if (part_count_ == kMaxParts) return false;
  if (length == 0) return true;
  BodyPart& p = parts_[part_count_++];
  p = {};
  p.kind = BodyPart::Kind::kFile;
  p.fd = fd;
  p.offset = offset;
  p.data = mapped;
  p.length = length;
  content_length_ += length;
  return true;
}

std::string_view Response::keep(std::string_view s) {
  if (s.size() > kArenaBytes - arena_used_) return {};
  char* p = arena_ + arena_used_;
  std::memcpy(p, s.data(), s.size());
  arena_used_ += s.size();
  return {p, s.size()};
}

std::string_view Response::keep_number(uint64_t n) {
  char buf[20];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  return keep({buf, static_cast<size_t>(end - buf)});
}

void Response::clear_body_and_headers() {
  header_count_ = 0;
  part_count_ = 0;
  content_length_ = 0;
}

void Response::reset() {
  status = 200;
  close_connection = false;
  abort = false;
  pin.reset();
  clear_body_and_headers();
  arena_used_ = 0;
}

std::string_view reason_phrase(uint16_t status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

}  // namespace zs::http
