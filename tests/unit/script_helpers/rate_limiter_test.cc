// RateLimiter (rate_limiter.hh) with explicit time: refill, the window order of results, key
// bounds, the key-count limit with eviction of idle buckets, and concurrent callers.
#include "script/rate_limiter.hh"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace zs::script {
namespace {

using R = RateLimitResult;

TEST(RateLimiter, PerSecondRefillsContinuously) {
  RateLimiter rl;
  const RateLimits two{2, 0, 0};
  EXPECT_EQ(rl.check("k", two, 1000), R::kAllowed);
  EXPECT_EQ(rl.check("k", two, 1000), R::kAllowed);
  EXPECT_EQ(rl.check("k", two, 1000), R::kExceededSecond);
  EXPECT_EQ(rl.check("k", two, 1499), R::kExceededSecond);  // 0.998 tokens
  EXPECT_EQ(rl.check("k", two, 1500), R::kAllowed);         // one token back after 500 ms
  EXPECT_EQ(rl.check("k", two, 1500), R::kExceededSecond);
  EXPECT_EQ(rl.check("k", two, 60'000), R::kAllowed);       // capped at 2, not 117
  EXPECT_EQ(rl.check("k", two, 60'000), R::kAllowed);
  EXPECT_EQ(rl.check("k", two, 60'000), R::kExceededSecond);
  EXPECT_EQ(rl.check("other", two, 60'000), R::kAllowed);   // keys are independent
}

TEST(RateLimiter, WindowsInOrderAndRefusalsAreFree) {
  RateLimiter rl;
  const RateLimits l{10, 3, 100};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rl.check("k", l, 0), R::kAllowed);
  EXPECT_EQ(rl.check("k", l, 0), R::kExceededMinute);
  // After 20 s one minute-token is back; the refused calls took nothing.
  EXPECT_EQ(rl.check("k", l, 20'000), R::kAllowed);
  EXPECT_EQ(rl.check("k", l, 20'000), R::kExceededMinute);
  const RateLimits hour{0, 0, 2};
  EXPECT_EQ(rl.check("h", hour, 0), R::kAllowed);
  EXPECT_EQ(rl.check("h", hour, 0), R::kAllowed);
  EXPECT_EQ(rl.check("h", hour, 1'000'000), R::kExceededHour);  // 0.55 tokens
  EXPECT_EQ(rl.check("h", hour, 1'800'000), R::kAllowed);
  // The second window is checked first.
  const RateLimits both{1, 0, 1};
  EXPECT_EQ(rl.check("b", both, 0), R::kAllowed);
  EXPECT_EQ(rl.check("b", both, 0), R::kExceededSecond);
  EXPECT_EQ(rl.check("b", both, 1000), R::kExceededHour);
}

TEST(RateLimiter, LimitsMayChangeBetweenCalls) {
  RateLimiter rl;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(rl.check("k", RateLimits{10, 0, 0}, 0), R::kAllowed);
  // Lowered to 2: the level (5 left) is capped at 2.
  EXPECT_EQ(rl.check("k", RateLimits{2, 0, 0}, 0), R::kAllowed);
  EXPECT_EQ(rl.check("k", RateLimits{2, 0, 0}, 0), R::kAllowed);
  EXPECT_EQ(rl.check("k", RateLimits{2, 0, 0}, 0), R::kExceededSecond);
  // A window that was unlimited starts full.
  EXPECT_EQ(rl.check("k", RateLimits{0, 1, 0}, 0), R::kAllowed);
  EXPECT_EQ(rl.check("k", RateLimits{0, 1, 0}, 0), R::kExceededMinute);
}

TEST(RateLimiter, KeysAndUnlimited) {
  RateLimiter rl;
  EXPECT_EQ(rl.check("", RateLimits{1, 1, 1}, 0), R::kBadKey);
  EXPECT_EQ(rl.check(std::string(257, 'k'), RateLimits{1, 1, 1}, 0), R::kBadKey);
  EXPECT_EQ(rl.check(std::string(256, 'k'), RateLimits{1, 1, 1}, 0), R::kAllowed);
  EXPECT_EQ(rl.check(std::string("a\0b", 3), RateLimits{1, 0, 0}, 0), R::kAllowed);
  EXPECT_EQ(rl.check(std::string("a\0c", 3), RateLimits{1, 0, 0}, 0), R::kAllowed);  // binary keys differ
  EXPECT_EQ(rl.key_count(), 3u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(rl.check("free", RateLimits{}, 0), R::kAllowed);
  EXPECT_EQ(rl.key_count(), 3u);  // all-unlimited calls store nothing
}

TEST(RateLimiter, TimeGoingBackwardsRefillsNothing) {
  RateLimiter rl;
  EXPECT_EQ(rl.check("k", RateLimits{1, 0, 0}, 10'000), R::kAllowed);
  EXPECT_EQ(rl.check("k", RateLimits{1, 0, 0}, 5'000), R::kExceededSecond);
  EXPECT_EQ(rl.check("k", RateLimits{1, 0, 0}, 10'999), R::kExceededSecond);
  EXPECT_EQ(rl.check("k", RateLimits{1, 0, 0}, 11'000), R::kAllowed);
}

TEST(RateLimiter, BucketLimitAndEviction) {
  RateLimiter rl(3);
  const RateLimits l{1, 0, 0};
  EXPECT_EQ(rl.check("a", l, 0), R::kAllowed);
  EXPECT_EQ(rl.check("b", l, 0), R::kAllowed);
  EXPECT_EQ(rl.check("c", l, 0), R::kAllowed);
  EXPECT_EQ(rl.check("d", l, 0), R::kBucketLimit);
  EXPECT_EQ(rl.check("a", l, 500), R::kExceededSecond);  // known keys keep working
  EXPECT_EQ(rl.key_count(), 3u);
  // After a full refill every bucket is idle; only the new key's shard is swept, so try keys
  // until one lands in a shard that holds an idle bucket.
  int admitted = 0;
  for (int i = 0; i < 200 && admitted == 0; ++i) {
    if (rl.check("new" + std::to_string(i), l, 5'000 + i * 200) == R::kAllowed) ++admitted;
  }
  EXPECT_EQ(admitted, 1);
  EXPECT_LE(rl.key_count(), 3u);
}

TEST(RateLimiter, EvictionOnlyTakesRefilledBuckets) {
  RateLimiter rl(1);
  EXPECT_EQ(rl.check("a", RateLimits{0, 0, 1}, 0), R::kAllowed);
  // An hour bucket is not refilled after a minute: the new key is refused even if it shares
  // the shard, and "a" keeps its state.
  for (int i = 0; i < 50; ++i) EXPECT_EQ(rl.check("b" + std::to_string(i), RateLimits{1, 0, 0}, 60'000 + i * 200), R::kBucketLimit);
  EXPECT_EQ(rl.check("a", RateLimits{0, 0, 1}, 70'000), R::kExceededHour);
}

TEST(RateLimiter, ConcurrentCallersShareOneBucket) {
  RateLimiter rl;
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (rl.check("shared", RateLimits{0, 0, 1000}, 0) == R::kAllowed) ++allowed;
        rl.check("own" + std::to_string(t * 1000 + i), RateLimits{1, 0, 0}, 0);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(allowed.load(), 1000);
  EXPECT_EQ(rl.key_count(), 2001u);
}

}  // namespace
}  // namespace zs::script
