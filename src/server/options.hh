// ServerOptions: everything the server needs to run, filled by the CLI (src/cli/flags.cc) and
// validated there. Plain data; defaults are the documented defaults of `zeroserve --help`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
  // Scripts (docs/manual.md, "Scripting").
  std::vector<std::string> plugins;      // --plugin: .o, .c or site tarballs, in chain order
  std::vector<std::string> plugin_dirs;  // --plugin-dir: directories in the site layout
  int64_t preempt_interval_ms = 2;       // --preempt-timer-interval-ms: a script's time slice
  uint64_t max_buffered_body = 256 * 1024;  // --max-buffered-body-size-kb: bodies scripts can read
  uint64_t max_script_memory = 256 * 1024;  // --max-request-external-memory-footprint-kb
};

}  // namespace zs::server
