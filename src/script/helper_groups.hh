// The helper groups of the SDK (zeroserve-behavior.md §4b), each registering its helpers by
// their SDK names into the table every script is linked against. script_helpers.cc calls them
// all; tests may register one group alone.
#pragma once

#include "base/result.hh"
#include "ebpf/helpers.hh"

namespace zs::script {

Result<void> add_core_helpers(ebpf::HelperTable& table);       // log, time, env, version, memory
Result<void> add_request_helpers(ebpf::HelperTable& table);    // request reading and mutation
Result<void> add_response_helpers(ebpf::HelperTable& table);   // metadata, respond, hooks, abort, call
Result<void> add_json_helpers(ebpf::HelperTable& table);       // zs_json_*, zs_object_free, static json
Result<void> add_codec_helpers(ebpf::HelperTable& table);      // sha256, hmac, random, base64, hex
Result<void> add_rate_limit_helpers(ebpf::HelperTable& table); // zs_rate_limit
Result<void> add_match_helpers(ebpf::HelperTable& table);      // remote IP lists, header replace

}  // namespace zs::script
