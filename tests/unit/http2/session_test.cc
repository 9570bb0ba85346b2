// Session against an nghttp2 client in memory: requests in, responses out, bodies both ways,
// flow control with file-backed bodies, cancellation and graceful shutdown.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <random>

#include "h2_test_support.hh"

namespace zs::http::h2::test {
namespace {

TEST(H2Session, GetRoundTripCarriesHeadAndResponseFields) {
  Driver server;
  std::string seen_method, seen_path, seen_authority, seen_host, seen_scheme, seen_cookie, seen_x;
  size_t seen_fields = 0;
  server.handler = [&](const StreamRequest& req, Response& res) {
    const RequestHead& h = *req.head;
    seen_method = std::string(h.method_token) + (h.method == Method::kGet ? "/kGet" : "/other");
    seen_path = h.path;
    seen_authority = h.authority;
    seen_host = h.host;
    seen_scheme = req.scheme;
    if (const Header* c = h.find("cookie")) seen_cookie = c->value;
    if (const Header* x = h.find("x-test")) seen_x = x->value;
    seen_fields = h.header_count;
    hello_handler(req, res);
  };
  Client client;
  Fields f = get_fields("/index.html?q=1");
  f.push_back({"cookie", "a=1"});
  f.push_back({"x-test", "yes"});
  f.push_back({"cookie", "b=2"});
  const int32_t id = client.request(f);
  pump(client, server);

  ASSERT_EQ(server.dispatched, 1u);
  EXPECT_EQ(seen_method, "GET/kGet");
  EXPECT_EQ(seen_path, "/index.html?q=1");
  EXPECT_EQ(seen_authority, "example.test");
  EXPECT_EQ(seen_host, "example.test");
  EXPECT_EQ(seen_scheme, "https");
  EXPECT_EQ(seen_cookie, "a=1; b=2");  // RFC 9113 §8.2.3 crumbs joined
  EXPECT_EQ(seen_x, "yes");
  EXPECT_EQ(seen_fields, 2u);  // cookie (joined) and x-test; pseudo-headers are not fields

  const ClientStream& s = client.streams[id];
  EXPECT_TRUE(s.closed);
  EXPECT_EQ(s.close_error, 0u);
  EXPECT_EQ(s.status, 200);
  EXPECT_EQ(s.body, "hello\n");
  EXPECT_EQ(header_of(s, "content-type"), "text/plain");  // lowercased from Content-Type
  EXPECT_EQ(header_of(s, "x-path"), "/index.html?q=1");
  EXPECT_EQ(header_of(s, "content-length"), "6");
  EXPECT_EQ(header_of(s, "date"), std::string(kDate));
  EXPECT_EQ(header_of(s, "server"), "zeroserve");
  EXPECT_EQ(server.session->open_streams(), 0u);
}

TEST(H2Session, HeadSendsLengthButNoBody) {
  Driver server;
  Client client;
  Fields f = get_fields("/x");
  f[0].second = "HEAD";
  const int32_t id = client.request(f);
  pump(client, server);
  const ClientStream& s = client.streams[id];
  EXPECT_EQ(s.status, 200);
  EXPECT_EQ(header_of(s, "content-length"), "6");
  EXPECT_TRUE(s.body.empty());
  EXPECT_TRUE(s.closed);
}

TEST(H2Session, NoBodyStatusesHaveNoContentLength) {
  for (uint16_t status : {204, 304}) {
    Driver server;
    server.handler = [status](const StreamRequest&, Response& res) { res.status = status; };
    Client client;
    const int32_t id = client.request(get_fields());
    pump(client, server);
    EXPECT_EQ(client.streams[id].status, status);
    EXPECT_EQ(header_of(client.streams[id], "content-length"), "<absent>") << status;
  }
}

TEST(H2Session, ConnectionSpecificAndInvalidResponseFieldsAreDropped) {
  Driver server;
  server.handler = [](const StreamRequest& req, Response& res) {
    res.add_header("Connection", "close");
    res.add_header("Transfer-Encoding", "chunked");
    res.add_header("X-Split", "a\r\nb");
    res.add_header("Content-Length", "999");
    res.add_header("X-Fine", "ok");
    hello_handler(req, res);
  };
  Client client;
  const int32_t id = client.request(get_fields());
  pump(client, server);
  const ClientStream& s = client.streams[id];
  EXPECT_EQ(s.status, 200);
  EXPECT_EQ(s.close_error, 0u);
  EXPECT_EQ(header_of(s, "connection"), "<absent>");
  EXPECT_EQ(header_of(s, "transfer-encoding"), "<absent>");
  EXPECT_EQ(header_of(s, "x-split"), "<absent>");
  EXPECT_EQ(header_of(s, "content-length"), "6");
  EXPECT_EQ(header_of(s, "x-fine"), "ok");
}

TEST(H2Session, PostBodyIsCollected) {
  Settings settings;
  settings.keep_request_body = true;
  Driver server(settings);
  std::string got;
  uint64_t got_len = 0;
  BodyFraming framing = BodyFraming::kNone;
  server.handler = [&](const StreamRequest& req, Response& res) {
    got = req.body;
    got_len = req.head->content_length;
    framing = req.head->body;
    res.add_memory(res.keep_number(req.body_length));
  };
  Client client;
  std::string body(100'000, 'x');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  Fields f = get_fields("/upload");
  f[0].second = "POST";
  const int32_t id = client.request(f, body);
  pump(client, server);
  EXPECT_EQ(got, body);
  EXPECT_EQ(got_len, body.size());
  EXPECT_EQ(framing, BodyFraming::kContentLength);
  EXPECT_EQ(client.streams[id].body, "100000");
}

TEST(H2Session, BodyOverLimitGets413AndTheConnectionGoesOn) {
  Settings settings;
  settings.max_request_body = 1000;
  for (bool declared : {false, true}) {
    Driver server(settings);
    Client client;
    Fields f = get_fields("/upload");
    f[0].second = "POST";
    if (declared) f.push_back({"content-length", "5000"});
    const int32_t id = client.request(f, std::string(5000, 'z'));
    pump(client, server);
    EXPECT_EQ(client.streams[id].status, 413) << declared;
    EXPECT_EQ(server.dispatched, 0u) << declared;
    const int32_t next = client.request(get_fields("/after"));
    pump(client, server);
    EXPECT_EQ(client.streams[next].status, 200) << declared;
    EXPECT_EQ(server.session->open_streams(), 0u) << declared;
  }
}

TEST(H2Session, ExpectContinueGetsAnInterimResponse) {
  Driver server;
  Client client;
  Fields f = get_fields("/upload");
  f[0].second = "PUT";
  f.push_back({"expect", "100-continue"});
  const int32_t id = client.request(f, "data");
  pump(client, server);
  EXPECT_EQ(client.non_final_headers, 1);
  EXPECT_EQ(client.streams[id].status, 200);
}

TEST(H2Session, ManyConcurrentStreams) {
  Driver server;
  Client client;
  std::map<int32_t, std::string> paths;
  for (int i = 0; i < 250; ++i) {  // more than the 100 concurrent: the client queues the rest
    const std::string p = "/item/" + std::to_string(i);
    paths[client.request(get_fields(p))] = p;
  }
  pump(client, server);
  EXPECT_EQ(server.dispatched, 250u);
  for (const auto& [id, p] : paths) {
    EXPECT_EQ(client.streams[id].status, 200) << p;
    EXPECT_EQ(header_of(client.streams[id], "x-path"), p);
  }
  EXPECT_EQ(server.session->open_streams(), 0u);
}

TEST(H2Session, ConcurrentStreamsAnsweredOutOfOrder) {
  Driver server;
  server.auto_dispatch = false;
  Client client;
  std::vector<int32_t> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(client.request(get_fields("/o/" + std::to_string(i))));
  pump(client, server);
  ASSERT_EQ(server.held.size(), 20u);
  std::vector<StreamRequest> held = server.held;
  server.held.clear();
  for (auto it = held.rbegin(); it != held.rend(); ++it) server.answer(*it);
  pump(client, server);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(header_of(client.streams[ids[i]], "x-path"), "/o/" + std::to_string(i));
}

// A temporary file with known bytes, removed at the end of the test.
struct TempFile {
  std::string path;
  int fd = -1;
  std::string bytes;
  explicit TempFile(size_t size) {
    char name[] = "/tmp/zs_h2_test_XXXXXX";
    fd = mkstemp(name);
    path = name;
    std::mt19937 rng(42);
    bytes.resize(size);
    for (char& c : bytes) c = static_cast<char>(rng());
    size_t off = 0;
    while (off < size) off += static_cast<size_t>(write(fd, bytes.data() + off, size - off));
  }
  ~TempFile() {
    close(fd);
    unlink(path.c_str());
  }
};

TEST(H2Session, LargeFileBodyFollowsTheClientWindow) {
  TempFile file(3 << 20);
  const uint64_t offset = 1000, length = 2 << 20;
  Driver server;
  server.handler = [&](const StreamRequest&, Response& res) {
    res.add_memory("prefix:");
    res.add_file(file.fd, offset, length);
    res.add_memory(":suffix");
  };
  ClientOptions copts;
  copts.initial_window = 65535;
  copts.auto_window_update = false;  // the test opens the window by hand
  Client client(copts);
  const int32_t id = client.request(get_fields("/big"));
  pump(client, server);

  // Window closed: the client got exactly one window of body, the server read at most one
  // chunk ahead of it and buffers nothing more.
  ClientStream& s = client.streams[id];
  EXPECT_EQ(s.status, 200);
  EXPECT_EQ(s.body.size(), 65535u);
  EXPECT_LE(server.file_bytes_read, 65535u + 64 * 1024);
  EXPECT_TRUE(server.session->pending_output().empty());
  EXPECT_FALSE(s.closed);

  // Open the window bit by bit; at no point may the server send past it.
  size_t consumed = 0;
  for (int round = 0; round < 10'000 && !s.closed; ++round) {
    const size_t now = s.body.size() - consumed;
    nghttp2_session_consume(client.ng(), id, now);
    consumed += now;
    pump(client, server);
    EXPECT_LE(s.body.size() - consumed, 65535u);
    EXPECT_LE(server.max_output_seen, Settings{}.output_high_water + 70'000);
  }
  ASSERT_TRUE(s.closed);
  EXPECT_EQ(s.close_error, 0u);
  const std::string expected = "prefix:" + file.bytes.substr(offset, length) + ":suffix";
  ASSERT_EQ(s.body.size(), expected.size());
  EXPECT_TRUE(s.body == expected);
  EXPECT_EQ(header_of(s, "content-length"), std::to_string(expected.size()));
  EXPECT_EQ(server.file_bytes_read, length);
  EXPECT_EQ(server.session->open_streams(), 0u);
}

TEST(H2Session, ZeroWindowReadsNothing) {
  TempFile file(1 << 20);
  Driver server;
  server.handler = [&](const StreamRequest&, Response& res) { res.add_file(file.fd, 0, 1 << 20); };
  ClientOptions copts;
  copts.initial_window = 0;
  Client client(copts);
  const int32_t id = client.request(get_fields("/big"));
  pump(client, server);
  EXPECT_EQ(client.streams[id].status, 200);
  EXPECT_TRUE(client.streams[id].body.empty());
  EXPECT_EQ(server.file_bytes_read, 0u);        // nothing read that cannot be sent
  EXPECT_EQ(server.session->open_streams(), 1u);  // the caller's stall deadline decides
}

TEST(H2Session, FileThatShrankResetsOnlyItsStream) {
  TempFile file(1000);
  Driver server;
  server.handler = [&](const StreamRequest& req, Response& res) {
    if (req.head->path == "/short") {
      res.add_file(file.fd, 0, 5000);  // claims more than the file holds
    } else {
      hello_handler(req, res);
    }
  };
  Client client;
  const int32_t bad = client.request(get_fields("/short"));
  pump(client, server);
  EXPECT_TRUE(client.streams[bad].closed);
  EXPECT_EQ(client.streams[bad].close_error, static_cast<uint32_t>(NGHTTP2_INTERNAL_ERROR));
  EXPECT_EQ(client.streams[bad].body.size(), 1000u);
  const int32_t good = client.request(get_fields("/fine"));
  pump(client, server);
  EXPECT_EQ(client.streams[good].body, "hello\n");
}

TEST(H2Session, ClientResetCancelsAHeldStream) {
  Driver server;
  server.auto_dispatch = false;
  Client client;
  const int32_t id = client.request(get_fields("/slow"));
  pump(client, server);
  ASSERT_EQ(server.held.size(), 1u);
  nghttp2_submit_rst_stream(client.ng(), NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
  pump(client, server);
  ASSERT_EQ(server.cancelled.size(), 1u);
  EXPECT_EQ(server.cancelled[0], id);
  EXPECT_TRUE(server.held.empty());
  EXPECT_EQ(server.session->response(id), nullptr);  // released by the driver
  EXPECT_EQ(server.session->open_streams(), 0u);
  EXPECT_FALSE(server.session->submit(id, kDate).ok());
}

TEST(H2Session, ResetWhileAFileReadIsOutstandingKeepsTheBufferAlive) {
  TempFile file(1 << 20);
  Driver server;
  server.handler = [&](const StreamRequest&, Response& res) { res.add_file(file.fd, 0, 1 << 20); };
  Client client;
  const int32_t id = client.request(get_fields("/big"));
  server.feed(client.take_output());
  server.service();  // dispatch, not yet reading
  (void)server.take_output();  // the data provider runs and asks for a read
  auto rd = server.session->next_file_read();
  ASSERT_TRUE(rd.has_value());
  nghttp2_submit_rst_stream(client.ng(), NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
  server.feed(client.take_output());
  EXPECT_EQ(server.session->open_streams(), 1u);  // the read still owns the stage
  // The "kernel" writes into dest now; ASan would catch a freed buffer.
  ASSERT_GT(pread(rd->fd, rd->dest, rd->length, static_cast<off_t>(rd->offset)), 0);
  server.session->complete_file_read(rd->stream_id, static_cast<int64_t>(rd->length));
  EXPECT_EQ(server.session->open_streams(), 0u);
}

TEST(H2Session, ReleaseResetsTheStream) {
  Driver server;
  server.auto_dispatch = false;
  Client client;
  const int32_t id = client.request(get_fields("/gone"));
  pump(client, server);
  ASSERT_EQ(server.held.size(), 1u);
  server.session->release(id);
  server.held.clear();
  pump(client, server);
  EXPECT_TRUE(client.streams[id].closed);
  EXPECT_EQ(client.streams[id].close_error, static_cast<uint32_t>(NGHTTP2_CANCEL));
  EXPECT_EQ(server.session->open_streams(), 0u);
}

TEST(H2Session, GracefulShutdownCompletesInFlightStreams) {
  Driver server;
  server.auto_dispatch = false;
  Client client;
  std::vector<int32_t> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(client.request(get_fields("/f/" + std::to_string(i))));
  pump(client, server);
  ASSERT_EQ(server.held.size(), 3u);

  server.session->begin_shutdown();
  client.feed(server.take_output());  // GOAWAY(2^31-1) + PING
  EXPECT_EQ(client.goaways, 1);
  EXPECT_EQ(client.goaway_last_stream, 0x7fffffff);
  pump(client, server);  // PING ACK back -> the final GOAWAY names the last stream
  EXPECT_EQ(client.goaways, 2);
  EXPECT_EQ(client.goaway_last_stream, ids.back());
  EXPECT_EQ(client.goaway_error, 0u);
  EXPECT_FALSE(server.session->finished());

  std::vector<StreamRequest> held = server.held;
  server.held.clear();
  for (const StreamRequest& r : held) server.answer(r);
  pump(client, server);
  for (int32_t id : ids) {
    EXPECT_EQ(client.streams[id].status, 200) << id;
    EXPECT_TRUE(client.streams[id].closed) << id;
  }
  EXPECT_TRUE(server.session->finished());
  EXPECT_FALSE(server.session->want_read());
}

TEST(H2Session, FinishShutdownWithoutPingAck) {
  Driver server;
  Client client;
  pump(client, server);
  server.session->begin_shutdown();
  server.session->finish_shutdown();
  client.feed(server.take_output());
  EXPECT_EQ(client.goaways, 2);
  EXPECT_EQ(client.goaway_last_stream, 0);
  EXPECT_TRUE(server.session->finished());
}

TEST(H2Session, SettingsAdvertiseTheConfiguredWindows) {
  Settings settings;
  settings.stream_window = 256 * 1024;
  settings.connection_window = 4 << 20;
  Driver server(settings);
  Client client;
  pump(client, server);
  EXPECT_EQ(nghttp2_session_get_remote_settings(client.ng(), NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE), 256u * 1024);
  EXPECT_EQ(nghttp2_session_get_remote_settings(client.ng(), NGHTTP2_SETTINGS_MAX_FRAME_SIZE), 64u * 1024);
  EXPECT_EQ(nghttp2_session_get_remote_settings(client.ng(), NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS), 100u);
  EXPECT_EQ(nghttp2_session_get_remote_settings(client.ng(), NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE), 64u * 1024);
  EXPECT_EQ(nghttp2_session_get_remote_window_size(client.ng()), 4 << 20);
}

TEST(H2Session, BadPrefaceIsAConnectionError) {
  Driver server;
  EXPECT_FALSE(server.feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(server.session->want_read());
  EXPECT_FALSE(server.feed(std::string(kPreface)));  // nothing more is accepted
}

}  // namespace
}  // namespace zs::http::h2::test
