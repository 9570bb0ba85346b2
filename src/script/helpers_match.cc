// SDK helpers that take a small JSON argument: the peer-address allow list
// (zs_req_remote_ip_matches) and search/replace on header values (zs_req_replace_header, and
// zs_res_replace_header in response hooks), zeroserve-behavior.md §4b rows 60, 103, 109.
// A malformed argument is a script bug and fails the script with a message saying what is wrong.
// "search_regexp" is refused: a backtracking regex engine inside a helper could not be
// preempted, so one pattern could hold a worker (and std::regex reports errors by throwing).
#include <arpa/inet.h>

#include <cstring>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "http/response.hh"
#include "http/token.hh"
#include "script/exec_context.hh"
#include "script/guest.hh"
#include "script/helper_groups.hh"
#include "script/request_state.hh"

namespace zs::script {
namespace {

using Ctx = ebpf::InvocationContext;

// An address as 16 bytes (IPv4 as ::ffff:a.b.c.d) so v4 and v4-mapped v6 compare alike.
struct Address {
  uint8_t bytes[16] = {};
};

bool parse_address(std::string_view text, Address& out, int& bits_in_family) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buf) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  in_addr v4{};
  if (inet_pton(AF_INET, buf, &v4) == 1) {
    out.bytes[10] = out.bytes[11] = 0xff;
    std::memcpy(out.bytes + 12, &v4, 4);
    bits_in_family = 32;
    return true;
  }
  bits_in_family = 128;
  return inet_pton(AF_INET6, buf, out.bytes) == 1;
}

// "ip" or "ip/prefix". The prefix counts in the address's own family.
bool parse_range(std::string_view text, Address& net, int& prefix) {
  int family_bits = 0;
  size_t slash = text.find('/');
  if (!parse_address(text.substr(0, slash), net, family_bits)) return false;
  prefix = family_bits;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3) return false;
    prefix = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return false;
      prefix = prefix * 10 + (c - '0');
    }
    if (prefix > family_bits) return false;
  }
  prefix += 128 - family_bits;  // in the 128-bit space
  return true;
}

bool in_range(const Address& a, const Address& net, int prefix) {
  for (int i = 0; i < 16 && prefix > 0; ++i, prefix -= 8) {
    const uint8_t mask = prefix >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - prefix));
    if ((a.bytes[i] & mask) != (net.bytes[i] & mask)) return false;
  }
  return true;
}

uint64_t zs_req_remote_ip_matches(uint64_t json, uint64_t len, uint64_t, uint64_t, uint64_t, Ctx& ctx) {
  auto text = guest_in(ctx, json, len, "zs_req_remote_ip_matches: ranges");
  if (!text) return 0;
  rapidjson::Document doc;
  doc.Parse(text->data(), text->size());
  if (doc.HasParseError() || !doc.IsArray())
    return ctx.fail("zs_req_remote_ip_matches: ranges must be a JSON array of IP addresses or CIDR ranges");
  Address peer;
  int bits = 0;
  const bool have_peer = parse_address(exec_of(ctx).request().peer_ip, peer, bits);
  bool match = false;
  for (const auto& v : doc.GetArray()) {
    Address net;
    int prefix = 0;
    if (!v.IsString() || !parse_range({v.GetString(), v.GetStringLength()}, net, prefix))
      return ctx.fail("zs_req_remote_ip_matches: not an IP address or CIDR range: " +
                      std::string(v.IsString() ? v.GetString() : "(not a string)"));
    match = match || (have_peer && in_range(peer, net, prefix));
  }
  return match ? 1 : 0;
}

// The search/replace operation of the two replace_header helpers.
struct ReplaceOp {
  std::string name;
  std::string search;  // literal
  std::string replace;
};

// Parses {"name": ..., "search": ... | "search_regexp": ..., "replace": ...}; empty message on
// success.
std::string parse_op(std::string_view text, ReplaceOp& op) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) return "the operation must be a JSON object";
  auto str = [&](const char* key, std::string& out) {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd()) return false;
    if (!it->value.IsString()) return false;
    out.assign(it->value.GetString(), it->value.GetStringLength());
    return true;
  };
  if (!str("name", op.name) || !http::is_token(op.name)) return "\"name\" must be a header name";
  if (!str("replace", op.replace)) return "\"replace\" must be a string";
  if (doc.HasMember("search_regexp")) return "\"search_regexp\" is not supported by this build (use \"search\")";
  if (!str("search", op.search) || op.search.empty()) return "\"search\" must be a non-empty string";
  return {};
}

std::string apply_op(const ReplaceOp& op, std::string_view value) {
  std::string out;
  for (size_t at = 0;;) {
    size_t hit = value.find(op.search, at);
    if (hit == std::string_view::npos) {
      out.append(value.substr(at));
      return out;
    }
    out.append(value.substr(at, hit - at)).append(op.replace);
    at = hit + op.search.size();
  }
}

uint64_t zs_req_replace_header(uint64_t json, uint64_t len, uint64_t, uint64_t, uint64_t, Ctx& ctx) {
  auto text = guest_in(ctx, json, len, "zs_req_replace_header: op");
  if (!text) return 0;
  ReplaceOp op;
  if (std::string err = parse_op(*text, op); !err.empty()) return ctx.fail("zs_req_replace_header: " + err);
  RequestState& rs = exec_of(ctx).request();
  for (HeaderField& h : rs.mutable_headers()) {
    if (!http::iequals(h.name, op.name)) continue;
    std::string next = apply_op(op, h.value);
    if (!http::is_field_value(next)) return ctx.fail("zs_req_replace_header: the result is not a valid header value");
    h.value = std::move(next);
  }
  rs.headers_changed = true;
  return 0;
}

uint64_t zs_res_replace_header(uint64_t json, uint64_t len, uint64_t, uint64_t, uint64_t, Ctx& ctx) {
  auto text = guest_in(ctx, json, len, "zs_res_replace_header: op");
  if (!text) return 0;
  ExecContext& ec = exec_of(ctx);
  http::Response* res = ec.hook_response;
  if (res == nullptr) return ctx.fail("zs_res_replace_header: only available in a response hook");
  ReplaceOp op;
  if (std::string err = parse_op(*text, op); !err.empty()) return ctx.fail("zs_res_replace_header: " + err);
  std::vector<http::ResponseHeader> headers(res->headers().begin(), res->headers().end());
  for (http::ResponseHeader& h : headers) {
    if (!http::iequals(h.name, op.name)) continue;
    std::string next = apply_op(op, h.value);
    if (!http::is_field_value(next)) return ctx.fail("zs_res_replace_header: the result is not a valid header value");
    h.value = ec.request().response_strings.emplace_front(std::move(next));  // lives with the request
  }
  res->replace_headers(headers);
  return 0;
}

constexpr NamedHelper kMatchHelpers[] = {
    {"zs_req_remote_ip_matches", zs_req_remote_ip_matches},
    {"zs_req_replace_header", zs_req_replace_header},
    {"zs_res_replace_header", zs_res_replace_header},
};

}  // namespace

Result<void> add_match_helpers(ebpf::HelperTable& table) { return add_helpers(table, kMatchHelpers); }

}  // namespace zs::script
