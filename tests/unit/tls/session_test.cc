// Session + Context against a real OpenSSL client, through memory buffers: handshake, data
// both ways, ALPN, SNI certificate selection, protocol versions, tickets (resumption, shared
// key rings, rotation), record coalescing, JA4 agreement with the parser, teardown anywhere.
#include <gtest/gtest.h>
#include <openssl/err.h>

#include "tls/client_hello.hh"
#include "tls/context.hh"
#include "tls/ja4.hh"
#include "tls/session.hh"
#include "unit/tls/test_pki.hh"

namespace zs::tls {
namespace {

using test::ClientOptions;
using test::TestCert;
using test::TestClient;

struct Pki {
  TestCert a = test::make_cert("a.example.com", {"a.example.com"});
  TestCert b = test::make_cert("b.example.com", {"b.example.com", "B2.Example.COM"});
  TestCert wild = test::make_cert("wild", {"*.wild.example.com"});
};

Pki& pki() {
  static Pki* p = new Pki();  // generated once per test binary
  return *p;
}

std::shared_ptr<const Context> make_context(ContextOptions options = {}) {
  auto set = test::set_of({&pki().a, &pki().b, &pki().wild});
  auto ctx = Context::build(set, std::move(options));
  EXPECT_TRUE(ctx.ok()) << (ctx.ok() ? "" : ctx.error().message());
  return ctx.ok() ? *ctx : nullptr;
}

ClientOptions opts(std::string sni, int max_version = TLS1_3_VERSION,
                   SSL_SESSION* resume = nullptr) {
  ClientOptions o;
  o.sni = std::move(sni);
  o.max_version = max_version;
  o.resume = resume;
  return o;
}

Session new_session(const std::shared_ptr<const Context>& ctx) {
  auto s = Session::create(ctx);
  EXPECT_TRUE(s.ok());
  return std::move(s).value();
}

// Splits TLS records: returns each record's (content type, length) and whether the bytes were
// exactly a sequence of whole records.
std::vector<std::pair<int, size_t>> records(std::string_view bytes, bool& whole) {
  std::vector<std::pair<int, size_t>> out;
  size_t pos = 0;
  whole = true;
  while (pos < bytes.size()) {
    if (bytes.size() - pos < 5) {
      whole = false;
      break;
    }
    const auto* h = reinterpret_cast<const unsigned char*>(bytes.data() + pos);
    const size_t len = size_t{h[3]} << 8 | h[4];
    if (bytes.size() - pos - 5 < len) {
      whole = false;
      break;
    }
    out.emplace_back(h[0], len);
    pos += 5 + len;
  }
  return out;
}

TEST(TlsSession, HandshakeAndDataBothWays) {
  auto ctx = make_context();
  Session server = new_session(ctx);
  TestClient client(opts("a.example.com"));
  ASSERT_EQ(test::run_handshake(client, server), HandshakeStatus::kDone) << server.last_error();
  EXPECT_TRUE(server.handshake_done());
  EXPECT_EQ(server.protocol_version(), "TLSv1.3");
  EXPECT_EQ(server.alpn(), "h2");
  EXPECT_EQ(server.server_name(), "a.example.com");
  EXPECT_FALSE(server.session_reused());

  ASSERT_EQ(SSL_write(client.ssl(), "GET / HTTP/1.1\r\n\r\n", 18), 18);
  server.feed(client.take_output());
  char buf[256];
  ReadResult r = server.read(buf);
  ASSERT_EQ(r.status, ReadStatus::kData);
  EXPECT_EQ(std::string_view(buf, r.bytes), "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(server.read(buf).status, ReadStatus::kWantIo);

  ASSERT_TRUE(server.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi"));
  test::deliver_to_client(server, client);
  EXPECT_EQ(client.read_available(), "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi");
}

TEST(TlsSession, HelloRetryRequestKeepsCertificateAndFirstHelloFingerprint) {
  // The client's first key share is for P-521, which the server does not accept: the server
  // asks for another (RFC 8446 §4.1.4) and the ClientHello callback runs a second time.
  auto ctx = make_context();
  Session server = new_session(ctx);
  ClientOptions options = opts("b.example.com");
  options.groups = "P-521:X25519";
  TestClient client(options);
  ASSERT_EQ(SSL_do_handshake(client.ssl()), -1);
  const std::string first_flight = client.take_output();
  server.feed(first_flight);
  ASSERT_EQ(server.handshake(), HandshakeStatus::kWantIo);
  bool whole = false;
  const auto hrr = records(server.pending_output(), whole);
  ASSERT_TRUE(whole);
  ASSERT_FALSE(hrr.empty());
  EXPECT_EQ(hrr[0].first, 22);  // the HelloRetryRequest (a ServerHello), no certificate yet
  for (const auto& r : hrr) EXPECT_NE(r.first, 23) << "a full flight, not a retry request";
  test::deliver_to_client(server, client);
  ASSERT_EQ(test::run_handshake(client, server), HandshakeStatus::kDone) << server.last_error();
  EXPECT_EQ(client.peer_cn(), "b.example.com");
  EXPECT_EQ(server.certificate_index(), 1u);
  auto hello = parse_client_hello(
      {reinterpret_cast<const uint8_t*>(first_flight.data()), first_flight.size()});
  ASSERT_TRUE(hello.ok()) << hello.error().message();
  EXPECT_EQ(server.ja4(), compute_ja4(*hello).view());
}

TEST(TlsSession, ReadBeforeHandshakeDrivesIt) {
  auto ctx = make_context();
  Session server = new_session(ctx);
  TestClient client({});
  ASSERT_EQ(SSL_do_handshake(client.ssl()), -1);
  server.feed(client.take_output());
  char buf[64];
  EXPECT_EQ(server.read(buf).status, ReadStatus::kWantIo);
  EXPECT_FALSE(server.handshake_done());
  test::deliver_to_client(server, client);
  ASSERT_EQ(SSL_do_handshake(client.ssl()), 1);
  ASSERT_EQ(SSL_write(client.ssl(), "ping", 4), 4);
  server.feed(client.take_output());
  const ReadResult r = server.read(buf);
  ASSERT_EQ(r.status, ReadStatus::kData);
  EXPECT_EQ(std::string_view(buf, r.bytes), "ping");
  EXPECT_TRUE(server.handshake_done());
}

TEST(TlsSession, DataFedOneByteAtATime) {
  auto ctx = make_context();
  Session server = new_session(ctx);
  TestClient client({});
  ASSERT_EQ(SSL_do_handshake(client.ssl()), -1);
  const std::string hello = client.take_output();
  for (char c : hello) {
    ASSERT_NE(server.handshake(), HandshakeStatus::kError) << server.last_error();
    server.feed(std::string_view(&c, 1));
  }
  ASSERT_EQ(test::run_handshake(client, server), HandshakeStatus::kDone) << server.last_error();
  EXPECT_EQ(server.ja4().size(), kJa4Length);
}

TEST(TlsSession, AlpnSelection) {
  struct Row {
    std::vector<std::string> server;
    std::vector<std::string> client;
    std::string expect;  // "!" = handshake must fail
  };
  const Row rows[] = {
      {{"h2", "http/1.1"}, {"h2", "http/1.1"}, "h2"},
      {{"h2", "http/1.1"}, {"http/1.1", "h2"}, "h2"},  // server preference wins
      {{"h2", "http/1.1"}, {"http/1.1"}, "http/1.1"},
      {{"h2", "http/1.1"}, {}, ""},                    // client sends no ALPN
      {{"http/1.1"}, {"h2", "http/1.1"}, "http/1.1"},  // h2 switched off
      {{}, {"h2", "http/1.1"}, ""},                    // server without ALPN
      {{"h2", "http/1.1"}, {"h3", "spdy/3"}, "!"},     // RFC 7301 §3.2 fatal alert
  };
  for (const Row& row : rows) {
    ContextOptions options;
    options.alpn = row.server;
    auto ctx = make_context(options);
    Session server = new_session(ctx);
    ClientOptions with_alpn;
    with_alpn.alpn = row.client;
    TestClient client(with_alpn);
    const HandshakeStatus st = test::run_handshake(client, server);
    if (row.expect == "!") {
      EXPECT_EQ(st, HandshakeStatus::kError);
      EXPECT_NE(server.last_error().find("handshake"), std::string::npos);
      continue;
    }
    ASSERT_EQ(st, HandshakeStatus::kDone) << server.last_error();
    EXPECT_EQ(server.alpn(), row.expect) << "client list size " << row.client.size();
  }
}

TEST(TlsSession, SniPicksCertificate) {
  auto ctx = make_context();
  struct Row {
    std::string sni;
    std::string cn;
    size_t index;
  };
  const Row rows[] = {
      {"a.example.com", "a.example.com", 0},   {"b.example.com", "b.example.com", 1},
      {"B.EXAMPLE.com", "b.example.com", 1},   {"b2.example.com", "b.example.com", 1},
      {"x.wild.example.com", "wild", 2},       {"wild.example.com", "a.example.com", 0},
      {"a.b.wild.example.com", "a.example.com", 0}, {"unknown.test", "a.example.com", 0},
      {"", "a.example.com", 0},
  };
  for (const Row& row : rows) {
    Session server = new_session(ctx);
    TestClient client(opts(row.sni));
    ASSERT_EQ(test::run_handshake(client, server), HandshakeStatus::kDone) << row.sni;
    EXPECT_EQ(client.peer_cn(), row.cn) << "sni '" << row.sni << "'";
    EXPECT_EQ(server.certificate_index(), row.index) << "sni '" << row.sni << "'";
    EXPECT_EQ(server.server_name(), row.sni);
    EXPECT_EQ(ctx->select_certificate(row.sni), row.index);
  }
}

TEST(TlsSession, Tls12RefusedByDefaultAcceptedWithOption) {
  {
    auto ctx = make_context();
    Session server = new_session(ctx);
    TestClient client(opts("", TLS1_2_VERSION));
    EXPECT_EQ(test::run_handshake(client, server), HandshakeStatus::kError);
    EXPECT_NE(server.last_error().find("unsupported protocol"), std::string::npos)
        << server.last_error();
  }
  {
    ContextOptions options;
    options.allow_tls12 = true;
    auto ctx = make_context(options);
    Session server = new_session(ctx);
    TestClient client(opts("b.example.com", TLS1_2_VERSION));
    ASSERT_EQ(test::run_handshake(client, server), HandshakeStatus::kDone) << server.last_error();
    EXPECT_EQ(server.protocol_version(), "TLSv1.2");
    EXPECT_EQ(client.peer_cn(), "b.example.com");
    EXPECT_EQ(server.ja4().substr(0, 4), "t12d");
  }
}

// Full handshake, then returns the session the client got from the server's ticket.
SSL_SESSION* first_visit(const std::shared_ptr<const Context>& ctx, int max_version) {
  Session server = new_session(ctx);
  TestClient client(opts("a.example.com", max_version));
  EXPECT_EQ(test::run_handshake(client, server), HandshakeStatus::kDone);
  client.read_available();  // TLS 1.3: NewSessionTicket arrives after the handshake
  SSL_SESSION* session = SSL_get1_session(client.ssl());
  // Close properly: OpenSSL marks the session of a connection freed without a close_notify
  // as not resumable.
  SSL_shutdown(client.ssl());
  return session;
}

bool resumes(const std::shared_ptr<const Context>& ctx, SSL_SESSION* ticket, int max_version) {
  Session server = new_session(ctx);
  TestClient client(opts("a.example.com", max_version, ticket));
  EXPECT_EQ(test::run_handshake(client, server), HandshakeStatus::kDone) << server.last_error();
  EXPECT_EQ(server.session_reused(), SSL_session_reused(client.ssl()) == 1);
  SSL_shutdown(client.ssl());  // keeps `ticket` resumable (see first_visit)
  return server.session_reused();
}

TEST(TlsSession, ResumptionWithTicket) {
  auto ctx = make_context();
  SSL_SESSION* ticket = first_visit(ctx, TLS1_3_VERSION);
  ASSERT_NE(ticket, nullptr);
  EXPECT_EQ(SSL_SESSION_has_ticket(ticket), 1);
  EXPECT_TRUE(resumes(ctx, ticket, TLS1_3_VERSION));
  SSL_SESSION_free(ticket);
}

TEST(TlsSession, ResumptionTls12WhenAllowed) {
  ContextOptions options;
  options.allow_tls12 = true;
  auto ctx = make_context(options);
  SSL_SESSION* ticket = first_visit(ctx, TLS1_2_VERSION);
  ASSERT_NE(ticket, nullptr);
  EXPECT_TRUE(resumes(ctx, ticket, TLS1_2_VERSION));
  SSL_SESSION_free(ticket);
}

TEST(TlsSession, TicketsDisabled) {
  ContextOptions options;
  options.session_tickets = false;
  auto ctx = make_context(options);
  SSL_SESSION* ticket = first_visit(ctx, TLS1_3_VERSION);
  ASSERT_NE(ticket, nullptr);
  EXPECT_EQ(SSL_SESSION_has_ticket(ticket), 0);
  SSL_SESSION_free(ticket);
}

TEST(TlsSession, TicketFromOneContextAcceptedByAnotherWithTheSameRing) {
  auto ring = TicketKeyRing::create();
  ASSERT_TRUE(ring.ok());
  ContextOptions shared;
  shared.ticket_keys = *ring;
  auto worker1 = make_context(shared);
  auto worker2 = make_context(shared);
  auto stranger = make_context();  // its own random ring
  SSL_SESSION* ticket = first_visit(worker1, TLS1_3_VERSION);
  ASSERT_NE(ticket, nullptr);
  EXPECT_TRUE(resumes(worker2, ticket, TLS1_3_VERSION));
  EXPECT_FALSE(resumes(stranger, ticket, TLS1_3_VERSION));
  SSL_SESSION_free(ticket);
}

TEST(TlsSession, TicketKeysRotate) {
  auto made = TicketKeyRing::create(3600);
  ASSERT_TRUE(made.ok());
  std::shared_ptr<TicketKeyRing> ring = *made;
  ContextOptions options;
  options.ticket_keys = ring;
  auto ctx = make_context(options);
  const int64_t t0 = 1'700'000'000 / 3600 * 3600 + 10;  // start of an epoch
  ring->set_time_for_test(t0);
  SSL_SESSION* ticket = first_visit(ctx, TLS1_3_VERSION);
  ASSERT_NE(ticket, nullptr);
  EXPECT_TRUE(resumes(ctx, ticket, TLS1_3_VERSION));
  ring->set_time_for_test(t0 + 3600);  // next epoch: previous key still accepted
  EXPECT_TRUE(resumes(ctx, ticket, TLS1_3_VERSION));
  ring->set_time_for_test(t0 + 2 * 3600);  // two epochs on: retired
  EXPECT_FALSE(resumes(ctx, ticket, TLS1_3_VERSION));
  SSL_SESSION_free(ticket);
}

TEST(TlsSession, SmallWriteIsExactlyOneRecord) {
  auto ctx = make_context();
  Session server = new_session(ctx);
  TestClient client({});
  ASSERT_EQ(test::run_handshake(client, server), HandshakeStatus::kDone);
  ASSERT_TRUE(server.pending_output().empty());  // tickets already delivered
  const std::string response =
      "HTTP/1.1 200 OK\r\ncontent-length: 174\r\n\r\n" + std::string(174, 'x');
  ASSERT_TRUE(server.write(response));
  bool whole = false;
  const auto recs = records(server.pending_output(), whole);
  ASSERT_TRUE(whole);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].first, 23);  // application_data
  // TLS 1.3 AEAD record: plaintext + 1 content-type byte + 16-byte tag (RFC 8446 §5.2).
  EXPECT_EQ(recs[0].second, response.size() + 1 + 16);
  test::deliver_to_client(server, client);
  EXPECT_EQ(client.read_available(), response);

  EXPECT_TRUE(server.write(""));  // no empty record
  EXPECT_TRUE(server.pending_output().empty());

  const std::string big(40000, 'y');  // 16384 + 16384 + 7232
  ASSERT_TRUE(server.write(big));
  const auto big_recs = records(server.pending_output(), whole);
  ASSERT_TRUE(whole);
  ASSERT_EQ(big_recs.size(), 3u);
  test::deliver_to_client(server, client);
  EXPECT_EQ(client.read_available(), big);
}

TEST(TlsSession, SwapOutputHandsOverAllCiphertext) {
  auto ctx = make_context();
  Session server = new_session(ctx);
  TestClient client({});
  ASSERT_EQ(test::run_handshake(client, server), HandshakeStatus::kDone);
  ASSERT_TRUE(server.write("one"));
  server.consume_output(2);  // pretend 2 bytes already went out
  std::string first(server.pending_output());
  std::string buf = "stale";
  server.swap_output(buf);
  EXPECT_EQ(buf, first);
  EXPECT_TRUE(server.pending_output().empty());
  ASSERT_TRUE(server.write("two"));
  EXPECT_FALSE(server.pending_output().empty());
}

TEST(TlsSession, CloseNotifyBothWays) {
  auto ctx = make_context();
  Session server = new_session(ctx);
  TestClient client({});
  ASSERT_EQ(test::run_handshake(client, server), HandshakeStatus::kDone);
  server.close_notify();
  test::deliver_to_client(server, client);
  char b[16];
  size_t n = 0;
  EXPECT_EQ(SSL_read_ex(client.ssl(), b, sizeof b, &n), 0);
  EXPECT_EQ(SSL_get_error(client.ssl(), 0), SSL_ERROR_ZERO_RETURN);
  EXPECT_FALSE(server.write("late"));

  Session server2 = new_session(ctx);
  TestClient client2({});
  ASSERT_EQ(test::run_handshake(client2, server2), HandshakeStatus::kDone);
  SSL_shutdown(client2.ssl());
  server2.feed(client2.take_output());
  char buf[64];
  EXPECT_EQ(server2.read(buf).status, ReadStatus::kClosed);
  ERR_clear_error();
}

TEST(TlsSession, EofWithoutCloseNotifyIsClosed) {
  auto ctx = make_context();
  Session server = new_session(ctx);
  TestClient client({});
  ASSERT_EQ(test::run_handshake(client, server), HandshakeStatus::kDone);
  char buf[64];
  EXPECT_EQ(server.read(buf).status, ReadStatus::kWantIo);
  server.feed_eof();
  EXPECT_EQ(server.read(buf).status, ReadStatus::kClosed);
}

TEST(TlsSession, EofDuringHandshakeIsAnError) {
  auto ctx = make_context();
  Session server = new_session(ctx);
  TestClient client({});
  SSL_do_handshake(client.ssl());
  const std::string hello = client.take_output();
  server.feed(std::string_view(hello).substr(0, 20));
  EXPECT_EQ(server.handshake(), HandshakeStatus::kWantIo);
  server.feed_eof();
  EXPECT_EQ(server.handshake(), HandshakeStatus::kError);
  EXPECT_FALSE(server.last_error().empty());
}

TEST(TlsSession, GarbageIsRejectedWithAnAlert) {
  auto ctx = make_context();
  Session server = new_session(ctx);
  server.feed(std::string_view("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(server.handshake(), HandshakeStatus::kError);
  EXPECT_NE(server.last_error().find("TLS handshake"), std::string::npos);
  EXPECT_EQ(server.handshake(), HandshakeStatus::kError);  // stays failed
  EXPECT_TRUE(server.ja4().empty());
  bool whole = false;
  const auto recs = records(server.pending_output(), whole);
  // OpenSSL answers a non-TLS first record with an alert or nothing; never handshake data.
  for (const auto& r : recs) EXPECT_EQ(r.first, 21);
}

TEST(TlsSession, DestroyedAtAnyPointOfTheHandshake) {
  auto ctx = make_context();
  // Before any input, after a partial hello, after the server flight with output pending.
  { Session s = new_session(ctx); }
  TestClient client({});
  SSL_do_handshake(client.ssl());
  const std::string hello = client.take_output();
  {
    Session s = new_session(ctx);
    s.feed(std::string_view(hello).substr(0, hello.size() / 2));
    EXPECT_EQ(s.handshake(), HandshakeStatus::kWantIo);
  }
  {
    Session s = new_session(ctx);
    s.feed(hello);
    EXPECT_EQ(s.handshake(), HandshakeStatus::kWantIo);
    EXPECT_FALSE(s.pending_output().empty());
  }
  // Moved-from and moved-to sessions.
  Session a = new_session(ctx);
  a.feed(hello);
  Session b = std::move(a);
  EXPECT_EQ(b.handshake(), HandshakeStatus::kWantIo);
  EXPECT_EQ(b.ja4().size(), kJa4Length);
}

TEST(TlsSession, Ja4MatchesParserOnTheClientsOwnBytes) {
  auto ctx = make_context();
  for (const char* sni : {"a.example.com", ""}) {
    for (bool alpn : {true, false}) {
      Session server = new_session(ctx);
      ClientOptions options;
      options.sni = sni;
      if (!alpn) options.alpn.clear();
      TestClient client(options);
      ASSERT_EQ(test::run_handshake(client, server), HandshakeStatus::kDone);
      const std::string& sent = client.sent();
      auto hello = parse_client_hello(
          {reinterpret_cast<const uint8_t*>(sent.data()), sent.size()});
      ASSERT_TRUE(hello.ok()) << hello.error().message();
      EXPECT_EQ(server.ja4(), compute_ja4(*hello).view());
      // OpenSSL 3.0 client: TLS 1.3, SNI as configured, ALPN as configured.
      EXPECT_EQ(server.ja4().substr(0, 4), *sni ? "t13d" : "t13i");
      EXPECT_EQ(server.ja4().substr(8, 2), alpn ? "h2" : "00");
    }
  }
}

}  // namespace
}  // namespace zs::tls
