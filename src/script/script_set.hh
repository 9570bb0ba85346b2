// ScriptSet: one generation of loaded scripts in chain order (zeroserve-behavior.md §3a):
// plugins first, then the site's `.zeroserve/scripts/**/*.o` sorted by name. Each script is
// loaded, linked against the SDK helper table and verified once; the JIT'd code is immutable
// and shared by every worker (each worker keeps its own instances: cages and stacks). Built
// off the request path as part of a snapshot; a failure rejects the whole generation.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hh"
#include "ebpf/helpers.hh"
#include "ebpf/runtime.hh"

namespace zs::script {

inline constexpr std::string_view kRequestSection = "zeroserve.request";
inline constexpr std::string_view kCallSectionPrefix = "zeroserve.call.";
inline constexpr std::string_view kScriptsDir = ".zeroserve/scripts/";

struct ScriptSource {
  std::string name;    // chain name: path relative to .zeroserve/scripts/, or the file name
  std::string origin;  // where it came from, for errors ("site.tar: .zeroserve/scripts/10-a.o")
  std::string object;  // ELF bytes
};

struct Script {
  std::string name;
  std::shared_ptr<const ebpf::Executable> executable;
  bool has_request_entry = false;
};

struct LoadOptions {
  ebpf::Engine engine = ebpf::Engine::kJit;
  bool preemption = true;
};

class ScriptSet {
 public:
  // Loads every source in the given order (callers put plugins first and sort site scripts).
  // Errors name the origin and say what is wrong, e.g. "site.tar: .zeroserve/scripts/a.o:
  // section zeroserve.request: call to unknown helper 'zs_frob'".
  static Result<std::shared_ptr<const ScriptSet>> load(std::vector<ScriptSource> sources,
                                                       const LoadOptions& options = {});

  std::span<const Script> scripts() const { return scripts_; }
  bool empty() const { return scripts_.empty(); }
  // zs_call lookup: exact name, else name + ".o"; the first in chain order wins.
  const Script* find(std::string_view name) const;
  size_t index_of(const Script* s) const { return static_cast<size_t>(s - scripts_.data()); }

  // The SDK helper table every script links against (built once, shared).
  static std::shared_ptr<const ebpf::HelperTable> helper_table();

 private:
  std::vector<Script> scripts_;
};

}  // namespace zs::script
