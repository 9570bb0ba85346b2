// TimerWheel: deadlines fire no earlier than due and at most a tick late, whatever their
// position within a tick or lap; re-arming and disarming from handlers; the wait hint.
#include "io/timer_wheel.hh"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace zs::io {
namespace {

struct Probe : Deadline {
  Probe() : Deadline(&Probe::fire) {}
  static void fire(Deadline* d) { static_cast<Probe*>(d)->fired_at = static_cast<Probe*>(d)->now; }
  int64_t now = 0;
  int64_t fired_at = -1;
};

// Advances time in `step` ms increments until `end`, calling expire like the event loop does.
void run(TimerWheel& w, std::vector<Probe>& probes, int64_t start, int64_t end, int64_t step) {
  for (int64_t t = start; t <= end; t += step) {
    for (auto& p : probes) p.now = t;
    w.expire(t);
  }
}

TEST(TimerWheel, FiresEveryDeadlineWithinOneTickWhateverItsOffset) {
  // The regression this guards: a deadline due later within the tick being processed was
  // filed into that tick's slot after it was marked done, and slept a whole lap.
  for (int64_t step : {1, 7, 20, 49}) {
    TimerWheel w;
    std::vector<Probe> probes(400);
    const int64_t start = 1'000'003;
    w.expire(start);
    std::mt19937 rng(static_cast<unsigned>(step));
    for (auto& p : probes) w.arm(p, start + 1 + static_cast<int64_t>(rng() % 120'000));
    run(w, probes, start, start + 130'000, step);
    for (auto& p : probes) {
      ASSERT_GE(p.fired_at, p.expires_ms) << "fired early, step " << step;
      ASSERT_LE(p.fired_at, p.expires_ms + TimerWheel::kTickMs + step) << "fired late, step " << step;
    }
    EXPECT_EQ(w.armed_count(), 0u);
  }
}

TEST(TimerWheel, RearmAndDisarm) {
  TimerWheel w;
  std::vector<Probe> p(3);
  w.expire(0);
  w.arm(p[0], 100);
  w.arm(p[1], 100);
  w.arm(p[2], 100);
  w.disarm(p[1]);
  w.arm(p[2], 5'000);  // moved later
  EXPECT_EQ(w.armed_count(), 2u);
  run(w, p, 0, 1'000, 10);
  EXPECT_GE(p[0].fired_at, 100);
  EXPECT_EQ(p[1].fired_at, -1);
  EXPECT_EQ(p[2].fired_at, -1);
  run(w, p, 1'000, 6'000, 10);
  EXPECT_GE(p[2].fired_at, 5'000);
  EXPECT_LE(p[2].fired_at, 5'000 + TimerWheel::kTickMs + 10);
}

TEST(TimerWheel, WaitHint) {
  TimerWheel w;
  Probe p;
  w.expire(10'000);
  EXPECT_EQ(w.ms_until_next(10'000), -1);
  w.arm(p, 10'900);
  int64_t hint = w.ms_until_next(10'000);
  EXPECT_GT(hint, 0);
  EXPECT_LE(hint, 900);
  EXPECT_EQ(w.ms_until_next(11'000), 0);
}

}  // namespace
}  // namespace zs::io
