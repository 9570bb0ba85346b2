// Implementation of timer_wheel.hh.
#include "io/timer_wheel.hh"

namespace zs::io {

void TimerWheel::arm(Deadline& d, int64_t at_ms) {
  if (d.armed()) disarm(d);
  d.expires_ms = at_ms;
  int64_t tick = at_ms / kTickMs;
  if (tick <= processed_tick_) tick = processed_tick_ + 1;  // already-passed slots are not revisited
  Deadline& head = heads_[static_cast<size_t>(tick) % kSlots];
  if (head.next == nullptr) head.next = head.prev = &head;
  d.next = head.next;
  d.prev = &head;
  head.next->prev = &d;
  head.next = &d;
  ++count_;
}

void TimerWheel::disarm(Deadline& d) {
  if (!d.armed()) return;
  d.prev->next = d.next;
  d.next->prev = d.prev;
  d.prev = d.next = nullptr;
  --count_;
}

void TimerWheel::expire(int64_t now_ms) {
  const int64_t now_tick = now_ms / kTickMs;
  if (processed_tick_ < 0) processed_tick_ = now_tick - 1;
  // Visit each slot at most once per call, even after a long stall.
  int64_t first = processed_tick_ + 1;
  if (now_tick - first >= static_cast<int64_t>(kSlots)) first = now_tick - static_cast<int64_t>(kSlots) + 1;
  // Entries found in a visited slot but not yet due (a later lap, or later within the current
  // tick) are collected here and re-armed only after processed_tick_ has moved past the visited
  // slots; re-arming them earlier could file them into a slot this call marks as done.
  Deadline later;
  later.next = later.prev = &later;
  for (int64_t tick = first; tick <= now_tick && count_ > 0; ++tick) {
    Deadline& head = heads_[static_cast<size_t>(tick) % kSlots];
    while (head.next != nullptr && head.next != &head) {
      Deadline* d = head.next;
      d->prev->next = d->next;
      d->next->prev = d->prev;
      if (d->expires_ms <= now_ms) {
        d->prev = d->next = nullptr;
        --count_;
        d->on_expire(d);  // may re-arm d into a future slot: those are not visited now
      } else {
        d->next = &later;
        d->prev = later.prev;
        later.prev->next = d;
        later.prev = d;
      }
    }
  }
  processed_tick_ = now_tick;
  while (later.next != &later) {
    Deadline* d = later.next;
    later.next = d->next;
    d->next->prev = &later;
    d->prev = d->next = nullptr;
    --count_;
    arm(*d, d->expires_ms);
  }
}

int64_t TimerWheel::ms_until_next(int64_t now_ms) const {
  if (count_ == 0) return -1;
  const int64_t now_tick = now_ms / kTickMs;
  const int64_t start = processed_tick_ < now_tick ? processed_tick_ + 1 : now_tick + 1;
  for (int64_t tick = start; tick < start + static_cast<int64_t>(kSlots); ++tick) {
    const Deadline& head = heads_[static_cast<size_t>(tick) % kSlots];
    if (head.next != nullptr && head.next != &head) {
      int64_t due = tick * kTickMs;
      return due <= now_ms ? 0 : due - now_ms;
    }
  }
  return 0;
}

}  // namespace zs::io
