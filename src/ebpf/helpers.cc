// HelperTable bookkeeping and InvocationContext's checked views of guest memory.
#include "ebpf/helpers.hh"

#include "ebpf/cage.hh"

namespace zs::ebpf {

Result<uint32_t> HelperTable::add(std::string name, HelperFn function) {
  auto id = static_cast<uint32_t>(entries_.size());
  if (auto r = add_at(id, std::move(name), function); !r) return r.error();
  return id;
}

Result<void> HelperTable::add_at(uint32_t id, std::string name, HelperFn function) {
  if (function == nullptr) return Error("helper '" + name + "': null function");
  if (find(name)) return Error("helper '" + name + "' is already registered");
  if (id >= (1u << 20)) return Error("helper id " + std::to_string(id) + " is too large");
  if (id < entries_.size() && entries_[id].fn != nullptr)
    return Error("helper id " + std::to_string(id) + " is already taken");
  if (id >= entries_.size()) entries_.resize(id + 1);
  entries_[id] = Entry{std::move(name), function};
  return {};
}

std::optional<uint32_t> HelperTable::find(std::string_view name) const {
  for (size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].fn != nullptr && entries_[i].name == name) return static_cast<uint32_t>(i);
  return std::nullopt;
}

std::optional<std::span<const uint8_t>> InvocationContext::readable(uint64_t addr,
                                                                    uint64_t len) const {
  return cage_->readable(addr, len);
}

std::optional<std::span<uint8_t>> InvocationContext::writable(uint64_t addr, uint64_t len) const {
  return cage_->writable(addr, len);
}

uint64_t InvocationContext::fail(std::string message) {
  if (*status_ != kHelperFailed) message_ = std::move(message);
  *status_ = kHelperFailed;
  return 0;
}

}  // namespace zs::ebpf
