// zs_rate_limit (zeroserve-behavior.md §4b row 125): the script's view of the process-wide
// RateLimiter (rate_limiter.hh) the server hands to every ExecContext. Time comes from the
// monotonic clock, so wall-clock steps neither refill nor drain buckets.
#include <chrono>

#include "script/exec_context.hh"
#include "script/guest.hh"
#include "script/helper_groups.hh"
#include "script/rate_limiter.hh"

namespace zs::script {
namespace {

// Returns a ZS_RATE_LIMIT_* value, or -1 for a key outside 1..256 bytes. Without a limiter
// (a context built with none, as in unit tests of other helpers) it also returns -1: there is
// no state to consult, and "allowed" would silently disable a script's protection.
uint64_t rate_limit(uint64_t key_ptr, uint64_t key_len, uint64_t per_second, uint64_t per_minute,
                    uint64_t per_hour, ebpf::InvocationContext& ctx) {
  if (key_len == 0 || key_len > RateLimiter::kMaxKeyBytes) return static_cast<uint64_t>(-1);
  auto key = guest_in(ctx, key_ptr, key_len, "zs_rate_limit: key");
  if (!key) return 0;
  RateLimiter* limiter = exec_of(ctx).rate_limiter();
  if (limiter == nullptr) return static_cast<uint64_t>(-1);
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count();
  const RateLimitResult r = limiter->check(*key, RateLimits{per_second, per_minute, per_hour}, now_ms);
  return static_cast<uint64_t>(static_cast<int64_t>(r));
}

}  // namespace

Result<void> add_rate_limit_helpers(ebpf::HelperTable& table) {
  if (auto r = table.add("zs_rate_limit", rate_limit); !r) return r.error();
  return {};
}

}  // namespace zs::script
