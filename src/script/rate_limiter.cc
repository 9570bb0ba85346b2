// Implementation of rate_limiter.hh. Levels are integers in token-milliseconds (a token of a
// window W costs W units and a limit L refills L units per ms), so refill is exact: no
// floating-point drift decides whether a request passes. Each key's buckets remember the
// limits of the last call so that a changed limit caps the level and an idle bucket can be
// recognized as fully refilled for eviction.
#include "script/rate_limiter.hh"

#include <algorithm>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace zs::script {
namespace {

constexpr int kWindows = 3;
constexpr uint64_t kWindowMs[kWindows] = {1000, 60'000, 3'600'000};
constexpr RateLimitResult kExceeded[kWindows] = {RateLimitResult::kExceededSecond, RateLimitResult::kExceededMinute,
                                                 RateLimitResult::kExceededHour};
// Larger limits are treated as this one (no script can make 10^12 requests in a second), so
// limit * window fits in 64 bits.
constexpr uint64_t kMaxLimit = 1'000'000'000'000;
// A full table sweeps one shard for idle buckets at most this often, so that a flood of new
// keys against a full table costs a hash lookup each, not a scan.
constexpr int64_t kSweepIntervalMs = 100;

struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace

struct RateLimiter::Bucket {
  uint64_t level[kWindows] = {0, 0, 0};  // token-ms
  uint64_t limit[kWindows] = {0, 0, 0};  // of the last call; 0 = that window was unlimited
  int64_t last_ms = 0;

  uint64_t capacity(int w) const { return limit[w] * kWindowMs[w]; }

  // Level of window `w` at `now_ms` without changing anything.
  uint64_t level_at(int w, int64_t now_ms) const {
    // A whole window refills any level, so longer gaps need not be multiplied.
    const auto elapsed = static_cast<uint64_t>(std::clamp<int64_t>(now_ms - last_ms, 0, kWindowMs[w]));
    return std::min(capacity(w), level[w] + elapsed * limit[w]);
  }

  bool idle(int64_t now_ms) const {
    for (int w = 0; w < kWindows; ++w) {
      if (limit[w] != 0 && level_at(w, now_ms) < capacity(w)) return false;
    }
    return true;
  }
};

struct RateLimiter::Shard {
  std::mutex mu;
  std::unordered_map<std::string, Bucket, KeyHash, std::equal_to<>> buckets;
  bool swept = false;
  int64_t last_sweep_ms = 0;
};

RateLimiter::RateLimiter(size_t max_keys) : max_keys_(std::max<size_t>(max_keys, 1)) {
  for (auto& s : shards_) s = std::make_unique<Shard>();
}

RateLimiter::~RateLimiter() = default;

bool RateLimiter::reserve_key() {
  size_t n = keys_.load(std::memory_order_relaxed);
  do {
    if (n >= max_keys_) return false;
  } while (!keys_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
  return true;
}

// Called with shard.mu held. Only this shard is swept: locking others from here could deadlock,
// and keys spread evenly, so the new key's own shard holds its share of the idle buckets.
size_t RateLimiter::evict_idle(Shard& shard, int64_t now_ms) {
  if (shard.swept && now_ms >= shard.last_sweep_ms && now_ms - shard.last_sweep_ms < kSweepIntervalMs) return 0;
  shard.swept = true;
  shard.last_sweep_ms = now_ms;
  const size_t n = std::erase_if(shard.buckets, [&](const auto& kv) { return kv.second.idle(now_ms); });
  keys_.fetch_sub(n, std::memory_order_relaxed);
  return n;
}

RateLimitResult RateLimiter::check(std::string_view key, const RateLimits& limits, int64_t now_ms) {
  if (key.empty() || key.size() > kMaxKeyBytes) return RateLimitResult::kBadKey;
  const uint64_t want[kWindows] = {std::min(limits.per_second, kMaxLimit), std::min(limits.per_minute, kMaxLimit),
                                   std::min(limits.per_hour, kMaxLimit)};
  if (want[0] == 0 && want[1] == 0 && want[2] == 0) return RateLimitResult::kAllowed;

  // The shard comes from the high bits; the map itself buckets by the low ones.
  const size_t h = KeyHash{}(key);
  Shard& shard = *shards_[(h * 0x9E3779B97F4A7C15ull) >> 58];
  static_assert(kShards == 64, "the shard index takes the top 6 bits");
  std::lock_guard lock(shard.mu);

  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (!reserve_key() && (evict_idle(shard, now_ms) == 0 || !reserve_key())) return RateLimitResult::kBucketLimit;
    Bucket fresh;
    fresh.last_ms = now_ms;
    it = shard.buckets.emplace(std::string(key), fresh).first;
  }
  Bucket& b = it->second;

  // Bring every window to now under this call's limits. A window that was unlimited (or is
  // new) starts full; a lowered limit caps the level.
  for (int w = 0; w < kWindows; ++w) {
    if (want[w] == 0) {
      b.limit[w] = 0;
      continue;
    }
    const uint64_t cap = want[w] * kWindowMs[w];
    const uint64_t level = b.limit[w] == 0 ? cap : b.level_at(w, now_ms);
    b.limit[w] = want[w];
    b.level[w] = std::min(level, cap);
  }
  b.last_ms = std::max(b.last_ms, now_ms);

  for (int w = 0; w < kWindows; ++w) {
    if (want[w] != 0 && b.level[w] < kWindowMs[w]) return kExceeded[w];
  }
  for (int w = 0; w < kWindows; ++w) {
    if (want[w] != 0) b.level[w] -= kWindowMs[w];
  }
  return RateLimitResult::kAllowed;
}

}  // namespace zs::script
