// Implementation of script_set.hh.
#include "script/script_set.hh"

#include <cstdlib>

#include "base/log.hh"
#include "ebpf/elf_loader.hh"
#include "script/helper_groups.hh"

namespace zs::script {

Result<void> add_helpers(ebpf::HelperTable& table, std::span<const NamedHelper> helpers) {
  for (const NamedHelper& h : helpers)
    if (auto r = table.add(h.name, h.fn); !r) return r.error();
  return {};
}

std::shared_ptr<const ebpf::HelperTable> ScriptSet::helper_table() {
  static const std::shared_ptr<const ebpf::HelperTable> table = [] {
    auto t = std::make_shared<ebpf::HelperTable>();
    for (auto add : {add_core_helpers, add_request_helpers, add_response_helpers, add_json_helpers,
                     add_codec_helpers, add_rate_limit_helpers, add_match_helpers}) {
      if (auto r = add(*t); !r) {
        // Two groups registering one name is a programming error, caught by every test run.
        log::error("script helper table: %s", r.error().message().c_str());
        std::abort();
      }
    }
    return std::shared_ptr<const ebpf::HelperTable>(std::move(t));
  }();
  return table;
}

Result<std::shared_ptr<const ScriptSet>> ScriptSet::load(std::vector<ScriptSource> sources,
                                                         const LoadOptions& options) {
  auto set = std::make_shared<ScriptSet>();
  set->scripts_.reserve(sources.size());
  for (ScriptSource& src : sources) {
    auto bytes = std::span(reinterpret_cast<const uint8_t*>(src.object.data()), src.object.size());
    auto program = ebpf::load_elf(bytes, helper_table());
    if (!program) return program.error().wrap(src.origin);
    auto exec = ebpf::Executable::create(*program, {options.engine, options.preemption});
    if (!exec) return exec.error().wrap(src.origin);
    Script s;
    s.name = std::move(src.name);
    s.has_request_entry = (*exec)->program().find_entry(kRequestSection).has_value();
    s.executable = std::move(exec).value();
    set->scripts_.push_back(std::move(s));
  }
  return std::shared_ptr<const ScriptSet>(std::move(set));
}

const Script* ScriptSet::find(std::string_view name) const {
  for (const Script& s : scripts_)
    if (s.name == name) return &s;
  for (const Script& s : scripts_)
    if (s.name.size() == name.size() + 2 && s.name.starts_with(name) && s.name.ends_with(".o")) return &s;
  return nullptr;
}

}  // namespace zs::script
