// Implementation of listener.hh.
#include "server/listener.hh"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace zs::server {
namespace {

constexpr int kBacklog = 4096;

std::string errno_text() { return strerror(errno); }

bool parse_port(std::string_view s, uint16_t& port) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || v > 65535) return false;
  port = static_cast<uint16_t>(v);
  return true;
}

Result<int> open_one(const ListenAddress& where, uint16_t port_override) {
  sockaddr_storage addr = where.addr;
  if (port_override != 0) {
    if (addr.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(port_override);
    else reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port = htons(port_override);
  }
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error("socket: " + errno_text());
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  // Accepted sockets inherit TCP_NODELAY: a response leaves in as few sends as we can make it,
  // so Nagle would only add delay.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (addr.ss_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), where.addr_len) < 0) {
    std::string msg = "bind: " + errno_text();
    close(fd);
    return Error(msg);
  }
  if (listen(fd, kBacklog) < 0) {
    std::string msg = "listen: " + errno_text();
    close(fd);
    return Error(msg);
  }
  return fd;
}

}  // namespace

Result<ListenAddress> parse_listen_address(const std::string& text) {
  ListenAddress out;
  std::string_view s = text;
  if (s.starts_with("fd:")) {
    int fd = -1;
    std::string_view n = s.substr(3);
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), fd);
    if (ec != std::errc() || p != n.data() + n.size() || n.empty() || fd < 0)
      return Error("'" + text + "': expected fd:N with N >= 0");
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0)
      return Error("'" + text + "': not a socket: " + errno_text());
    if (!listening) return Error("'" + text + "': socket is not listening");
    out.inherited = true;
    out.inherited_fd = fd;
    return out;
  }
  std::string host;
  uint16_t port = 0;
  if (s.starts_with("[")) {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
      return Error("'" + text + "': expected [IPv6]:PORT");
    host = std::string(s.substr(1, close - 1));
    if (!parse_port(s.substr(close + 2), port)) return Error("'" + text + "': bad port");
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&out.addr);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(port);
    if (inet_pton(AF_INET6, host.c_str(), &a6->sin6_addr) != 1)
      return Error("'" + text + "': '" + host + "' is not an IPv6 address");
    out.addr_len = sizeof(sockaddr_in6);
    return out;
  }
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return Error("'" + text + "': expected IP:PORT or fd:N");
  host = std::string(s.substr(0, colon));
  if (!parse_port(s.substr(colon + 1), port)) return Error("'" + text + "': bad port");
  auto* a4 = reinterpret_cast<sockaddr_in*>(&out.addr);
  a4->sin_family = AF_INET;
  a4->sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &a4->sin_addr) != 1)
    return Error("'" + text + "': '" + host + "' is not an IPv4 address (IPv6 goes in brackets)");
  out.addr_len = sizeof(sockaddr_in);
  return out;
}

Result<std::vector<int>> open_listeners(const ListenAddress& where, unsigned count) {
  std::vector<int> fds;
  if (where.inherited) {
    int one = 1;
    setsockopt(where.inherited_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fds.assign(count, where.inherited_fd);
    return fds;
  }
  uint16_t port = 0;
  for (unsigned i = 0; i < count; ++i) {
    auto fd = open_one(where, port);
    if (!fd) {
      for (int f : fds) close(f);
      return fd.error();
    }
    fds.push_back(*fd);
    if (i == 0) {  // with port 0 the kernel chose: every other worker must join that port
      sockaddr_storage bound{};
      socklen_t len = sizeof bound;
      getsockname(*fd, reinterpret_cast<sockaddr*>(&bound), &len);
      port = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                              : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
    }
  }
  return fds;
}

std::string describe_bound_address(int fd) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (fd < 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) < 0) return "?";
  char ip[INET6_ADDRSTRLEN] = "?";
  if (a.ss_family == AF_INET) {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&a);
    inet_ntop(AF_INET, &a4->sin_addr, ip, sizeof ip);
    return std::string(ip) + ":" + std::to_string(ntohs(a4->sin_port));
  }
  auto* a6 = reinterpret_cast<sockaddr_in6*>(&a);
  inet_ntop(AF_INET6, &a6->sin6_addr, ip, sizeof ip);
  return "[" + std::string(ip) + "]:" + std::to_string(ntohs(a6->sin6_port));
}

}  // namespace zs::server
