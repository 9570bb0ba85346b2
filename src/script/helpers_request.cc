// SDK helpers that read and change the request (zeroserve-behavior.md §4b rows 39-57, 98-106).
// Reads see the request as earlier scripts left it; changes apply to later scripts and to the
// static lookup. Invalid input to a mutating helper (bad token, CR/LF in a value, an empty or
// unparsable URI) is a hard error, as in the reference.
#include <string>

#include "http/token.hh"
#include "script/exec_context.hh"
#include "script/guest.hh"
#include "script/helper_groups.hh"
#include "script/json_store.hh"
#include "script/request_state.hh"
#include "script/uri.hh"

namespace zs::script {
namespace {

using Ctx = ebpf::InvocationContext;

RequestState& req(Ctx& ctx) { return exec_of(ctx).request(); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = http::ascii_lower(c);
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding of one name or value: '+' is a space, "%XY" a byte,
// a malformed escape stays literal (as browsers and the WHATWG URL parser do).
std::string form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Calls `visit(name, value)` for every decoded pair of the query; stops when it returns true.
template <typename Visit>
bool each_query_param(std::string_view query, Visit&& visit) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name = form_decode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1));
    if (visit(name, value)) return true;
  }
  return false;
}

// Header-name patterns of zs_req_delete_header: exact, "p*" prefix, "*s" suffix, "*c*" contains.
bool name_matches(std::string_view pattern, std::string_view name) {
  if (pattern == "*") return true;
  const bool lead = pattern.starts_with('*');
  const bool trail = pattern.size() > 1 && pattern.ends_with('*');
  std::string p = lower(pattern.substr(lead ? 1 : 0, pattern.size() - (lead ? 1 : 0) - (trail ? 1 : 0)));
  std::string n = lower(name);
  if (lead && trail) return n.find(p) != std::string::npos;
  if (lead) return n.ends_with(p);
  if (trail) return n.starts_with(p);
  return n == p;
}


ZS_HELPER(zs_req_method) {
  ZS_UNUSED_ARGS;
  return put_cstring(ctx, a1, a2, req(ctx).method, "zs_req_method: out");
}
ZS_HELPER(zs_req_path) {
  ZS_UNUSED_ARGS;
  return put_cstring(ctx, a1, a2, req(ctx).path, "zs_req_path: out");
}
ZS_HELPER(zs_req_normalized_path) {
  ZS_UNUSED_ARGS;
  return put_cstring(ctx, a1, a2, req(ctx).decoded_path, "zs_req_normalized_path: out");
}
ZS_HELPER(zs_req_query) {
  ZS_UNUSED_ARGS;
  return put_cstring(ctx, a1, a2, req(ctx).query, "zs_req_query: out");
}
ZS_HELPER(zs_req_uri) {
  ZS_UNUSED_ARGS;
  const RequestState& rs = req(ctx);
  std::string uri = rs.query.empty() ? rs.path : rs.path + "?" + rs.query;
  return put_cstring(ctx, a1, a2, uri, "zs_req_uri: out");
}
ZS_HELPER(zs_req_scheme) {
  ZS_UNUSED_ARGS;
  return put_cstring(ctx, a1, a2, req(ctx).secure ? "https" : "http", "zs_req_scheme: out");
}
ZS_HELPER(zs_req_peer) {
  ZS_UNUSED_ARGS;
  // "ip:port", or "[v6]:port" for IPv6.
  const RequestState& rs = req(ctx);
  const bool v6 = rs.peer_ip.find(':') != std::string_view::npos;
  std::string peer;
  peer.reserve(rs.peer_ip.size() + 8);
  peer.append(v6 ? "[" : "").append(rs.peer_ip).append(v6 ? "]:" : ":").append(std::to_string(rs.peer_port));
  return put_cstring(ctx, a1, a2, peer, "zs_req_peer: out");
}
ZS_HELPER(zs_req_proto_major) {
  ZS_UNUSED_ARGS;
  return req(ctx).proto_major;
}
ZS_HELPER(zs_req_proto_minor) {
  ZS_UNUSED_ARGS;
  return req(ctx).proto_minor;
}
ZS_HELPER(zs_req_is_tls) {
  ZS_UNUSED_ARGS;
  return req(ctx).secure ? 1 : 0;
}
// Requests only reach scripts after the handshake.
ZS_HELPER(zs_req_tls_handshake_complete) {
  ZS_UNUSED_ARGS;
  return req(ctx).secure ? 1 : 0;
}

ZS_HELPER(zs_req_header) {
  ZS_UNUSED_ARGS;
  auto name = guest_in(ctx, a1, a2, "zs_req_header: name");
  if (!name) return 0;
  auto value = req(ctx).header(*name);
  return put_cstring(ctx, a3, a4, value.value_or(""), "zs_req_header: out");
}

ZS_HELPER(zs_req_query_param) {
  ZS_UNUSED_ARGS;
  auto name = guest_in(ctx, a1, a2, "zs_req_query_param: name");
  if (!name) return 0;
  std::string found;
  each_query_param(req(ctx).query, [&](const std::string& n, const std::string& v) {
    if (n != *name) return false;
    found = v;
    return true;
  });
  return put_cstring(ctx, a3, a4, found, "zs_req_query_param: out");
}

ZS_HELPER(zs_req_query_param_matches) {
  ZS_UNUSED_ARGS;
  auto name = guest_in(ctx, a1, a2, "zs_req_query_param_matches: name");
  if (!name) return 0;
  auto want = guest_in(ctx, a3, a4, "zs_req_query_param_matches: value");
  if (!want) return 0;
  return each_query_param(req(ctx).query, [&](const std::string& n, const std::string& v) {
           return n == *name && (*want == "*" || v == *want);
         })
             ? 1
             : 0;
}

ZS_HELPER(zs_req_body_limit) {
  ZS_UNUSED_ARGS;
  RequestState& rs = req(ctx);
  rs.body_limit = std::min(rs.body_limit, a1);
  return rs.content_length && *rs.content_length > rs.body_limit ? 1 : 0;
}

ZS_HELPER(zs_req_body_json) {
  ZS_UNUSED_ARGS;
  RequestState& rs = req(ctx);
  if (!rs.body_available || rs.body.empty() || rs.body.size() > rs.body_limit) return static_cast<uint64_t>(-1);
  // Invalid JSON is a soft -1; a handle or memory limit is a hard error (§4a).
  auto h = exec_of(ctx).json().try_parse(rs.body);
  if (!h) return ctx.fail("zs_req_body_json: " + h.error().message());
  return static_cast<uint64_t>(*h);
}

ZS_HELPER(zs_req_set_method) {
  ZS_UNUSED_ARGS;
  auto m = guest_in(ctx, a1, a2, "zs_req_set_method: method");
  if (!m) return 0;
  if (!http::is_token(*m)) return ctx.fail("zs_req_set_method: '" + std::string(*m) + "' is not a method token");
  req(ctx).method.assign(*m);
  req(ctx).method_changed = true;
  return 0;
}

ZS_HELPER(zs_req_set_uri) {
  ZS_UNUSED_ARGS;
  auto uri = guest_in(ctx, a1, a2, "zs_req_set_uri: uri");
  if (!uri) return 0;
  RequestState& rs = req(ctx);
  auto next = resolve_uri(rs.path, *uri);
  if (!next) return ctx.fail("zs_req_set_uri: invalid or empty URI '" + std::string(*uri) + "'");
  rs.path = std::move(next->path);
  rs.decoded_path = std::move(next->decoded_path);
  if (next->query_given) rs.query = std::move(next->query);
  rs.uri_changed = true;
  return 0;
}

// The (name, value) arguments of the header-changing helpers, checked: a bad pointer, an
// invalid name or a value with CR/LF/NUL fails the script.
struct HeaderArgs {
  std::string_view name;
  std::string_view value;
};
// `helper` is the helper's name; the labels name its two arguments in failures.
std::optional<HeaderArgs> header_args(Ctx& ctx, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                                      std::string_view helper, std::string_view name_label,
                                      std::string_view value_label) {
  auto name = guest_in(ctx, a1, a2, name_label);
  if (!name) return std::nullopt;
  auto value = guest_in(ctx, a3, a4, value_label);
  if (!value) return std::nullopt;
  if (!http::is_token(*name)) {
    ctx.fail(std::string(helper) + ": invalid header name");
    return std::nullopt;
  }
  if (!http::is_field_value(*value)) {
    ctx.fail(std::string(helper) + ": invalid header value");
    return std::nullopt;
  }
  return HeaderArgs{*name, *value};
}

ZS_HELPER(zs_req_set_header) {
  ZS_UNUSED_ARGS;
  auto h = header_args(ctx, a1, a2, a3, a4, "zs_req_set_header", "zs_req_set_header: name",
                       "zs_req_set_header: value");
  if (!h) return 0;
  RequestState& rs = req(ctx);
  auto& headers = rs.mutable_headers();
  std::erase_if(headers, [&](const HeaderField& f) { return http::iequals(f.name, h->name); });
  if (!h->value.empty()) headers.push_back({lower(h->name), std::string(h->value)});
  rs.headers_changed = true;
  return 0;
}

ZS_HELPER(zs_req_append_header) {
  ZS_UNUSED_ARGS;
  auto h = header_args(ctx, a1, a2, a3, a4, "zs_req_append_header", "zs_req_append_header: name",
                       "zs_req_append_header: value");
  if (!h) return 0;
  RequestState& rs = req(ctx);
  // Host is single-valued (RFC 9112 §3.2): appending replaces it.
  auto& headers = rs.mutable_headers();
  if (http::iequals(h->name, "host"))
    std::erase_if(headers, [](const HeaderField& f) { return f.name == "host"; });
  headers.push_back({lower(h->name), std::string(h->value)});
  rs.headers_changed = true;
  return 0;
}

ZS_HELPER(zs_req_delete_header) {
  ZS_UNUSED_ARGS;
  auto pattern = guest_in(ctx, a1, a2, "zs_req_delete_header: pattern");
  if (!pattern) return 0;
  RequestState& rs = req(ctx);
  if (std::erase_if(rs.mutable_headers(), [&](const HeaderField& h) { return name_matches(*pattern, h.name); }) != 0)
    rs.headers_changed = true;
  return 0;
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      char esc[8];
      snprintf(esc, sizeof esc, "\\u%04x", u);
      out += esc;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

void append_json_or_null(std::string& out, std::string_view s) {
  if (s.empty()) {
    out += "null";
  } else {
    append_json_string(out, s);
  }
}

// zs_connection_info (§4b row 98). No ECH support in this build's TLS library: "ech" is null.
ZS_HELPER(zs_connection_info) {
  ZS_UNUSED_ARGS;
  const RequestState& rs = req(ctx);
  std::string j = rs.secure ? "{\"tls\":true,\"tls_handshake_complete\":true,\"alpn\":"
                            : "{\"tls\":false,\"tls_handshake_complete\":false,\"alpn\":";
  append_json_or_null(j, rs.alpn);
  j += ",\"sni\":{\"inner\":";
  append_json_or_null(j, rs.sni);
  j += ",\"outer\":null},\"ech\":null,\"fingerprint\":";
  if (rs.secure) {
    j += "{\"ja4\":";
    append_json_or_null(j, rs.ja4);
    j += "}}";
  } else {
    j += "null}";
  }
  auto h = exec_of(ctx).json().parse(j);
  if (!h) return ctx.fail("zs_connection_info: " + h.error().message());
  return *h;
}

constexpr NamedHelper kRequestHelpers[] = {
    {"zs_req_method", zs_req_method},
    {"zs_req_path", zs_req_path},
    {"zs_req_normalized_path", zs_req_normalized_path},
    {"zs_req_query", zs_req_query},
    {"zs_req_uri", zs_req_uri},
    {"zs_req_scheme", zs_req_scheme},
    {"zs_req_peer", zs_req_peer},
    {"zs_req_proto_major", zs_req_proto_major},
    {"zs_req_proto_minor", zs_req_proto_minor},
    {"zs_req_is_tls", zs_req_is_tls},
    {"zs_req_tls_handshake_complete", zs_req_tls_handshake_complete},
    {"zs_req_header", zs_req_header},
    {"zs_req_query_param", zs_req_query_param},
    {"zs_req_query_param_matches", zs_req_query_param_matches},
    {"zs_req_body_limit", zs_req_body_limit},
    {"zs_req_body_json", zs_req_body_json},
    {"zs_req_set_method", zs_req_set_method},
    {"zs_req_set_uri", zs_req_set_uri},
    {"zs_req_set_header", zs_req_set_header},
    {"zs_req_append_header", zs_req_append_header},
    {"zs_req_delete_header", zs_req_delete_header},
    {"zs_connection_info", zs_connection_info},
};

}  // namespace

Result<void> add_request_helpers(ebpf::HelperTable& table) { return add_helpers(table, kRequestHelpers); }

}  // namespace zs::script
