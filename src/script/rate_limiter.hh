// RateLimiter: the process-wide token buckets behind zs_rate_limit (zeroserve-behavior.md §4b
// row 125). One instance lives for the whole process (so limits survive reloads) and is shared
// by every worker: thread-safe, sharded by key hash with one mutex per shard. It never reads a
// clock: callers pass the time, so tests are deterministic. It does not persist anything.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

namespace zs::script {

// The SDK's ZS_RATE_LIMIT_* results (plus the -1 of a bad key).
enum class RateLimitResult : int64_t {
  kBadKey = -1,
  kAllowed = 0,
  kExceededSecond = 1,
  kExceededMinute = 2,
  kExceededHour = 3,
  kBucketLimit = 4,
};

// Per-second / per-minute / per-hour limits of one call; 0 = unlimited.
struct RateLimits {
  uint64_t per_second = 0;
  uint64_t per_minute = 0;
  uint64_t per_hour = 0;
};

class RateLimiter {
 public:
  static constexpr size_t kDefaultMaxKeys = 100'000;
  static constexpr size_t kMaxKeyBytes = 256;

  // At most `max_keys` keys hold state at once (0 is treated as 1).
  explicit RateLimiter(size_t max_keys = kDefaultMaxKeys);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one request for `key` at time `now_ms` (any monotonic millisecond clock; a clock that
  // steps back is treated as no time passing). Each non-zero limit is a token bucket holding
  // up to `limit` tokens and refilling continuously at `limit` per window; a request needs a
  // token from every bucket, and a refused request takes none. The limits are the caller's for
  // this call: a key whose limits change keeps its level, capped at the new capacity.
  //   kBadKey:        key empty or longer than kMaxKeyBytes.
  //   kExceeded*:     the first exhausted bucket, checked second, minute, hour.
  //   kBucketLimit:   the key is new and max_keys keys already hold state; buckets that have
  //                   refilled completely are evicted first to make room.
  // All limits 0 is always kAllowed and stores nothing. Thread-safe.
  RateLimitResult check(std::string_view key, const RateLimits& limits, int64_t now_ms);

  size_t key_count() const { return keys_.load(std::memory_order_relaxed); }

 private:
  struct Bucket;
  struct Shard;
  static constexpr size_t kShards = 64;

  bool reserve_key();
  size_t evict_idle(Shard& shard, int64_t now_ms);

  size_t max_keys_;
  std::atomic<size_t> keys_{0};
  std::array<std::unique_ptr<Shard>, kShards> shards_;
};

}  // namespace zs::script
