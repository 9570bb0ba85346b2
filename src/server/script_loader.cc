// Implementation of script_loader.hh.
#include "server/script_loader.hh"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/file.hh"
#include "script/compile.hh"
#include "site/tar_writer.hh"

namespace zs::server {
namespace {

namespace fs = std::filesystem;

// One .o or .c file as a script named `name`.
Result<script::ScriptSource> from_file(const std::string& path, std::string name) {
  script::ScriptSource src;
  src.name = std::move(name);
  src.origin = path;
  auto bytes = path.ends_with(".c") ? script::compile_c_script(path, path) : read_file(path);
  if (!bytes) return path.ends_with(".c") ? bytes.error().wrap(path) : bytes.error();
  src.object = std::move(bytes).value();
  return src;
}

// The compiled scripts inside a site tarball, sorted by name (the index is sorted by path).
Result<void> from_site(const site::Site& site, std::vector<script::ScriptSource>& out) {
  for (const site::Entry& e : site.files()) {
    if (!e.path.starts_with(script::kScriptsDir) || !e.path.ends_with(".o")) continue;
    script::ScriptSource src;
    src.name = e.path.substr(script::kScriptsDir.size());
    src.origin = site.name() + ": " + e.path;
    src.object.resize(e.size);
    size_t done = 0;
    while (done < e.size) {
      ssize_t n = pread(site.fd(), src.object.data() + done, e.size - done, static_cast<off_t>(e.offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Error(src.origin + ": read failed: " + (n < 0 ? strerror(errno) : "file shrank"));
      done += static_cast<size_t>(n);
    }
    out.push_back(std::move(src));
  }
  return {};
}

// DIR/.zeroserve/scripts/**/*.{o,c}, sorted by relative name; a .c and .o of one name: the .o.
Result<void> from_dir(const std::string& dir, std::vector<script::ScriptSource>& out) {
  const fs::path root = fs::path(dir) / ".zeroserve" / "scripts";
  std::error_code ec;
  if (!fs::is_directory(fs::path(dir), ec)) return Error(dir + ": not a directory");
  if (!fs::is_directory(root, ec)) return {};  // a plugin dir without scripts adds nothing
  std::vector<std::pair<std::string, std::string>> files;  // (name, path)
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string rel = fs::relative(it->path(), root, ec).generic_string();
    if (rel.ends_with(".o") || rel.ends_with(".c")) files.emplace_back(rel, it->path().string());
  }
  if (ec) return Error(root.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (auto& [rel, path] : files) {
    std::string name = rel.ends_with(".c") ? rel.substr(0, rel.size() - 2) + ".o" : rel;
    if (!out.empty() && out.back().name == name) continue;
    auto src = from_file(path, name);
    if (!src) return src.error();
    out.push_back(std::move(src).value());
  }
  return {};
}

}  // namespace

bool is_standalone_script(const std::string& path) { return path.ends_with(".o") || path.ends_with(".c"); }

Result<std::shared_ptr<const script::ScriptSet>> load_scripts(const ServerOptions& opts, const site::Site* site) {
  std::vector<script::ScriptSource> sources;
  for (const std::string& p : opts.plugins) {
    if (is_standalone_script(p)) {
      std::string name = fs::path(p).filename().string();
      if (name.ends_with(".c")) name = name.substr(0, name.size() - 2) + ".o";
      auto src = from_file(p, name);
      if (!src) return src.error().wrap("--plugin");
      sources.push_back(std::move(src).value());
    } else {
      auto plugin = site::Site::open(p);
      if (!plugin) return plugin.error().wrap("--plugin");
      if (auto r = from_site(**plugin, sources); !r) return r.error().wrap("--plugin");
    }
  }
  for (const std::string& d : opts.plugin_dirs)
    if (auto r = from_dir(d, sources); !r) return r.error().wrap("--plugin-dir");
  if (site != nullptr) {
    if (auto r = from_site(*site, sources); !r) return r.error();
  } else {
    std::string name = fs::path(opts.site_path).filename().string();
    if (name.ends_with(".c")) name = name.substr(0, name.size() - 2) + ".o";
    auto src = from_file(opts.site_path, name);
    if (!src) return src.error();
    sources.push_back(std::move(src).value());
  }
  script::LoadOptions load;
  load.preemption = opts.preempt_interval_ms > 0;
  return script::ScriptSet::load(std::move(sources), load);
}

Result<std::shared_ptr<const site::Site>> empty_site(const std::string& display_name) {
  int fd = memfd_create("zeroserve-standalone", MFD_CLOEXEC);
  if (fd < 0) return Error(std::string("memfd_create: ") + strerror(errno));
  // The index refuses archives without files, so the site holds one hidden marker, which is
  // never served (.zeroserve/ is not reachable by any request path).
  const site::InMemoryFile marker[] = {{".zeroserve/standalone", "", 0}};
  std::string tar = site::build_tar(marker);
  if (pwrite(fd, tar.data(), tar.size(), 0) != static_cast<ssize_t>(tar.size())) {
    int e = errno;
    close(fd);
    return Error(std::string("writing the standalone site: ") + strerror(e));
  }
  return site::Site::from_fd(fd, display_name);
}

}  // namespace zs::server
