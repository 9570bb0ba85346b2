// ServerOptions: everything the server needs to run, filled by the CLI (src/cli/flags.cc) and
// validated there. Plain data; defaults are the documented defaults of `zeroserve --help`.
#pragma once

#include <cstdint>
#include <string>

#include "http/h1/connection.hh"

namespace zs::server {

// HTTPS: enabled when `addr` is set. Certificates come from one cert/key pair or a directory.
struct TlsOptions {
  std::string addr;      // ip:port, [ipv6]:port, or fd:N
  std::string cert;      // PEM chain (with key)
  std::string key;
  std::string cert_dir;  // every certificate and key in a directory, paired by public key
  bool allow_tls12 = false;

  bool enabled() const { return !addr.empty(); }
};

struct ServerOptions {
  std::string site_path;                 // the tarball to serve
  std::string addr = "0.0.0.0:8080";     // ip:port, [ipv6]:port, or fd:N
  unsigned threads = 0;                  // 0: one per CPU
  std::string index = "index.html";
  bool try_html = false;
  bool request_logging = true;
  std::string reload_signal_file;        // polled every second when set
  int64_t shutdown_timeout_ms = 10'000;  // SIGTERM: in-flight requests get this long to finish
  http::h1::ConnectionOptions connection;
  TlsOptions tls;
};

}  // namespace zs::server
