// SNI lookup: two hash maps (exact, wildcard parent); see name_index.hh for the rules.
#include "tls/name_index.hh"

namespace zs::tls {

std::string normalize_dns_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void NameIndex::add(std::string_view dns_name, size_t cert_index) {
  std::string name = normalize_dns_name(dns_name);
  if (name.empty()) return;
  if (name.size() > 2 && name[0] == '*' && name[1] == '.') {
    std::string parent = name.substr(2);
    if (parent.empty() || parent.find('*') != std::string::npos) return;
    wildcard_.try_emplace(std::move(parent), cert_index);
    return;
  }
  if (name.find('*') != std::string::npos) return;
  exact_.try_emplace(std::move(name), cert_index);
}

size_t NameIndex::select(std::string_view server_name, size_t default_index) const {
  if (server_name.empty()) return default_index;
  const std::string name = normalize_dns_name(server_name);
  if (auto it = exact_.find(name); it != exact_.end()) return it->second;
  // A wildcard covers exactly one non-empty leftmost label.
  const size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0) return default_index;
  if (auto it = wildcard_.find(name.substr(dot + 1)); it != wildcard_.end()) return it->second;
  return default_index;
}

}  // namespace zs::tls
