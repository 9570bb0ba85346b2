// Command-line parsing for the zeroserve binary. One data table (flags.cc) defines every flag:
// its name, value, help text and effect, so `--help` is always exactly what is parsed.
// Flags follow the reference server's names (GNU style: `--flag value` or `--flag=value`).
#pragma once

#include <string>
#include <vector>

#include "base/result.hh"
#include "server/options.hh"

namespace zs::cli {

enum class Command { kServe, kPack, kHelp, kVersion, kManual, kDumpSdk };

struct Invocation {
  Command command = Command::kServe;
  std::string pack_dir;  // kPack
  server::ServerOptions serve;
};

// Parses argv[1..]. Errors name the flag and say what was expected.
Result<Invocation> parse_args(const std::vector<std::string>& args);

std::string help_text();

}  // namespace zs::cli
