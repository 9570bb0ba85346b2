// SNI name -> certificate selection table: exact DNS names first, then single-label wildcards
// (RFC 6125 §6.4.3: "*.example.com" matches "a.example.com", never "example.com" or
// "a.b.example.com"), ASCII case-insensitive, then the default certificate. Pure; built once at
// load time and read concurrently afterwards (no mutation after build, so no locking).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace zs::tls {

class NameIndex {
 public:
  // Registers `dns_name` (as found in a certificate's SAN) for certificate `cert_index`.
  // "*.rest" registers a wildcard; any other name containing '*' is ignored (partial wildcards
  // such as "f*.example.com" are not honoured by modern clients either). A trailing '.' is
  // dropped. When two certificates claim the same name, the first registered keeps it (the
  // loader registers in sorted file-name order, so the outcome is deterministic).
  void add(std::string_view dns_name, size_t cert_index);

  // The certificate for the client's SNI `server_name`, or `default_index` when it is absent
  // (empty) or matches nothing.
  size_t select(std::string_view server_name, size_t default_index) const;

  size_t exact_count() const { return exact_.size(); }
  size_t wildcard_count() const { return wildcard_.size(); }

 private:
  std::unordered_map<std::string, size_t> exact_;     // lowercase full names
  std::unordered_map<std::string, size_t> wildcard_;  // lowercase parent domain of "*.parent"
};

// ASCII-lowercases `name` and drops one trailing '.'. Exposed for tests.
std::string normalize_dns_name(std::string_view name);

}  // namespace zs::tls
