// Deadlines on a hashed timing wheel: arming, moving and disarming are O(1), so a connection can
// push its deadline forward on every state change at no cost. Resolution is kTickMs; an entry
// expires no earlier than its deadline and at most one tick plus one loop iteration late.
// Single-threaded (one wheel per event loop). Entries are intrusive: the wheel never allocates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace zs::io {

struct Deadline {
  using Handler = void (*)(Deadline* self);
  explicit Deadline(Handler handler = nullptr) : on_expire(handler) {}
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  bool armed() const { return prev != nullptr; }

  Handler on_expire;
  int64_t expires_ms = 0;
  Deadline* prev = nullptr;  // intrusive list links; null when not armed
  Deadline* next = nullptr;
};

class TimerWheel {
 public:
  static constexpr int64_t kTickMs = 50;
  static constexpr size_t kSlots = 1024;  // one revolution = 51.2 s; longer deadlines wait a lap

  TimerWheel() = default;
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  // (Re)arms `d` to fire at `at_ms` (monotonic ms). `d` must outlive its armed period.
  void arm(Deadline& d, int64_t at_ms);
  void disarm(Deadline& d);

  // Fires every deadline due at `now_ms`, in no particular order. A handler may arm or disarm
  // any deadline, including its own.
  void expire(int64_t now_ms);

  // Milliseconds until the earliest slot holding an entry is due (0 if overdue), or -1 when empty.
  int64_t ms_until_next(int64_t now_ms) const;

  size_t armed_count() const { return count_; }

 private:
  std::array<Deadline, kSlots> heads_;  // sentinel per slot (circular list)
  int64_t processed_tick_ = -1;         // every tick <= this has been expired
  size_t count_ = 0;
};

}  // namespace zs::io
