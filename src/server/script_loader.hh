// Collects a generation's scripts in chain order (zeroserve-behavior.md §3a, §3h): --plugin
// entries in command-line order (a .o or .c file, or a site tarball's scripts), then
// --plugin-dir directories, then the main site's `.zeroserve/scripts/**/*.o` sorted by name.
// Runs off the request path (startup and reload); reads files with plain blocking I/O.
#pragma once

#include <memory>
#include <string>

#include "base/result.hh"
#include "script/script_set.hh"
#include "server/options.hh"
#include "site/site.hh"

namespace zs::server {

// True for a path the server treats as a standalone script rather than a site tarball.
bool is_standalone_script(const std::string& path);

// Loads every script for `opts`; `site` is the main site (its scripts come last), or null when
// the main path is a standalone script (`standalone`, then served with no static files).
Result<std::shared_ptr<const script::ScriptSet>> load_scripts(const ServerOptions& opts, const site::Site* site);

// An empty site (no files): what a standalone script serves beside its own responses.
Result<std::shared_ptr<const site::Site>> empty_site(const std::string& display_name);

}  // namespace zs::server
