// Implementation of request_state.hh.
#include "script/request_state.hh"

#include "http/token.hh"

namespace zs::script {

std::string_view Metadata::trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<std::string_view> Metadata::get(std::string_view key) const {
  key = trim(key);
  for (const auto& [k, v] : entries_)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

void Metadata::set(std::string_view key, std::string_view value) {
  key = trim(key);
  for (auto& [k, v] : entries_) {
    if (k == key) {
      v.assign(value);
      return;
    }
  }
  entries_.emplace_back(std::string(key), std::string(value));
}

bool Metadata::erase(std::string_view key) {
  key = trim(key);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == key) {
      entries_.erase(it);
      return true;
    }
  }
  return false;
}

std::optional<std::string_view> RequestState::header(std::string_view name) const {
  if (!headers_copied) {
    for (auto it = received.rbegin(); it != received.rend(); ++it)
      if (http::iequals(it->name, name)) return it->value;
    return std::nullopt;
  }
  for (auto it = headers.rbegin(); it != headers.rend(); ++it)
    if (http::iequals(it->name, name)) return std::string_view(it->value);
  return std::nullopt;
}

std::vector<HeaderField>& RequestState::mutable_headers() {
  if (!headers_copied) {
    headers.reserve(received.size() + 2);
    for (const http::Header& h : received) {
      std::string name(h.name);
      for (char& c : name) c = http::ascii_lower(c);
      headers.push_back({std::move(name), std::string(h.value)});
    }
    headers_copied = true;
  }
  return headers;
}

}  // namespace zs::script
