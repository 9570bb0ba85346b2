// Implementation of snapshot.hh.
#include "server/snapshot.hh"

namespace zs::server {

Result<std::shared_ptr<const Snapshot>> Snapshot::load(const std::string& path) {
  auto site = site::Site::open(path);
  if (!site) return site.error();
  auto snap = std::make_shared<Snapshot>();
  snap->site = std::move(site).value();
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

}  // namespace zs::server
