// Ticket key derivation: key material of epoch E = HMAC-SHA256(secret, label || E big-endian)
// for the labels "zs-ticket-name", "zs-ticket-aes", "zs-ticket-hmac". A small per-thread
// cache keeps the two most recent epochs of the last ring used, so a handshake normally costs
// two integer compares here.
#include "tls/ticket_keys.hh"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstring>
#include <ctime>
#include <string_view>

namespace zs::tls {
namespace {

std::atomic<uint64_t> g_next_ring_id{1};

void derive(const std::array<unsigned char, 32>& secret, std::string_view label, int64_t epoch,
            unsigned char out[32]) {
  unsigned char msg[64];
  std::memcpy(msg, label.data(), label.size());
  for (int i = 0; i < 8; ++i) {
    msg[label.size() + static_cast<size_t>(i)] =
        static_cast<unsigned char>(static_cast<uint64_t>(epoch) >> (56 - 8 * i));
  }
  unsigned int len = 32;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), msg, label.size() + 8, out,
       &len);
}

struct ThreadCache {
  uint64_t ring_id = 0;
  TicketKey keys[2];  // slot = epoch & 1
};
thread_local ThreadCache t_cache;

}  // namespace

TicketKeyRing::TicketKeyRing(const std::array<unsigned char, 32>& secret,
                             int64_t rotation_seconds)
    : secret_(secret), rotation_seconds_(rotation_seconds), id_(g_next_ring_id.fetch_add(1)) {}

Result<std::shared_ptr<TicketKeyRing>> TicketKeyRing::create(int64_t rotation_seconds) {
  std::array<unsigned char, 32> secret{};
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
    return Error("ticket keys: the random number generator failed");
  }
  auto ring = from_secret(secret, rotation_seconds);
  OPENSSL_cleanse(secret.data(), secret.size());
  return ring;
}

Result<std::shared_ptr<TicketKeyRing>> TicketKeyRing::from_secret(
    const std::array<unsigned char, 32>& secret, int64_t rotation_seconds) {
  if (rotation_seconds < 1) return Error("ticket keys: rotation period must be >= 1 second");
  return std::shared_ptr<TicketKeyRing>(new TicketKeyRing(secret, rotation_seconds));
}

int64_t TicketKeyRing::now_epoch() const {
  int64_t t = fixed_time_.load(std::memory_order_relaxed);
  if (t == 0) t = static_cast<int64_t>(std::time(nullptr));
  return t / rotation_seconds_;
}

TicketKey TicketKeyRing::key_for(int64_t epoch) const {
  ThreadCache& c = t_cache;
  if (c.ring_id != id_) {
    c.ring_id = id_;
    c.keys[0].epoch = -1;
    c.keys[1].epoch = -1;
  }
  TicketKey& slot = c.keys[epoch & 1];
  if (slot.epoch != epoch) {
    unsigned char name[32];
    derive(secret_, "zs-ticket-name", epoch, name);
    std::memcpy(slot.name.data(), name, slot.name.size());
    derive(secret_, "zs-ticket-aes", epoch, slot.aes_key.data());
    derive(secret_, "zs-ticket-hmac", epoch, slot.hmac_key.data());
    slot.epoch = epoch;
  }
  return slot;
}

TicketKey TicketKeyRing::current() const { return key_for(now_epoch()); }

bool TicketKeyRing::find(const unsigned char name[16], TicketKey& out, bool& renew) const {
  const int64_t now = now_epoch();
  for (int64_t e : {now, now - 1}) {
    if (e < 0) continue;
    TicketKey k = key_for(e);
    if (CRYPTO_memcmp(k.name.data(), name, k.name.size()) == 0) {
      out = k;
      renew = e != now;
      return true;
    }
  }
  return false;
}

}  // namespace zs::tls
