// Implementation of flags.hh: the flag table, then the parser that walks it.
#include "cli/flags.hh"

#include <charconv>
#include <cstdint>
#include <functional>
#include <string_view>

#include "http/request.hh"

namespace zs::cli {
namespace {

using Apply = std::function<Result<void>(Invocation&, std::string_view value)>;

struct Flag {
  std::string_view name;        // without the leading "--"
  std::string_view value_name;  // "" for switches
  std::string_view help;
  Apply apply;
};

Result<uint64_t> positive(std::string_view flag, std::string_view v, uint64_t max) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || v.empty())
    return Error("--" + std::string(flag) + ": '" + std::string(v) + "' is not a number");
  if (n == 0) return Error("--" + std::string(flag) + ": value must be greater than zero");
  if (n > max) return Error("--" + std::string(flag) + ": value must be at most " + std::to_string(max));
  return n;
}

// A flag that sets a positive integer field through `set`.
Flag number_flag(std::string_view name, std::string_view value_name, std::string_view help, uint64_t max,
                 std::function<void(Invocation&, uint64_t)> set) {
  return Flag{name, value_name, help, [name, max, set](Invocation& inv, std::string_view v) -> Result<void> {
                auto n = positive(name, v, max);
                if (!n) return n.error();
                set(inv, *n);
                return {};
              }};
}

// The table, in the order --help prints it.
const std::vector<Flag>& flags() {
  static const std::vector<Flag> table = {
      {"addr", "ADDR", "HTTP listener: IP:PORT, [IPv6]:PORT, or fd:N for an inherited socket (default 0.0.0.0:8080; port 0 picks a free port)",
       [](Invocation& inv, std::string_view v) -> Result<void> { inv.serve.addr = v; return {}; }},
      {"tls-addr", "ADDR", "HTTPS listener (TLS 1.3): IP:PORT, [IPv6]:PORT or fd:N; needs --cert/--key or --cert-dir",
       [](Invocation& inv, std::string_view v) -> Result<void> { inv.serve.tls.addr = v; return {}; }},
      {"cert", "FILE", "PEM certificate chain for HTTPS (with --key)",
       [](Invocation& inv, std::string_view v) -> Result<void> { inv.serve.tls.cert = v; return {}; }},
      {"key", "FILE", "PEM private key for --cert",
       [](Invocation& inv, std::string_view v) -> Result<void> { inv.serve.tls.key = v; return {}; }},
      {"cert-dir", "DIR", "every PEM certificate and key in DIR, paired by public key, chosen by SNI (default.pem is the default)",
       [](Invocation& inv, std::string_view v) -> Result<void> { inv.serve.tls.cert_dir = v; return {}; }},
      {"allow-tls12", "", "also accept TLS 1.2 clients (ECDHE with AEAD ciphers only)",
       [](Invocation& inv, std::string_view) -> Result<void> { inv.serve.tls.allow_tls12 = true; return {}; }},
      {"validate-hostnames", "LIST", "comma-separated host names; requests for any other host get 421 (repeatable)",
       [](Invocation& inv, std::string_view v) -> Result<void> {
         while (!v.empty()) {
           size_t comma = v.find(',');
           std::string_view name = v.substr(0, comma);
           while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
           while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
           if (!name.empty()) inv.serve.connection.valid_hostnames.emplace_back(http::host_of(name));
           v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
         }
         return {};
       }},
      number_flag("h2-stream-window-kb", "KB", "HTTP/2 per-stream receive window (default 512)", 1u << 21,
                  [](Invocation& inv, uint64_t n) { inv.serve.connection.h2.stream_window = static_cast<uint32_t>(n * 1024); }),
      number_flag("h2-connection-window-kb", "KB", "HTTP/2 connection receive window (default 1024)", 1u << 21,
                  [](Invocation& inv, uint64_t n) { inv.serve.connection.h2.connection_window = static_cast<uint32_t>(n * 1024); }),
      number_flag("threads", "N", "worker threads, each with its own io_uring loop and listener (default: number of CPUs)", 1024,
                  [](Invocation& inv, uint64_t n) { inv.serve.threads = static_cast<unsigned>(n); }),
      {"index", "NAME", "directory index document, a plain file name (default index.html)",
       [](Invocation& inv, std::string_view v) -> Result<void> {
         // A name inside each directory: a path would let lookups reach other directories.
         if (v == "." || v == ".." || v.find_first_of(std::string_view("/\\\0", 3)) != std::string_view::npos)
           return Error("--index: '" + std::string(v) + "' must be a plain file name (no '/', '.' or '..')");
         inv.serve.index = v.empty() ? "index.html" : std::string(v);
         return {};
       }},
      {"try-html", "", "on a miss, also try <path>.html",
       [](Invocation& inv, std::string_view) -> Result<void> { inv.serve.try_html = true; return {}; }},
      number_flag("chunk-size", "BYTES", "file bodies are read and sent in pieces of this size (default 65536, at least 1024)", 64u << 20,
                  [](Invocation& inv, uint64_t n) { inv.serve.connection.chunk_size = n < 1024 ? 1024 : n; }),
      {"disable-request-logging", "", "do not write an access-log line per request to stderr",
       [](Invocation& inv, std::string_view) -> Result<void> { inv.serve.request_logging = false; return {}; }},
      {"reload-signal-file", "FILE", "poll FILE every second; a change of its content reloads like SIGHUP",
       [](Invocation& inv, std::string_view v) -> Result<void> { inv.serve.reload_signal_file = v; return {}; }},
      number_flag("header-timeout-ms", "MS", "time allowed to receive a whole request head (default 15000)", 3'600'000,
                  [](Invocation& inv, uint64_t n) { inv.serve.connection.timeouts.header_ms = static_cast<int64_t>(n); }),
      number_flag("keepalive-timeout-ms", "MS", "idle time allowed between requests on a connection (default 60000)", 3'600'000,
                  [](Invocation& inv, uint64_t n) { inv.serve.connection.timeouts.keepalive_ms = static_cast<int64_t>(n); }),
      number_flag("body-timeout-ms", "MS", "time allowed without progress while reading a request body (default 30000)", 3'600'000,
                  [](Invocation& inv, uint64_t n) { inv.serve.connection.timeouts.body_ms = static_cast<int64_t>(n); }),
      number_flag("write-timeout-ms", "MS", "time allowed without progress while sending a response (default 30000)", 3'600'000,
                  [](Invocation& inv, uint64_t n) { inv.serve.connection.timeouts.write_ms = static_cast<int64_t>(n); }),
      number_flag("shutdown-timeout-ms", "MS", "on SIGTERM, time in-flight requests get to finish (default 10000)", 3'600'000,
                  [](Invocation& inv, uint64_t n) { inv.serve.shutdown_timeout_ms = static_cast<int64_t>(n); }),
      number_flag("max-request-body-kb", "KB", "largest request body accepted; larger ones get 413 (default 1024)", 1u << 30,
                  [](Invocation& inv, uint64_t n) {
                    inv.serve.connection.max_request_body = n * 1024;
                    inv.serve.connection.h2.max_request_body = n * 1024;
                  }),
      {"plugin", "LIST", "comma-separated scripts (.o or .c) or site tarballs whose scripts run before the site's own, in order (repeatable)",
       [](Invocation& inv, std::string_view v) -> Result<void> {
         while (!v.empty()) {
           size_t comma = v.find(',');
           if (std::string_view p = v.substr(0, comma); !p.empty()) inv.serve.plugins.emplace_back(p);
           v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
         }
         return {};
       }},
      {"plugin-dir", "DIR", "a directory in the site layout whose .zeroserve/scripts/ (.o or .c) run after --plugin ones (repeatable)",
       [](Invocation& inv, std::string_view v) -> Result<void> { inv.serve.plugin_dirs.emplace_back(v); return {}; }},
      {"preempt-timer-interval-ms", "MS", "a script's time slice before it yields to other requests (default 2; 0 turns preemption off, for benchmarks only)",
       [](Invocation& inv, std::string_view v) -> Result<void> {
         if (v == "0") {
           inv.serve.preempt_interval_ms = 0;
           return {};
         }
         auto n = positive("preempt-timer-interval-ms", v, 10'000);
         if (!n) return n.error();
         inv.serve.preempt_interval_ms = static_cast<int64_t>(*n);
         return {};
       }},
      number_flag("max-buffered-body-size-kb", "KB", "request bodies up to this size are readable by scripts (default 256)", 1u << 20,
                  [](Invocation& inv, uint64_t n) { inv.serve.max_buffered_body = n * 1024; }),
      number_flag("max-request-external-memory-footprint-kb", "KB", "host memory one script run may hold in JSON values (default 256)", 1u << 20,
                  [](Invocation& inv, uint64_t n) { inv.serve.max_script_memory = n * 1024; }),
      {"pack", "DIR", "write a site tarball of DIR to stdout (deterministic: sorted entries; .zeroserve/scripts/*.c compiled with clang) and exit",
       [](Invocation& inv, std::string_view v) -> Result<void> { inv.command = Command::kPack; inv.pack_dir = v; return {}; }},
      {"dump-sdk", "", "print the C SDK header scripts include (zeroserve.h) and exit",
       [](Invocation& inv, std::string_view) -> Result<void> { inv.command = Command::kDumpSdk; return {}; }},
      {"manual", "", "print the user manual and exit",
       [](Invocation& inv, std::string_view) -> Result<void> { inv.command = Command::kManual; return {}; }},
      {"help", "", "print this help and exit",
       [](Invocation& inv, std::string_view) -> Result<void> { inv.command = Command::kHelp; return {}; }},
      {"version", "", "print the version and exit",
       [](Invocation& inv, std::string_view) -> Result<void> { inv.command = Command::kVersion; return {}; }},
  };
  return table;
}

// Flags of the reference server that this build does not implement yet: named, so a deployment
// that uses one fails with a clear message instead of "unknown flag".
constexpr std::string_view kNotYet[] = {
    "acme-dir", "ech-key",
    "expose-filesystem", "enable-proxy-protocol", "enable-http-proxy-protocol",
    "enable-https-proxy-protocol", "disable-ns-isolation", "enable-netns-isolation",
    "sqpoll-idle-ms", "max-rate-limit-buckets",
    "script-code-size-limit-kb",
    "ebpf-compiler", "caddy", "caddy-compile", "adapt-caddyfile",
    "gen-ech-key"};

}  // namespace

Result<Invocation> parse_args(const std::vector<std::string>& args) {
  Invocation inv;
  std::vector<std::string> positional;
  bool explicit_command = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (!a.starts_with("--") || a == "--") {
      if (a == "--") {
        for (++i; i < args.size(); ++i) positional.push_back(args[i]);
        break;
      }
      positional.emplace_back(a);
      continue;
    }
    std::string_view name = a.substr(2);
    std::string_view inline_value;
    bool has_inline = false;
    if (size_t eq = name.find('='); eq != std::string_view::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_inline = true;
    }
    const Flag* flag = nullptr;
    for (const Flag& f : flags())
      if (f.name == name) flag = &f;
    if (flag == nullptr) {
      for (std::string_view n : kNotYet)
        if (n == name) return Error("--" + std::string(name) + " is not supported by this build of zeroserve yet");
      return Error("unknown flag --" + std::string(name) + " (see --help)");
    }
    std::string_view value;
    if (!flag->value_name.empty()) {
      if (has_inline) {
        value = inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return Error("--" + std::string(name) + " needs a value (" + std::string(flag->value_name) + ")");
      }
    } else if (has_inline) {
      return Error("--" + std::string(name) + " takes no value");
    }
    Command before = inv.command;
    if (auto r = flag->apply(inv, value); !r) return r.error();
    if (inv.command != before) {
      if (explicit_command && before != Command::kServe)
        return Error("--" + std::string(name) + " cannot be combined with another command flag");
      explicit_command = true;
    }
  }
  if (inv.command == Command::kHelp || inv.command == Command::kVersion) return inv;
  if (inv.command == Command::kPack || inv.command == Command::kManual || inv.command == Command::kDumpSdk) {
    if (!positional.empty())
      return Error("'" + positional[0] + "': no site argument is taken with --" +
                   (inv.command == Command::kPack ? "pack" : inv.command == Command::kManual ? "manual" : "dump-sdk"));
    return inv;
  }
  const server::TlsOptions& tls = inv.serve.tls;
  const bool any_tls = !tls.cert.empty() || !tls.key.empty() || !tls.cert_dir.empty() || tls.allow_tls12;
  if (any_tls && !tls.enabled()) return Error("--tls-addr is required when enabling TLS");
  if (!tls.cert_dir.empty() && (!tls.cert.empty() || !tls.key.empty()))
    return Error("--cert-dir cannot be combined with --cert/--key");
  if (tls.cert.empty() != tls.key.empty()) return Error("--cert and --key must be given together");
  if (tls.enabled() && tls.cert.empty() && tls.cert_dir.empty())
    return Error("--tls-addr needs a certificate: --cert FILE --key FILE, or --cert-dir DIR");
  if (positional.empty()) return Error("missing SITE_TAR argument (see --help)");
  if (positional.size() > 1) return Error("unexpected argument '" + positional[1] + "': only one site is served");
  inv.serve.site_path = positional[0];
  return inv;
}

std::string help_text() {
  std::string out =
      "zeroserve: a small, fast, zero-config web server; a site is one tar file.\n\n"
      "Usage:\n"
      "  zeroserve [OPTIONS] SITE_TAR     serve a site tarball\n"
      "  zeroserve [OPTIONS] SCRIPT.c     serve a standalone script (or SCRIPT.o), no static files\n"
      "  zeroserve --pack DIR > site.tar  pack a directory into a site tarball\n\n"
      "Signals: SIGHUP re-reads SITE_TAR and the scripts (anything bad is rejected and the old\n"
      "site stays);\n"
      "SIGTERM/SIGINT stop accepting, finish in-flight requests, and exit 0.\n\n"
      "Options:\n";
  for (const Flag& f : flags()) {
    std::string left = "  --" + std::string(f.name);
    if (!f.value_name.empty()) left += " " + std::string(f.value_name);
    if (left.size() < 30) left.resize(30, ' ');
    else left += "\n" + std::string(30, ' ');
    out += left + std::string(f.help) + "\n";
  }
  return out;
}

}  // namespace zs::cli
