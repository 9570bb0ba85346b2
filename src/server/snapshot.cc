// Implementation of snapshot.hh.
#include "server/snapshot.hh"

#include <sys/mman.h>

namespace zs::server {

Snapshot::~Snapshot() {
  if (mapping != nullptr) munmap(const_cast<char*>(mapping), mapping_size);
}

Result<std::shared_ptr<const Snapshot>> Snapshot::load(const std::string& path) {
  auto site = site::Site::open(path);
  if (!site) return site.error();
  auto snap = std::make_shared<Snapshot>();
  snap->site = std::move(site).value();
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
