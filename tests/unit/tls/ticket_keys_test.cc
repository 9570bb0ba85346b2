// TicketKeyRing on its own: keys derived from the secret and the epoch (so rings sharing a
// secret agree), the current/previous acceptance window and the renew flag, and bad input.
#include <gtest/gtest.h>

#include "tls/ticket_keys.hh"

namespace zs::tls {
namespace {

std::shared_ptr<TicketKeyRing> ring_of(unsigned char fill, int64_t rotation) {
  std::array<unsigned char, 32> secret{};
  secret.fill(fill);
  auto r = TicketKeyRing::from_secret(secret, rotation);
  EXPECT_TRUE(r.ok());
  return *r;
}

TEST(TlsTicketKeys, SameSecretSameKeysDifferentSecretDifferentKeys) {
  auto a = ring_of(1, 100);
  auto b = ring_of(1, 100);
  auto c = ring_of(2, 100);
  for (auto* r : {a.get(), b.get(), c.get()}) r->set_time_for_test(1'000'050);
  const TicketKey ka = a->current();
  const TicketKey kb = b->current();
  const TicketKey kc = c->current();
  EXPECT_EQ(ka.epoch, 10'000);
  EXPECT_EQ(ka.name, kb.name);
  EXPECT_EQ(ka.aes_key, kb.aes_key);
  EXPECT_EQ(ka.hmac_key, kb.hmac_key);
  EXPECT_NE(ka.name, kc.name);
  EXPECT_NE(ka.aes_key, kc.aes_key);
  EXPECT_NE(ka.aes_key, ka.hmac_key);  // independent labels
}

TEST(TlsTicketKeys, CurrentAndPreviousAcceptedThenRetired) {
  auto ring = ring_of(7, 3600);
  ring->set_time_for_test(3600 * 500 + 1);
  const TicketKey issued = ring->current();
  TicketKey found;
  bool renew = true;
  ASSERT_TRUE(ring->find(issued.name.data(), found, renew));
  EXPECT_FALSE(renew);
  EXPECT_EQ(found.aes_key, issued.aes_key);

  ring->set_time_for_test(3600 * 501 + 5);  // one rotation later
  EXPECT_NE(ring->current().name, issued.name);
  ASSERT_TRUE(ring->find(issued.name.data(), found, renew));
  EXPECT_TRUE(renew);
  EXPECT_EQ(found.hmac_key, issued.hmac_key);

  ring->set_time_for_test(3600 * 502 + 5);  // two rotations later
  EXPECT_FALSE(ring->find(issued.name.data(), found, renew));

  unsigned char unknown[16] = {0};
  EXPECT_FALSE(ring->find(unknown, found, renew));
}

TEST(TlsTicketKeys, InterleavedRingsOnOneThread) {
  // The per-thread cache is keyed by ring: alternating rings must not leak keys across.
  auto a = ring_of(3, 60);
  auto b = ring_of(4, 60);
  a->set_time_for_test(6000);
  b->set_time_for_test(6000);
  const TicketKey ka = a->current();
  const TicketKey kb = b->current();
  EXPECT_NE(ka.name, kb.name);
  EXPECT_EQ(a->current().name, ka.name);
  TicketKey found;
  bool renew = false;
  EXPECT_FALSE(b->find(ka.name.data(), found, renew));
  EXPECT_TRUE(a->find(ka.name.data(), found, renew));
}

TEST(TlsTicketKeys, RandomRingsDifferAndBadPeriodRefused) {
  auto a = TicketKeyRing::create();
  auto b = TicketKeyRing::create();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->current().name, (*b)->current().name);
  EXPECT_EQ((*a)->rotation_seconds(), TicketKeyRing::kDefaultRotationSeconds);
  EXPECT_FALSE(TicketKeyRing::create(0).ok());
}

}  // namespace
}  // namespace zs::tls
