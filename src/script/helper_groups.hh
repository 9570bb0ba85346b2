// The helper groups of the SDK (zeroserve-behavior.md §4b), each registering its helpers by
// their SDK names into the table every script is linked against. script_helpers.cc calls them
// all; tests may register one group alone.
#pragma once

#include <span>

#include "base/result.hh"
#include "ebpf/helpers.hh"

// The signature every helper has (ebpf::HelperFn), for helper files that define many of them:
// arguments a1..a5, the invocation context `ctx`.
#define ZS_HELPER(name) \
  uint64_t name(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, ebpf::InvocationContext& ctx)
#define ZS_UNUSED_ARGS (void)a1, (void)a2, (void)a3, (void)a4, (void)a5

namespace zs::script {

struct NamedHelper {
  const char* name;  // the SDK name scripts call it by
  ebpf::HelperFn fn;
};

// Adds a group's helpers; fails on the first name already in the table.
Result<void> add_helpers(ebpf::HelperTable& table, std::span<const NamedHelper> helpers);

Result<void> add_core_helpers(ebpf::HelperTable& table);       // log, time, env, version, memory
Result<void> add_request_helpers(ebpf::HelperTable& table);    // request reading and mutation
Result<void> add_response_helpers(ebpf::HelperTable& table);   // metadata, respond, hooks, abort, call
Result<void> add_json_helpers(ebpf::HelperTable& table);       // zs_json_*, zs_object_free, static json
Result<void> add_codec_helpers(ebpf::HelperTable& table);      // sha256, hmac, random, base64, hex
Result<void> add_rate_limit_helpers(ebpf::HelperTable& table); // zs_rate_limit
Result<void> add_match_helpers(ebpf::HelperTable& table);      // remote IP lists, header replace

}  // namespace zs::script
