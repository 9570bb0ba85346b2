// Runner: runs script sections on one worker's event loop (zeroserve-behavior.md §3c-§3g, §5d).
// A section runs in an ebpf::Instance leased from the worker's pool; when it yields (its time
// slice is over) the runner gives the loop back so other connections are served, throttles a
// script that keeps spinning, and ends it at the CPU cap. zs_call parks the caller: the runner
// runs the callee in a fresh context and resumes the caller with the result. One Runner per
// worker thread; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/runtime.hh"
#include "io/event_loop.hh"
#include "io/task.hh"
#include "script/exec_context.hh"
#include "script/request_state.hh"
#include "script/script_set.hh"

namespace zs::http {
class Response;
class HangupSignal;
}

namespace zs::script {

using Hangup = http::HangupSignal;

struct RunnerOptions {
  std::chrono::nanoseconds slice = std::chrono::milliseconds(2);  // --preempt-timer-interval-ms
  std::chrono::nanoseconds cpu_limit = std::chrono::seconds(1);   // per section invocation
  // A script that ran this long since its last throttle sleeps kThrottleSleep (§5e).
  std::chrono::milliseconds throttle_after = std::chrono::milliseconds(20);
  std::chrono::milliseconds throttle_sleep = std::chrono::milliseconds(100);
  ContextLimits limits;
  uint32_t max_call_depth = 8;
};

// How the request chain ended.
struct ChainResult {
  enum class Kind {
    kContinue,  // no script answered: serve the (possibly rewritten) request statically
    kRespond,   // a script set a response (in `response`)
    kAbort,     // zs_abort: close without a response
    kFailed,    // a script failed: 500, already logged
    kCancelled, // the client went away
  };
  Kind kind = Kind::kContinue;
  ScriptResponse response;
};

class Runner {
 public:
  Runner(io::EventLoop& loop, RunnerOptions options);
  ~Runner();

  // Runs `zeroserve.request` of every script in chain order, sharing `state`. `hangup`, if not
  // null, is watched from a script's first yield on: a hang-up ends the chain as kCancelled.
  io::Task<ChainResult> run_chain(std::shared_ptr<const ScriptSet> set, RequestState& state,
                                  Hangup* hangup);

  // Runs the hooks registered in `state` against `res`, in registration order (§3g). A hook
  // that fails has its status and header changes rolled back.
  io::Task<void> run_hooks(std::shared_ptr<const ScriptSet> set, RequestState& state, http::Response& res,
                           Hangup* hangup);

  // Creates one idle instance per script of `set` ahead of the first request, so that request
  // does not pay for cage and stack set-up. Failures are left for the request to report.
  void prewarm(const std::shared_ptr<const ScriptSet>& set);

  const RunnerOptions& options() const { return options_; }

 private:
  struct Section {
    ebpf::Outcome outcome;
    bool cancelled = false;
  };

  io::Task<Section> run_section(const std::shared_ptr<const ScriptSet>& set, const Script& script,
                                std::string_view entry, const uint64_t* input_handle, ExecContext& ec,
                                Hangup* hangup);
  io::Task<int64_t> perform_call(const std::shared_ptr<const ScriptSet>& set, ExecContext& caller,
                                 Hangup* hangup);
  Result<std::unique_ptr<ebpf::Instance>> acquire(const std::shared_ptr<const ScriptSet>& set, const Script& s);
  void release(const std::shared_ptr<const ScriptSet>& set, const Script& s, std::unique_ptr<ebpf::Instance> inst);
  void flush_log(ExecContext& ec, bool force);

  io::EventLoop& loop_;
  RunnerOptions options_;
  // Idle instances per script of the current set (dropped when a new set shows up).
  std::shared_ptr<const ScriptSet> pool_set_;
  std::vector<std::vector<std::unique_ptr<ebpf::Instance>>> pool_;
};

}  // namespace zs::script
