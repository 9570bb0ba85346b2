// Hostile peers scripted frame by frame (reliability.md §2.E): rapid reset, CONTINUATION flood,
// HPACK bomb, SETTINGS/PING floods from a client that never reads, empty frames, server-made
// resets, and malformed requests. Each case checks the attacker is cut off (or its stream
// refused) and that a good request afterwards still works where the connection survives.
#include <gtest/gtest.h>

#include "h2_test_support.hh"

namespace zs::http::h2::test {
namespace {

constexpr uint8_t kEndStream = NGHTTP2_FLAG_END_STREAM;
constexpr uint8_t kEndHeaders = NGHTTP2_FLAG_END_HEADERS;

// A started connection: preface and SETTINGS exchanged.
struct Conn {
  Driver server;
  RawPeer peer;
  explicit Conn(const Settings& s = Settings{}) : server(s) {
    peer.read(server.take_output());
    EXPECT_TRUE(server.feed(RawPeer::opening()));
    step();
  }
  // Feeds `bytes` in 16 KiB reads, running the caller's loop between reads as a connection
  // coroutine would; returns whether every feed succeeded.
  bool send(std::string_view bytes) {
    bool ok = true;
    for (size_t at = 0; at < bytes.size() && ok; at += 16 * 1024) {
      ok = server.feed(bytes.substr(at, 16 * 1024));
      step();
    }
    return ok;
  }
  void step() {
    server.service();
    peer.read(server.take_output());
  }
  std::string get(uint32_t stream, std::string path = "/") {
    return frame(NGHTTP2_HEADERS, kEndStream | kEndHeaders, stream, block(get_fields(std::move(path))));
  }
};

TEST(H2Attack, GoodRequestOverRawFrames) {
  Conn c;
  EXPECT_TRUE(c.send(c.get(1, "/raw")));
  EXPECT_EQ(c.peer.statuses[1], 200);
  EXPECT_EQ(c.peer.data[1], "hello\n");
}

TEST(H2Attack, RapidResetEndsTheConnection) {
  Conn c;
  std::string flood;
  for (uint32_t i = 0; i < 10'000; ++i) {
    const uint32_t id = 1 + 2 * i;
    flood += c.get(id);
    flood += frame(NGHTTP2_RST_STREAM, 0, id, be32(NGHTTP2_CANCEL));
  }
  c.send(flood);
  EXPECT_GE(c.peer.goaways, 1);
  EXPECT_FALSE(c.server.session->want_read());
  // Requests reset in the same read never reach the handler.
  EXPECT_LT(c.server.dispatched, 100u);
  EXPECT_EQ(c.server.session->open_streams(), 0u);
}

TEST(H2Attack, ContinuationFloodIsCutOff) {
  Conn c;
  std::string flood = frame(NGHTTP2_HEADERS, kEndStream, 1, block(get_fields()));
  for (int i = 0; i < 10'000; ++i) flood += frame(NGHTTP2_CONTINUATION, 0, 1, literal("x-a", "b"));
  EXPECT_FALSE(c.send(flood));
  EXPECT_EQ(c.server.feed_errors, 1u);  // the first read already failed; nothing more accepted
  EXPECT_EQ(c.server.dispatched, 0u);
  EXPECT_FALSE(c.server.session->want_read());
}

TEST(H2Attack, HpackBombGets431AndTheNextRequestWorks) {
  Conn c;
  // One 4,000-byte entry in the dynamic table, then 20,000 one-byte references to it
  // (about 80 MB decoded from 24 KB on the wire).
  std::string blk("\x82\x87\x84", 3);  // :method GET, :scheme https, :path /
  blk += literal(":authority", "example.test");
  blk += literal_indexed("x-bomb", std::string(4000, 'B'));
  blk += std::string(20'000, '\xbe');  // indexed field 62
  std::string wire = frame(NGHTTP2_HEADERS, kEndStream, 1, std::string_view(blk).substr(0, 16'000));
  wire += frame(NGHTTP2_CONTINUATION, kEndHeaders, 1, std::string_view(blk).substr(16'000));
  EXPECT_TRUE(c.send(wire));
  EXPECT_EQ(c.peer.statuses[1], 431);
  EXPECT_NE(c.peer.data[1].find("header list too large"), std::string::npos) << c.peer.data[1];
  EXPECT_EQ(c.server.dispatched, 0u);
  // The decoder state survived: a request referencing the same table entry still decodes.
  std::string next = std::string("\x82\x87\x84", 3) + literal(":authority", "example.test") + "\xbe";
  EXPECT_TRUE(c.send(frame(NGHTTP2_HEADERS, kEndStream | kEndHeaders, 3, next)));
  EXPECT_EQ(c.peer.statuses[3], 200);
  EXPECT_EQ(c.server.dispatched, 1u);
}

TEST(H2Attack, AFewHugeFieldsGet431) {
  Conn c;
  Fields f = get_fields();
  for (int i = 0; i < 3; ++i) f.push_back({"x-big" + std::to_string(i), std::string(30'000, 'v')});
  const std::string blk = block(f);
  std::string wire = frame(NGHTTP2_HEADERS, kEndStream, 1, std::string_view(blk).substr(0, 16'000));
  for (size_t at = 16'000; at < blk.size(); at += 16'000) {
    const bool last = at + 16'000 >= blk.size();
    wire += frame(NGHTTP2_CONTINUATION, last ? kEndHeaders : 0, 1, std::string_view(blk).substr(at, 16'000));
  }
  EXPECT_TRUE(c.send(wire));
  EXPECT_EQ(c.peer.statuses[1], 431);
  EXPECT_NE(c.peer.data[1].find("header list too large"), std::string::npos) << c.peer.data[1];
  c.send(c.get(3));
  EXPECT_EQ(c.peer.statuses[3], 200);
}

TEST(H2Attack, TooManyFieldsGets431) {
  Conn c;
  Fields f = get_fields();
  for (int i = 0; i < 150; ++i) f.push_back({"x-f" + std::to_string(i), "v"});
  EXPECT_TRUE(c.send(frame(NGHTTP2_HEADERS, kEndStream | kEndHeaders, 1, block(f))));
  EXPECT_EQ(c.peer.statuses[1], 431);
}

TEST(H2Attack, SettingsFloodWithoutReadingIsBounded) {
  Driver server;
  std::string flood = RawPeer::opening();
  for (int i = 0; i < 5'000; ++i) flood += frame(NGHTTP2_SETTINGS, 0, 0, "");
  // The caller never sends anything: nghttp2's queue of ACKs hits max_outbound_ack.
  EXPECT_FALSE(server.feed(flood));
  EXPECT_NE(server.last_error.find("Flooding"), std::string::npos) << server.last_error;
}

TEST(H2Attack, PingFloodAgainstAClientThatNeverReadsIsBounded) {
  Driver server;
  EXPECT_TRUE(server.feed(RawPeer::opening()));
  std::string ping = frame(NGHTTP2_PING, 0, 0, std::string(8, 'p'));
  bool ok = true;
  int sent = 0;
  // The caller keeps pulling output but the socket takes nothing (consume nothing): output
  // stops at the high-water mark, ACKs queue in nghttp2, and the flood limit trips.
  while (ok && sent < 200'000) {
    std::string burst;
    for (int i = 0; i < 1000; ++i) burst += ping;
    sent += 1000;
    ok = server.feed(burst);
    const size_t out = server.session->pending_output().size();
    EXPECT_LE(out, Settings{}.output_high_water + 64);
    EXPECT_EQ(server.session->want_read(), ok && out < Settings{}.output_high_water);
  }
  EXPECT_FALSE(ok);
  EXPECT_LT(sent, 200'000);
}

TEST(H2Attack, EmptyDataFramesEndTheConnection) {
  Conn c;
  std::string wire = frame(NGHTTP2_HEADERS, kEndHeaders, 1, block(get_fields()));
  for (int i = 0; i < 1000; ++i) wire += frame(NGHTTP2_DATA, 0, 1, "");
  EXPECT_FALSE(c.send(wire));
  EXPECT_FALSE(c.server.session->want_read());
}

TEST(H2Attack, AFewEmptyFramesAreTolerated) {
  Conn c;
  std::string wire = frame(NGHTTP2_HEADERS, kEndHeaders, 1, block(get_fields()));
  for (int i = 0; i < 5; ++i) wire += frame(NGHTTP2_DATA, 0, 1, "");
  wire += frame(NGHTTP2_DATA, kEndStream, 1, "");
  EXPECT_TRUE(c.send(wire));
  EXPECT_EQ(c.peer.statuses[1], 200);
}

// MadeYouReset (CVE-2025-8671): a stream WINDOW_UPDATE that overflows the window (RFC 9113
// §6.9.1) makes the server reset that stream; the server must stop after a bounded number.
// (nghttp2 1.52 treats a zero increment as a connection error, so that primitive is moot.)
TEST(H2Attack, ServerSentResetsAreBounded) {
  Conn c;
  // Twenty at a time: in one huge burst the pending resets would first trip the concurrency
  // limit (a PROTOCOL_ERROR GOAWAY, which also ends the attack but tests something else).
  uint32_t id = 1;
  for (int round = 0; round < 50 && c.peer.goaways == 0; ++round) {
    std::string wire;
    for (int i = 0; i < 20; ++i, id += 2) {
      wire += frame(NGHTTP2_HEADERS, kEndHeaders, id, block(get_fields()));
      wire += frame(NGHTTP2_WINDOW_UPDATE, 0, id, be32(0x7fffffff));
    }
    c.send(wire);
  }
  EXPECT_EQ(c.peer.goaways, 1);
  EXPECT_EQ(c.peer.goaway_error, static_cast<uint32_t>(NGHTTP2_ENHANCE_YOUR_CALM));
  EXPECT_GE(c.server.session->server_resets(), 100u);
  EXPECT_LE(c.server.session->server_resets(), 120u);
  EXPECT_FALSE(c.server.session->want_read());
}

TEST(H2Attack, GoodRequestsRefillTheServerResetBudget) {
  Settings s;
  s.max_server_resets = 3;
  Conn c(s);
  uint32_t id = 1;
  for (int round = 0; round < 10; ++round) {
    // Two stream errors, then two good requests: never three errors in a row.
    for (int i = 0; i < 2; ++i, id += 2) {
      c.send(frame(NGHTTP2_HEADERS, kEndHeaders, id, block(get_fields())) +
             frame(NGHTTP2_WINDOW_UPDATE, 0, id, be32(0x7fffffff)));
    }
    for (int i = 0; i < 2; ++i, id += 2) c.send(c.get(id));
  }
  EXPECT_EQ(c.peer.goaways, 0);
  EXPECT_EQ(c.server.session->server_resets(), 20u);
  EXPECT_TRUE(c.server.session->want_read());
}

// RFC 9113 §5.1.2: past SETTINGS_MAX_CONCURRENT_STREAMS (once acknowledged) nghttp2 answers
// with a PROTOCOL_ERROR connection error; at no point are more than 100 streams open.
TEST(H2Attack, StreamsPastTheConcurrencyLimitEndTheConnection) {
  Conn c;
  std::string wire;
  for (uint32_t i = 0; i < 150; ++i) wire += frame(NGHTTP2_HEADERS, kEndHeaders, 1 + 2 * i, block(get_fields()));
  c.send(wire);
  EXPECT_EQ(c.peer.goaways, 1);
  EXPECT_EQ(c.peer.goaway_error, static_cast<uint32_t>(NGHTTP2_PROTOCOL_ERROR));
  EXPECT_LE(c.server.session->open_streams(), 100u);
  EXPECT_FALSE(c.server.session->want_read());
}

TEST(H2Attack, ExactlyTheConcurrencyLimitIsFine) {
  Conn c;
  c.server.auto_dispatch = false;
  std::string wire;
  for (uint32_t i = 0; i < 100; ++i) wire += c.get(1 + 2 * i);
  c.send(wire);
  EXPECT_EQ(c.peer.goaways, 0);
  EXPECT_EQ(c.server.held.size(), 100u);
}

// Streams reset after dispatch stay with the caller until it lets go (a handler may still be
// running); they no longer count in nghttp2's concurrency, so the session stops reading once
// as many pile up as the concurrency limit allows, and refuses streams past twice that.
TEST(H2Attack, CancelledStreamsTheCallerHoldsStopReading) {
  Settings s;
  s.max_concurrent_streams = 10;
  Conn c(s);
  c.server.auto_dispatch = false;
  c.server.auto_release = false;
  uint32_t id = 1;
  for (int i = 0; i < 10; ++i, id += 2) {
    c.send(c.get(id));
    c.send(frame(NGHTTP2_RST_STREAM, 0, id, be32(NGHTTP2_CANCEL)));
  }
  EXPECT_EQ(c.server.cancelled.size(), 10u);
  EXPECT_FALSE(c.server.session->want_read());
  // A peer that keeps writing anyway gets its new streams refused, not queued.
  std::string more;
  for (int i = 0; i < 15; ++i, id += 2) more += c.get(id) + frame(NGHTTP2_RST_STREAM, 0, id, be32(NGHTTP2_CANCEL));
  c.send(more);
  EXPECT_LE(c.server.session->open_streams(), 20u);
  // The caller lets go: reading resumes.
  for (int32_t cancelled : c.server.cancelled) c.server.session->release(cancelled);
  EXPECT_TRUE(c.server.session->want_read());
  EXPECT_EQ(c.server.session->open_streams(), 0u);
}

// The late-stream race of the double GOAWAY: a HEADERS in the same read as the PING ACK is
// processed before the final GOAWAY is written, so the final GOAWAY must name it.
TEST(H2Attack, FinalGoawayCoversStreamsArrivingWithThePingAck) {
  Conn c;
  c.server.auto_dispatch = false;
  c.send(frame(NGHTTP2_HEADERS, kEndStream | kEndHeaders, 1, block(get_fields("/a"))));
  c.server.session->begin_shutdown();
  const std::vector<Frame> out = c.peer.read(c.server.take_output());
  std::string opaque;
  for (const Frame& f : out) {
    if (f.type == NGHTTP2_PING) opaque = f.payload;
  }
  ASSERT_EQ(opaque.size(), 8u);
  EXPECT_EQ(c.peer.goaways, 1);
  c.send(frame(NGHTTP2_PING, NGHTTP2_FLAG_ACK, 0, opaque) + c.get(3, "/late"));
  ASSERT_EQ(c.peer.goaways, 2);
  const Frame* last = nullptr;
  for (const Frame& f : c.peer.all) {
    if (f.type == NGHTTP2_GOAWAY) last = &f;
  }
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(read32(last->payload, 0), 3u);
  EXPECT_EQ(c.server.held.size(), 2u);
  // Anything newer than the final GOAWAY is ignored.
  c.send(c.get(5, "/too-late"));
  EXPECT_EQ(c.server.held.size(), 2u);
}

// ---------------------------------------------------------------------------------------------
// Malformed requests (RFC 9113 §8.1.1, §8.2, §8.3): RST_STREAM PROTOCOL_ERROR, nothing
// dispatched, and the connection serves the next request.

struct BadCase {
  const char* name;
  Fields fields;
  bool malformed;  // false: the positive control next to it
};

Fields with(Fields f, std::string n, std::string v) {
  f.push_back({std::move(n), std::move(v)});
  return f;
}

Fields without(Fields f, std::string_view n) {
  std::erase_if(f, [&](const auto& p) { return p.first == n; });
  return f;
}

std::vector<BadCase> bad_cases() {
  const Fields g = get_fields();
  Fields dup_method = g;
  dup_method.insert(dup_method.begin() + 1, {":method", "POST"});
  Fields pseudo_late = {{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {"x-a", "1"}, {":path", "/"}};
  return {
      {"missing_path", without(g, ":path"), true},
      {"missing_method", without(g, ":method"), true},
      {"missing_scheme", without(g, ":scheme"), true},
      {"path_without_slash", with(without(g, ":path"), ":path", "index.html"), true},
      {"empty_path", with(without(g, ":path"), ":path", ""), true},
      {"asterisk_path_on_get", with(without(g, ":path"), ":path", "*"), true},
      {"duplicate_method", dup_method, true},
      {"unknown_pseudo", with(g, ":foo", "x"), true},
      {"status_in_request", with(g, ":status", "200"), true},
      {"pseudo_after_regular", pseudo_late, true},
      {"uppercase_name", with(g, "X-Upper", "1"), true},
      {"connection", with(g, "connection", "keep-alive"), true},
      {"keep_alive", with(g, "keep-alive", "timeout=5"), true},
      {"transfer_encoding", with(g, "transfer-encoding", "chunked"), true},
      {"upgrade", with(g, "upgrade", "h2c"), true},
      {"te_gzip", with(g, "te", "gzip"), true},
      {"te_trailers", with(g, "te", "trailers"), false},
      {"cr_in_value", with(g, "x-a", "a\rb"), true},
      {"lf_in_value", with(g, "x-a", "a\nb"), true},
      {"nul_in_value", with(g, "x-a", std::string("a\0b", 3)), true},
      {"leading_space_in_value", with(g, "x-a", " a"), true},
      {"space_in_name", with(g, "x a", "1"), true},
      {"host_differs", with(g, "host", "other.test"), true},
      {"host_same", with(g, "host", "EXAMPLE.test"), false},
      {"host_twice", with(with(without(g, ":authority"), "host", "a.test"), "host", "a.test"), true},
      {"authority_with_userinfo", {{":method", "GET"}, {":scheme", "https"}, {":authority", "u@h"}, {":path", "/"}}, true},
      {"bad_content_length", with(g, "content-length", "abc"), true},
      {"space_in_path", with(without(g, ":path"), ":path", "/a b"), true},
      {"options_asterisk", {{":method", "OPTIONS"}, {":scheme", "https"}, {":authority", "h"}, {":path", "*"}}, false},
      {"no_authority_nor_host", without(g, ":authority"), true},
      {"host_instead_of_authority", with(without(g, ":authority"), "host", "h.test"), false},
      {"plain_get", g, false},
  };
}

TEST(H2Malformed, EachCaseIsAStreamErrorAndTheConnectionSurvives) {
  for (const BadCase& bc : bad_cases()) {
    Conn c;
    c.send(frame(NGHTTP2_HEADERS, kEndStream | kEndHeaders, 1, block(bc.fields)));
    if (bc.malformed) {
      EXPECT_EQ(c.peer.resets.count(1), 1u) << bc.name;
      EXPECT_EQ(c.peer.resets[1], static_cast<uint32_t>(NGHTTP2_PROTOCOL_ERROR)) << bc.name;
      EXPECT_EQ(c.peer.statuses.count(1), 0u) << bc.name;
      EXPECT_EQ(c.server.dispatched, 0u) << bc.name;
    } else {
      EXPECT_EQ(c.peer.statuses[1], 200) << bc.name;
      EXPECT_EQ(c.peer.resets.count(1), 0u) << bc.name;
    }
    c.send(c.get(3, "/next"));
    EXPECT_EQ(c.peer.statuses[3], 200) << bc.name;
    EXPECT_EQ(c.peer.goaways, 0) << bc.name;
  }
}

TEST(H2Malformed, ContentLengthMismatchResetsTheStream) {
  for (const char* body : {"0123456789", "012"}) {
    Conn c;
    Fields f = with(get_fields(), "content-length", "5");
    f[0].second = "POST";
    c.send(frame(NGHTTP2_HEADERS, kEndHeaders, 1, block(f)) + frame(NGHTTP2_DATA, kEndStream, 1, body));
    EXPECT_EQ(c.peer.resets[1], static_cast<uint32_t>(NGHTTP2_PROTOCOL_ERROR)) << body;
    EXPECT_EQ(c.server.dispatched, 0u) << body;
    c.send(c.get(3));
    EXPECT_EQ(c.peer.statuses[3], 200) << body;
  }
}

TEST(H2Malformed, UnsupportedExpectationGets417) {
  Conn c;
  c.send(frame(NGHTTP2_HEADERS, kEndStream | kEndHeaders, 1, block(with(get_fields(), "expect", "magic"))));
  EXPECT_EQ(c.peer.statuses[1], 417);
}

TEST(H2Malformed, TrailersAreAcceptedButNotKept) {
  Conn c;
  Fields f = get_fields();
  f[0].second = "POST";
  c.send(frame(NGHTTP2_HEADERS, kEndHeaders, 1, block(f)) + frame(NGHTTP2_DATA, 0, 1, "abc") +
         frame(NGHTTP2_HEADERS, kEndStream | kEndHeaders, 1, block({{"x-trailer", "1"}})));
  EXPECT_EQ(c.peer.statuses[1], 200);
  EXPECT_EQ(c.server.dispatched, 1u);
}

}  // namespace
}  // namespace zs::http::h2::test
