// zeroserve's entry point: parse the command line, then serve, pack, or print.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/log.hh"
#include "cli/flags.hh"
#include "script/compile.hh"
#include "script/script_set.hh"
#include "server/server.hh"
#include "site/pack.hh"

namespace zs::cli {
extern const char kManualText[];
extern const unsigned long kManualSize;
}  // namespace zs::cli

namespace {

int write_all(std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, s.data(), s.size());
    if (n <= 0) return 1;
    s.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

// --pack compiles `.zeroserve/scripts/**/*.c` to eBPF objects stored as `.o` (the sources stay
// out of the tarball), and loads each object once so that a script the server would refuse
// (unknown helper, verifier error) fails the pack instead of the deployment.
zs::site::PackOptions pack_options() {
  using namespace zs;
  site::PackOptions options;
  options.on_file = [](std::string_view rel, const std::string& abs) -> Result<site::PackDecision> {
    if (!rel.starts_with(script::kScriptsDir) || !rel.ends_with(".c")) return site::PackDecision{};
    auto object = script::compile_c_script(abs, rel);
    if (!object) return object.error();
    site::PackDecision d;
    d.action = site::PackDecision::Action::kReplace;
    d.path = std::string(rel.substr(0, rel.size() - 2)) + ".o";
    std::vector<script::ScriptSource> check{{d.path, "compiled object", *object}};
    if (auto loaded = script::ScriptSet::load(std::move(check)); !loaded) return loaded.error();
    d.contents = std::move(object).value();
    return d;
  };
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace zs;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto inv = cli::parse_args(args);
  if (!inv) {
    log::error("%s", inv.error().message().c_str());
    return 2;
  }
  switch (inv->command) {
    case cli::Command::kHelp:
      return write_all(cli::help_text());
    case cli::Command::kVersion:
      return write_all("zeroserve " ZS_VERSION "\n");
    case cli::Command::kManual:
      return write_all({cli::kManualText, cli::kManualSize});
    case cli::Command::kDumpSdk:
      return write_all(script::sdk_header());
    case cli::Command::kPack: {
      if (isatty(STDOUT_FILENO)) {
        log::error("--pack writes a tarball to stdout; redirect it to a file (zeroserve --pack DIR > site.tar)");
        return 2;
      }
      auto r = site::pack_directory(inv->pack_dir, STDOUT_FILENO, pack_options());
      if (!r) {
        log::error("--pack %s: %s", inv->pack_dir.c_str(), r.error().message().c_str());
        return 1;
      }
      return 0;
    }
    case cli::Command::kServe:
      return server::run(inv->serve);
  }
  return 1;
}
