// Implementation of runner.hh.
#include "script/runner.hh"

#include <time.h>

#include <cstring>

#include "base/log.hh"
#include "http/request.hh"
#include "http/response.hh"
#include "io/ops.hh"
#include "script/json_store.hh"

namespace zs::script {
namespace {

int64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Suspends the awaiting coroutine until the loop's timer wheel passes `ms` from now.
struct Sleep : io::Deadline {
  Sleep(io::EventLoop& l, int64_t ms) : io::Deadline(&Sleep::wake), loop(l), delay_ms(ms) {}
  ~Sleep() { loop.timers().disarm(*this); }
  bool await_ready() const noexcept { return delay_ms <= 0; }
  void await_suspend(std::coroutine_handle<> h) {
    waiter = h;
    loop.timers().arm(*this, loop.now_ms() + delay_ms);
  }
  void await_resume() const noexcept {}
  static void wake(io::Deadline* d) {
    auto* self = static_cast<Sleep*>(d);
    self->loop.defer(self->waiter);
  }
  io::EventLoop& loop;
  int64_t delay_ms;
  std::coroutine_handle<> waiter;
};

void log_failure(const ExecContext& ec, std::string_view section, const ebpf::Outcome& o) {
  log::error("[script_runtime] %llu: script '%.*s' section '%.*s' failed at pc %u: %s",
             static_cast<unsigned long long>(const_cast<ExecContext&>(ec).request().request_id),
             static_cast<int>(ec.script_name().size()), ec.script_name().data(), static_cast<int>(section.size()),
             section.data(), o.pc, o.reason.c_str());
}

}  // namespace

Runner::Runner(io::EventLoop& loop, RunnerOptions options) : loop_(loop), options_(std::move(options)) {}

Runner::~Runner() = default;

Result<std::unique_ptr<ebpf::Instance>> Runner::acquire(const std::shared_ptr<const ScriptSet>& set,
                                                        const Script& s) {
  if (pool_set_ != set) {
    pool_.clear();
    pool_.resize(set->scripts().size());
    pool_set_ = set;
  }
  auto& idle = pool_[set->index_of(&s)];
  if (!idle.empty()) {
    std::unique_ptr<ebpf::Instance> inst = std::move(idle.back());
    idle.pop_back();
    return inst;
  }
  ebpf::InstanceOptions io;
  io.slice = options_.slice;
  io.cpu_limit = options_.cpu_limit;
  return ebpf::Instance::create(s.executable, io);
}

void Runner::prewarm(const std::shared_ptr<const ScriptSet>& set) {
  if (!set) return;
  for (const Script& s : set->scripts()) {
    auto inst = acquire(set, s);
    if (inst) release(set, s, std::move(inst).value());
  }
}

void Runner::release(const std::shared_ptr<const ScriptSet>& set, const Script& s,
                     std::unique_ptr<ebpf::Instance> inst) {
  // Instances of an older generation are simply dropped; so is a surplus after a burst.
  constexpr size_t kMaxIdlePerScript = 16;
  if (pool_set_ != set || inst->in_flight()) return;
  auto& idle = pool_[set->index_of(&s)];
  if (idle.size() < kMaxIdlePerScript) idle.push_back(std::move(inst));
}

void Runner::flush_log(ExecContext& ec, bool force) {
  std::string& buf = ec.log_buffer();
  if (buf.empty()) return;
  constexpr size_t kMaxPending = 512;
  size_t start = 0;
  for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
    log::info("[user_log] %llu: %.*s: %.*s", static_cast<unsigned long long>(ec.request().request_id),
              static_cast<int>(ec.script_name().size()), ec.script_name().data(), static_cast<int>(nl - start),
              buf.data() + start);
  }
  buf.erase(0, start);
  if (!buf.empty() && (force || buf.size() >= kMaxPending)) {
    log::info("[user_log] %llu: %.*s: %s", static_cast<unsigned long long>(ec.request().request_id),
              static_cast<int>(ec.script_name().size()), ec.script_name().data(), buf.c_str());
    buf.clear();
  }
}

io::Task<Runner::Section> Runner::run_section(const std::shared_ptr<const ScriptSet>& set, const Script& script,
                                              std::string_view entry, const uint64_t* input_handle,
                                              ExecContext& ec, Hangup* hangup) {
  Section out;
  auto leased = acquire(set, script);
  if (!leased) {
    out.outcome.kind = ebpf::Outcome::Kind::kFaulted;
    out.outcome.reason = "cannot create a script instance: " + leased.error().message();
    co_return out;
  }
  std::unique_ptr<ebpf::Instance> inst = std::move(leased).value();
  inst->set_user_data(&ec);
  uint64_t args[1] = {0};
  std::span<const uint64_t> argv;
  if (input_handle != nullptr) {
    // Call entries receive a pointer to 8 bytes of calldata holding the input handle (§5d).
    std::memcpy(inst->scratch().data(), input_handle, sizeof *input_handle);
    args[0] = inst->scratch_addr();
    argv = args;
  }
  int64_t since_throttle = 0;
  const int64_t throttle_ns = std::chrono::nanoseconds(options_.throttle_after).count();
  int64_t t0 = mono_ns();
  ebpf::Outcome o = inst->start(entry, argv);
  for (;;) {
    since_throttle += mono_ns() - t0;
    flush_log(ec, false);
    if (!o.yielded()) break;
    if (o.parked) {
      // A helper waits on the host: today only zs_call.
      int64_t r = -1;
      if (ec.pending_call) r = co_await perform_call(set, ec, hangup);
      t0 = mono_ns();
      o = inst->resume(static_cast<uint64_t>(r));
      continue;
    }
    // The time slice is over: let the loop serve everyone else, and throttle a script that
    // keeps the CPU (§5e) so it cannot take the worker from other connections. From now on a
    // client hang-up is watched for (arming the poll before the pause lets it land in it).
    const bool* gone = hangup != nullptr ? hangup->watch() : nullptr;
    if (since_throttle >= throttle_ns) {
      log::info("[script_runtime] %llu: %s: throttling", static_cast<unsigned long long>(ec.request().request_id),
                script.name.c_str());
      Sleep nap(loop_, options_.throttle_sleep.count());
      co_await nap;
      since_throttle = 0;
    } else {
      io::Yield yield{loop_};
      co_await yield;
    }
    if (gone != nullptr && *gone) {
      inst->cancel();
      out.cancelled = true;
      break;
    }
    t0 = mono_ns();
    o = inst->resume();
  }
  if (!out.cancelled) out.outcome = std::move(o);
  release(set, script, std::move(inst));
  co_return out;
}

io::Task<int64_t> Runner::perform_call(const std::shared_ptr<const ScriptSet>& set, ExecContext& caller,
                                       Hangup* hangup) {
  ExecContext::PendingCall call = std::move(*caller.pending_call);
  caller.pending_call.reset();
  // The request runs at depth 0; 8 frames in all (§3f: 7 nested calls succeed, the 8th fails).
  if (caller.depth() + 1 >= options_.max_call_depth) co_return -1;
  const Script* target = set->find(call.script);
  if (target == nullptr) co_return -1;
  std::string entry = std::string(kCallSectionPrefix) + call.function;
  if (!target->executable->program().find_entry(entry)) co_return -1;
  ExecContext callee(caller.request(), target->name, caller.depth() + 1, options_.limits);
  auto input = callee.json().copy_from(caller.json(), call.input);
  if (!input) co_return -1;
  const uint64_t handle = *input;
  Section s = co_await run_section(set, *target, entry, &handle, callee, hangup);
  flush_log(callee, true);
  if (s.cancelled) co_return -1;
  if (s.outcome.faulted()) {
    log_failure(callee, entry, s.outcome);
    co_return -1;
  }
  const auto result = static_cast<int64_t>(s.outcome.r0);
  if (result <= 0 || !callee.json().valid(static_cast<uint64_t>(result))) co_return -1;
  auto back = caller.json().copy_from(callee.json(), static_cast<uint64_t>(result));
  co_return back ? static_cast<int64_t>(*back) : -1;
}

io::Task<ChainResult> Runner::run_chain(std::shared_ptr<const ScriptSet> set, RequestState& state,
                                        Hangup* hangup) {
  ChainResult result;
  for (const Script& s : set->scripts()) {
    if (!s.has_request_entry) continue;
    ExecContext ec(state, s.name, 0, options_.limits);
    Section sec = co_await run_section(set, s, kRequestSection, nullptr, ec, hangup);
    flush_log(ec, true);
    if (sec.cancelled) {
      result.kind = ChainResult::Kind::kCancelled;
      co_return result;
    }
    if (sec.outcome.faulted()) {
      log_failure(ec, kRequestSection, sec.outcome);
      result.kind = ChainResult::Kind::kFailed;
      co_return result;
    }
    if (state.aborted) {
      result.kind = ChainResult::Kind::kAbort;
      co_return result;
    }
    if (ec.response()) {
      result.kind = ChainResult::Kind::kRespond;
      result.response = std::move(*ec.response());
      co_return result;
    }
  }
  co_return result;
}

io::Task<void> Runner::run_hooks(std::shared_ptr<const ScriptSet> set, RequestState& state, http::Response& res,
                                 Hangup* hangup) {
  // Hooks registered by hooks do not run for this response: the list is taken as it stands.
  const size_t count = state.hooks.size();
  for (size_t i = 0; i < count; ++i) {
    const ResponseHook hook = state.hooks[i];
    const std::string& name = hook.script.empty() ? hook.registered_by : hook.script;
    const Script* target = set->find(name);
    std::string entry = std::string(kCallSectionPrefix) + hook.function;
    if (target == nullptr || !target->executable->program().find_entry(entry)) {
      log::error("[script_runtime] %llu: response hook %s.%s skipped: no such script or function",
                 static_cast<unsigned long long>(state.request_id), name.c_str(), hook.function.c_str());
      continue;
    }
    ExecContext ec(state, target->name, 1, options_.limits);
    ec.hook_response = &res;
    auto input = ec.json().parse(hook.input_json);
    if (!input) continue;
    const uint64_t handle = *input;
    // What a failing hook's changes are rolled back to.
    const uint16_t status = res.status;
    std::vector<http::ResponseHeader> headers(res.headers().begin(), res.headers().end());
    Section sec = co_await run_section(set, *target, entry, &handle, ec, hangup);
    flush_log(ec, true);
    if (sec.cancelled) co_return;
    if (sec.outcome.faulted() || static_cast<int64_t>(sec.outcome.r0) < 0) {
      if (sec.outcome.faulted()) log_failure(ec, entry, sec.outcome);
      res.status = status;
      res.replace_headers(headers);
    }
  }
}

}  // namespace zs::script
