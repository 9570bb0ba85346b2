// ExecContext: what a helper can reach while one script section runs (zeroserve-behavior.md
// §3c, §3f). Each run (a request script, a zs_call callee, a response hook) has its own
// context: its own response slot, JSON object table and log buffer. The request, its metadata
// map and the hook list are shared through RequestState, owned by the chain for one request.
// Helpers get the context with exec_of(ctx); nothing here does I/O or blocks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ebpf/helpers.hh"

namespace zs::http {
class Response;
}

namespace zs::script {

class JsonStore;      // json_store.hh: the per-context JSON object table
class RateLimiter;    // rate_limiter.hh: process-wide token buckets
struct RequestState;  // request_state.hh: shared by every script of one request

// Read-only access to the main site's files for zs_load_static_json / zs_load_file_metadata.
// Paths are tar paths used verbatim (no leading '/', no normalization). Implemented by the
// server over the current snapshot; null for a standalone script (no site).
class SiteFiles {
 public:
  virtual ~SiteFiles() = default;
  struct Stat {
    uint64_t size = 0;
    std::string_view etag;  // 32 lowercase hex digits
    int64_t mtime = 0;
  };
  virtual std::optional<Stat> stat(std::string_view path) const = 0;
  // The whole file, or nullopt if absent, larger than `max_bytes`, or unreadable.
  virtual std::optional<std::string> read(std::string_view path, uint64_t max_bytes) const = 0;
};

// Per-context limits (§5d): live JSON handles and host memory charged to them.
struct ContextLimits {
  uint32_t max_handles = 32;
  uint64_t max_memory_bytes = 256 * 1024;
};

// A response a script set with zs_respond / zs_json_respond.
struct ScriptResponse {
  uint16_t status = 200;
  std::string body;
  std::string content_type;  // "" = no Content-Type header (zs_respond sets none)
};

class ExecContext {
 public:
  ExecContext(RequestState& request, std::string_view script_name, uint32_t depth, const ContextLimits& limits);
  ~ExecContext();
  ExecContext(const ExecContext&) = delete;
  ExecContext& operator=(const ExecContext&) = delete;

  RequestState& request() { return request_; }
  std::string_view script_name() const { return script_name_; }
  uint32_t depth() const { return depth_; }  // 0 for the request chain, +1 per zs_call level
  const ContextLimits& limits() const { return limits_; }

  // This context's JSON object table, created on first use.
  JsonStore& json();
  bool has_json() const { return json_ != nullptr; }

  // The direct-response slot (§3d): last call wins; zs_abort clears it.
  void respond(uint16_t status, std::string body, std::string_view content_type);
  std::optional<ScriptResponse>& response() { return response_; }

  // Buffered zs_log output (§4b row 1), flushed per line by the chain.
  std::string& log_buffer() { return log_; }

  // Shared services (may be null: no site for standalone scripts; no limiter in unit tests).
  const SiteFiles* site_files() const;
  RateLimiter* rate_limiter() const;

  // zs_call parks the invocation and leaves the call here; the runner runs the callee between
  // the caller's time slices and resumes the caller with the result handle (§3f).
  struct PendingCall {
    std::string script;
    std::string function;
    uint64_t input = 0;  // a handle in this context's JsonStore
  };
  std::optional<PendingCall> pending_call;

  // Set by the runner while a response hook runs (§3g): the response it may inspect and change.
  // zs_abort and zs_respond trap in hooks.
  http::Response* hook_response = nullptr;

 private:
  RequestState& request_;
  std::string_view script_name_;
  uint32_t depth_;
  ContextLimits limits_;
  std::unique_ptr<JsonStore> json_;
  std::optional<ScriptResponse> response_;
  std::string log_;
};

// The context of the invocation a helper serves (set by the runner as the instance's user data).
inline ExecContext& exec_of(ebpf::InvocationContext& ctx) { return *static_cast<ExecContext*>(ctx.user_data()); }

}  // namespace zs::script
