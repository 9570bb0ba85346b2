// Implementation of snapshot.hh.
#include "server/snapshot.hh"

#include <sys/mman.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "server/script_loader.hh"
#include "tls/certificates.hh"

namespace zs::server {

Snapshot::~Snapshot() {
  if (mapping != nullptr) munmap(const_cast<char*>(mapping), mapping_size);
}

namespace {

Result<std::shared_ptr<const tls::Context>> load_tls(const TlsOptions& opts,
                                                     std::shared_ptr<const tls::TicketKeyRing> keys) {
  const std::time_t now = std::time(nullptr);
  auto certs = opts.cert_dir.empty() ? tls::load_certificate_pair(opts.cert, opts.key, now)
                                     : tls::load_certificate_dir(opts.cert_dir, now);
  if (!certs) return certs.error();
  tls::ContextOptions copts;
  copts.allow_tls12 = opts.allow_tls12;
  copts.alpn = {"h2", "http/1.1"};
  copts.ticket_keys = std::move(keys);
  return tls::Context::build(*certs, std::move(copts));
}

}  // namespace

void Snapshot::load_small_files() {
  uint64_t total = 0;
  for (const site::Entry& e : site->files())
    if (e.size <= kSmallFileMax && !site::is_hidden_path(e.path)) total += e.size;
  small_files.reserve(std::min(total, kSmallFilesBudget));
  for (const site::Entry& e : site->files()) {
    if (e.size > kSmallFileMax || site::is_hidden_path(e.path)) continue;
    if (small_files.size() + e.size > kSmallFilesBudget) break;  // the rest is read per request
    const size_t at = small_files.size();
    small_files.resize(at + e.size);
    size_t done = 0;
    while (done < e.size) {
      ssize_t n = pread(site->fd(), small_files.data() + at + done, e.size - done, static_cast<off_t>(e.offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    if (done != e.size) {  // unreadable now: leave it to the per-request path, which reports it
      small_files.resize(at);
      continue;
    }
    small_index.emplace(&e, at);
  }
}

Result<std::shared_ptr<const Snapshot>> Snapshot::load(const ServerOptions& opts,
                                                       std::shared_ptr<const tls::TicketKeyRing> ticket_keys) {
  std::shared_ptr<const tls::Context> tls;
  if (opts.tls.enabled()) {
    auto ctx = load_tls(opts.tls, std::move(ticket_keys));
    if (!ctx) return ctx.error();
    tls = std::move(ctx).value();
  }
  const bool standalone = is_standalone_script(opts.site_path);
  auto site = standalone ? empty_site(opts.site_path) : site::Site::open(opts.site_path);
  if (!site) return site.error();
  auto scripts = load_scripts(opts, standalone ? nullptr : site->get());
  if (!scripts) return scripts.error();
  auto snap = std::make_shared<Snapshot>();
  snap->tls = std::move(tls);
  snap->site = std::move(site).value();
  if (!(*scripts)->empty()) snap->scripts = std::move(scripts).value();
  snap->load_small_files();
  if (size_t size = snap->site->file_size(); size > 0) {
    void* m = mmap(nullptr, size, PROT_READ, MAP_SHARED, snap->site->fd(), 0);
    if (m != MAP_FAILED) {
      snap->mapping = static_cast<const char*>(m);
      snap->mapping_size = size;
    }
  }
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

}  // namespace zs::server
