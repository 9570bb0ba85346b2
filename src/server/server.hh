// The server process: loads the first snapshot, opens the listeners, starts the workers, then
// spends its life on the main thread waiting for signals. SIGHUP (or a change of the
// --reload-signal-file) builds a new snapshot off the request path and publishes it; a failed
// reload is logged and the previous generation keeps serving. SIGTERM/SIGINT stop gracefully.
#pragma once

#include "server/options.hh"

namespace zs::server {

// Runs until stopped. Returns the process exit code (0 after a graceful stop, 1 on a startup
// error, which has been printed).
int run(const ServerOptions& opts);

}  // namespace zs::server
