// Implementation of exec_context.hh.
#include "script/exec_context.hh"

#include "script/json_store.hh"
#include "script/request_state.hh"

namespace zs::script {

ExecContext::ExecContext(RequestState& request, std::string_view script_name, uint32_t depth,
                         const ContextLimits& limits)
    : request_(request), script_name_(script_name), depth_(depth), limits_(limits) {}

ExecContext::~ExecContext() = default;

JsonStore& ExecContext::json() {
  if (!json_) json_ = std::make_unique<JsonStore>(limits_);
  return *json_;
}

void ExecContext::respond(uint16_t status, std::string body, std::string_view content_type) {
  response_.emplace(ScriptResponse{status, std::move(body), std::string(content_type)});
}

const SiteFiles* ExecContext::site_files() const { return request_.site_files; }
RateLimiter* ExecContext::rate_limiter() const { return request_.rate_limiter; }

}  // namespace zs::script
