// Method table and header lookup for RequestHead. Linear lookup is deliberate: a head holds at
// most kMaxHeaders short fields, and a scan with a length check first beats any index we could
// build per request.
#include "http/request_head.hh"

#include "http/token.hh"

namespace zs::http {

namespace {

struct MethodName {
  std::string_view name;
  Method method;
};

constexpr std::array<MethodName, 9> kMethods = {{
    {"GET", Method::kGet},         {"HEAD", Method::kHead},   {"POST", Method::kPost},
    {"PUT", Method::kPut},         {"DELETE", Method::kDelete}, {"CONNECT", Method::kConnect},
    {"OPTIONS", Method::kOptions}, {"TRACE", Method::kTrace}, {"PATCH", Method::kPatch},
}};

}  // namespace

Method method_from_token(std::string_view token) {
  for (const MethodName& m : kMethods) {
    if (m.name == token) return m.method;
  }
  return Method::kOther;
}

std::string_view method_name(Method m) {
  for (const MethodName& entry : kMethods) {
    if (entry.method == m) return entry.name;
  }
  return {};
}

const Header* RequestHead::find(std::string_view name) const {
  for (size_t i = 0; i < header_count; ++i) {
    if (iequals(headers[i].name, name)) return &headers[i];
  }
  return nullptr;
}

const Header* RequestHead::find_last(std::string_view name) const {
  for (size_t i = header_count; i > 0; --i) {
    if (iequals(headers[i - 1].name, name)) return &headers[i - 1];
  }
  return nullptr;
}

}  // namespace zs::http
