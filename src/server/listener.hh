// Listening sockets. `ip:port` (IPv4, or IPv6 in brackets) binds a fresh SO_REUSEPORT socket per
// worker, so the kernel spreads connections over the workers; port 0 picks a free port, and every
// worker's socket then binds that same port. `fd:N` uses an inherited listening socket
// (socket activation), shared by all workers. Runs at startup on the main thread; may block.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hh"

namespace zs::server {

struct ListenAddress {
  bool inherited = false;      // fd:N
  int inherited_fd = -1;
  sockaddr_storage addr{};     // ip:port
  socklen_t addr_len = 0;
};

// Parses "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:0" or "fd:3".
Result<ListenAddress> parse_listen_address(const std::string& text);

// One listening socket per worker (the same fd repeated for fd:N). Errors name the address.
Result<std::vector<int>> open_listeners(const ListenAddress& where, unsigned count);

// "127.0.0.1:8080" / "[::1]:8080" for the socket's bound address.
std::string describe_bound_address(int fd);

}  // namespace zs::server
