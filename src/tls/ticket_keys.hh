// Session-ticket keys shared by every worker (RFC 8446 §4.6.1 tickets; RFC 5077 format as
// OpenSSL writes it: 16-byte key name, AES-256-CBC, HMAC-SHA256). Keys are not stored and
// rotated by a timer: the key of each time epoch (floor(now / rotation)) is DERIVED from one
// 32-byte master secret with HMAC-SHA256, so all workers (and every Context built from the
// same ring) agree without sharing mutable state or taking a lock. The current epoch's key
// encrypts; tickets from the previous epoch still decrypt (and are renewed). Relies on OpenSSL.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "base/result.hh"

namespace zs::tls {

struct TicketKey {
  std::array<unsigned char, 16> name{};
  std::array<unsigned char, 32> aes_key{};
  std::array<unsigned char, 32> hmac_key{};
  int64_t epoch = -1;
};

class TicketKeyRing {
 public:
  static constexpr int64_t kDefaultRotationSeconds = 12 * 3600;

  // A ring with a fresh random master secret. Tickets stay usable for between one and two
  // rotation periods. Errors only if the CSPRNG fails or rotation_seconds < 1.
  static Result<std::shared_ptr<TicketKeyRing>> create(
      int64_t rotation_seconds = kDefaultRotationSeconds);

  // A ring from a given secret: rings built from the same secret accept each other's tickets
  // (e.g. several processes behind one address, or tests).
  static Result<std::shared_ptr<TicketKeyRing>> from_secret(
      const std::array<unsigned char, 32>& secret,
      int64_t rotation_seconds = kDefaultRotationSeconds);

  // The key that encrypts new tickets now. Thread-safe, lock-free; derives at most once per
  // epoch per thread (a thread-local cache), allocation-free.
  TicketKey current() const;

  // The key named `name` if it belongs to the current or the previous epoch; `renew` is set when
  // it is the previous one (the ticket should be replaced). Thread-safe like current().
  bool find(const unsigned char name[16], TicketKey& out, bool& renew) const;

  int64_t rotation_seconds() const { return rotation_seconds_; }

  // Pins the clock (seconds since the epoch) for tests; 0 restores the real clock.
  void set_time_for_test(int64_t unix_seconds) { fixed_time_.store(unix_seconds); }

 private:
  TicketKeyRing(const std::array<unsigned char, 32>& secret, int64_t rotation_seconds);
  int64_t now_epoch() const;
  TicketKey key_for(int64_t epoch) const;

  std::array<unsigned char, 32> secret_{};
  int64_t rotation_seconds_;
  uint64_t id_;  // distinguishes rings in the per-thread cache (addresses get reused)
  std::atomic<int64_t> fixed_time_{0};
};

}  // namespace zs::tls
