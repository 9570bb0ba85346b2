"""HTTP/2 against the real binary: ALPN h2 over TLS and h2c with prior knowledge, driven by curl
(nghttp2 inside) and by python3-h2 for frame-level abuse. Same site semantics as HTTP/1.1:
byte-exact bodies, ranges, conditionals, 421, multiplexed streams, large files under flow
control, rapid reset, graceful stop with GOAWAY."""

import os
import signal
import socket
import ssl
import subprocess
import time
import unittest

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import hyperframe.frame as hf

import harness

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
PROTOCOL_ERROR, FLOW_CONTROL_ERROR, REFUSED_STREAM, ENHANCE_YOUR_CALM = 0x1, 0x3, 0x7, 0xb


def hpack_int(value, prefix_bits, first_byte):
    """RFC 7541 §5.1 integer with an N-bit prefix; `first_byte` holds the pattern bits."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first_byte | value])
    out = bytearray([first_byte | limit])
    value -= limit
    while value >= 128:
        out.append((value & 0x7f) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_literal(name, value, index=False):
    """A literal field with a literal name, no Huffman: without indexing (0000) or with
    incremental indexing (01). Names are sent exactly as given (uppercase survives)."""
    name, value = name.encode(), value.encode()
    return (b"\x40" if index else b"\x00") + hpack_int(len(name), 7, 0) + name + hpack_int(len(value), 7, 0) + value


def header_block(fields):
    return b"".join(hpack_literal(n, v) for n, v in fields)


def get_fields(path="/f1.txt", scheme="http"):
    return [(":method", "GET"), (":scheme", scheme), (":path", path), (":authority", "h2.test")]


class RawH2:
    """A hand-driven HTTP/2 client for abuse: writes exact frames (hyperframe) with hand-made
    HPACK blocks and records every frame the server sends, when the connection closed, and how.
    Over h2c prior knowledge, or over TLS with ALPN h2 when `tls_port` is given."""

    def __init__(self, server, tls=False, rcvbuf=None, settings=None, ack_settings=True, timeout=10):
        self.sock = socket.socket()
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        if tls:
            self.sock.connect(("127.0.0.1", server.tls_port))
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.set_alpn_protocols(["h2"])
            self.sock = ctx.wrap_socket(self.sock, server_hostname="h2.test")
            assert self.sock.selected_alpn_protocol() == "h2", self.sock.selected_alpn_protocol()
        else:
            self.sock.connect(("127.0.0.1", server.port))
        self.buf = b""
        self.frames = []
        self.closed_at = None
        self.send(PREFACE + hf.SettingsFrame(0, settings=settings or {}).serialize() +
                  (hf.SettingsFrame(0, flags=["ACK"]).serialize() if ack_settings else b""))

    def send(self, data):
        """Writes everything; False if the server had already closed (EPIPE / reset)."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            return False

    def headers(self, stream_id, block, end_stream=True, chunk=16384):
        """HEADERS plus CONTINUATIONs carrying `block`, END_HEADERS on the last one."""
        pieces = [block[i:i + chunk] for i in range(0, len(block), chunk)] or [b""]
        out = []
        for i, piece in enumerate(pieces):
            flags = ["END_HEADERS"] if i == len(pieces) - 1 else []
            if i == 0:
                out.append(hf.HeadersFrame(stream_id, data=piece, flags=flags + (["END_STREAM"] if end_stream else [])))
            else:
                out.append(hf.ContinuationFrame(stream_id, data=piece, flags=flags))
        return self.send(b"".join(f.serialize() for f in out))

    def read(self, until=None, timeout=5.0):
        """Reads frames until `until(frame)` is true, the server closes, or `timeout` passes.
        Returns the frames read by this call."""
        got = []
        deadline = time.monotonic() + timeout
        while self.closed_at is None:
            while len(self.buf) >= 9:
                frame, length = hf.Frame.parse_frame_header(memoryview(self.buf[:9]))
                if len(self.buf) < 9 + length:
                    break
                frame.parse_body(memoryview(self.buf[9:9 + length]))
                self.buf = self.buf[9 + length:]
                got.append(frame)
                self.frames.append(frame)
                if until is not None and until(frame):
                    return got
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                break
            except (ConnectionResetError, ssl.SSLError, OSError):
                data = b""
            if not data:
                self.closed_at = time.monotonic()
            self.buf += data
        return got

    def goaway(self):
        return next((f for f in self.frames if isinstance(f, hf.GoAwayFrame)), None)

    def stream_frames(self, stream_id):
        return [f for f in self.frames if f.stream_id == stream_id]

    def close(self):
        self.sock.close()


def response_status(frames, stream_id):
    """:status of the first HEADERS on `stream_id` (decoded with python-hpack), else None."""
    import hpack
    dec = hpack.Decoder()
    dec.max_allowed_table_size = 1 << 16
    status = None
    for f in frames:
        if isinstance(f, hf.HeadersFrame):
            fields = dict(dec.decode(f.data))  # keep the decoder state in step for every block
            if f.stream_id == stream_id and status is None:
                st = fields.get(":status", fields.get(b":status"))
                status = int(st)
    return status


def curl(*args):
    return subprocess.run(["curl", "-sS", *args], capture_output=True, timeout=30)


class H2(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.tempdir()
        d = cls.tmp.name
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", os.path.join(d, "key.pem"), "-out", os.path.join(d, "cert.pem"), "-days", "30",
                        "-subj", "/CN=h2.test", "-addext", "subjectAltName=DNS:h2.test"], check=True, capture_output=True)
        cls.cert = os.path.join(d, "cert.pem")
        site = os.path.join(d, "site")
        os.makedirs(site)
        cls.big = os.urandom(3 * 1024 * 1024 + 11)
        with open(os.path.join(site, "big.bin"), "wb") as f:
            f.write(cls.big)
        for i in range(40):
            with open(os.path.join(site, "f%d.txt" % i), "wb") as f:
                f.write(b"file %d\n" % i * (i + 1))
        cls.tar = harness.pack(site, os.path.join(d, "site.tar"))
        cls.server = harness.Server(cls.tar, "--cert", cls.cert, "--key", os.path.join(d, "key.pem"),
                                    "--h2-stream-window-kb", "64", threads=2).start()

    def https(self, path, *extra):
        port = self.server.tls_port
        return curl("--http2", "--cacert", self.cert, "--resolve", "h2.test:%d:127.0.0.1" % port, *extra,
                    "-o", "-", "-w", "\n%{http_code} %{http_version}", "https://h2.test:%d%s" % (port, path))

    def test_alpn_h2_bodies_byte_exact(self):
        r = self.https("/big.bin")
        body, _, tail = r.stdout.rpartition(b"\n")
        self.assertEqual(tail, b"200 2", r.stderr)
        self.assertEqual(body, self.big)

    def test_nghttp_client(self):
        # nghttp (nghttp2's own client) over TLS with ALPN h2, two streams on one connection.
        port = self.server.tls_port
        r = subprocess.run(["nghttp", "-v", "https://127.0.0.1:%d/f3.txt" % port, "https://127.0.0.1:%d/big.bin" % port],
                           capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr[-500:])
        self.assertIn(b"The negotiated protocol: h2", r.stdout)
        self.assertEqual(r.stdout.count(b":status: 200"), 2, r.stdout[-2000:])
        self.assertIn(b"file 3\n" * 4, r.stdout)

    def test_h2c_prior_knowledge(self):
        r = curl("--http2-prior-knowledge", "-o", "-", "-w", "\n%{http_code} %{http_version}",
                 self.server.url("/f3.txt"))
        body, _, tail = r.stdout.rpartition(b"\n")
        self.assertEqual((tail, body), (b"200 2", b"file 3\n" * 4))

    def test_ranges_conditionals_and_misdirected(self):
        r = self.https("/big.bin", "-H", "Range: bytes=1000-1999")
        body, _, tail = r.stdout.rpartition(b"\n")
        self.assertEqual((tail, body), (b"206 2", self.big[1000:2000]))
        etag = [l for l in self.https("/f1.txt", "-D", "-").stdout.split(b"\r\n") if l.lower().startswith(b"etag:")][0]
        r = self.https("/f1.txt", "-H", "If-None-Match: " + etag.split(b":", 1)[1].strip().decode())
        self.assertTrue(r.stdout.endswith(b"304 2"), r.stdout[-20:])
        r = self.https("/f1.txt", "-H", "Host: other.test")
        self.assertTrue(r.stdout.endswith(b"421 2"), r.stdout[-20:])

    def test_many_streams_on_one_connection(self):
        port = self.server.tls_port
        urls = ["https://h2.test:%d/f%d.txt" % (port, i) for i in range(40)]
        args = ["--http2", "--parallel", "--parallel-max", "40", "--cacert", self.cert,
                "--resolve", "h2.test:%d:127.0.0.1" % port, "-w", "%{http_code} %{num_connects}\n"]
        for u in urls:
            args += ["-o", "/dev/null", u]
        r = curl(*args)
        codes = r.stdout.decode().split("\n")[:-1]
        self.assertEqual(len(codes), 40, r.stderr)
        self.assertTrue(all(c.startswith("200 ") for c in codes), codes)
        self.assertLessEqual(sum(int(c.split()[1]) for c in codes), 2)  # multiplexed, not 40 connections

    def test_rapid_reset_is_cut_off(self):
        # CVE-2023-44487: thousands of HEADERS + RST_STREAM pairs. The server must end the
        # connection (GOAWAY) and stay healthy for everyone else.
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        conn.initiate_connection()
        sock.sendall(conn.data_to_send())
        headers = [(":method", "GET"), (":path", "/f1.txt"), (":scheme", "http"), (":authority", "x")]
        sid = 1
        try:
            for _ in range(5000):
                conn.send_headers(sid, headers, end_stream=True)
                conn.reset_stream(sid)
                sid += 2
            sock.sendall(conn.data_to_send())
        except (BrokenPipeError, ConnectionResetError):
            pass
        got_goaway = False
        closed = False
        sock.settimeout(5)
        try:
            while not closed:
                data = sock.recv(65536)
                if not data:
                    closed = True
                    break
                for ev in conn.receive_data(data):
                    if isinstance(ev, h2.events.ConnectionTerminated):
                        got_goaway = True
        except (ConnectionResetError, h2.exceptions.ProtocolError):
            closed = True
        sock.close()
        self.assertTrue(got_goaway or closed)
        r = curl("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code}", self.server.url("/f2.txt"))
        self.assertEqual(r.stdout, b"200")


def ended(stream_id):
    """until= predicate: the stream's response ended or the stream was reset."""
    return lambda f: f.stream_id == stream_id and (isinstance(f, hf.RstStreamFrame) or "END_STREAM" in f.flags)


class H2Attacks(harness.ServerTestCase):
    """reliability.md §2.E against the real server, frame by frame (RawH2): each attack must cut
    the attacker off (RST_STREAM, GOAWAY or close, within a bounded time), keep the server's RSS
    bounded, and leave it answering everyone else at once. Short write and body timeouts so
    stalls end within seconds; ASan's quarantine off so RSS measures what the server buffers."""

    CUT_OFF_S = 8.0      # generous: sanitizer builds on a loaded 2-core machine
    RSS_GROWTH_KB = 8 * 1024
    STALL_MS = 1500      # --write-timeout-ms and --body-timeout-ms

    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.tempdir()
        d = cls.tmp.name
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", os.path.join(d, "key.pem"), "-out", os.path.join(d, "cert.pem"), "-days", "30",
                        "-subj", "/CN=h2.test", "-addext", "subjectAltName=DNS:h2.test"], check=True, capture_output=True)
        site = os.path.join(d, "site")
        os.makedirs(site)
        with open(os.path.join(site, "big.bin"), "wb") as f:
            f.write(os.urandom(3 * 1024 * 1024))
        with open(os.path.join(site, "f1.txt"), "wb") as f:
            f.write(b"file 1\n")
        tar = harness.pack(site, os.path.join(d, "site.tar"))
        asan = os.environ.get("ASAN_OPTIONS", "")
        cls.server = harness.Server(tar, "--cert", os.path.join(d, "cert.pem"), "--key", os.path.join(d, "key.pem"),
                                    "--write-timeout-ms", str(cls.STALL_MS), "--body-timeout-ms", str(cls.STALL_MS),
                                    env={"ASAN_OPTIONS": (asan + ":" if asan else "") + "quarantine_size_mb=0"}).start()

    def setUp(self):
        self.rss_before = self.server.rss_kb()

    def assert_rss_bounded(self, what):
        grown = self.server.rss_kb() - self.rss_before
        self.assertLess(grown, self.RSS_GROWTH_KB, "server RSS grew %d KiB during %s" % (grown, what))

    def assert_serves_others(self, tls=False):
        """A fresh client on a new connection gets a normal 200 at once."""
        start = time.monotonic()
        c = RawH2(self.server, tls=tls)
        c.headers(1, header_block(get_fields("/f1.txt", "https" if tls else "http")))
        c.read(ended(1), timeout=self.CUT_OFF_S)
        c.close()
        self.assertEqual(response_status(c.frames, 1), 200)
        body = b"".join(f.data for f in c.stream_frames(1) if isinstance(f, hf.DataFrame))
        self.assertEqual(body, b"file 1\n")
        self.assertLess(time.monotonic() - start, self.CUT_OFF_S / 2)

    def assert_cut_off(self, conn, start, what):
        conn.read(timeout=self.CUT_OFF_S)
        self.assertIsNotNone(conn.closed_at, "%s: connection still open after %ss" % (what, self.CUT_OFF_S))
        self.assertLess(conn.closed_at - start, self.CUT_OFF_S)

    def test_continuation_count_limit_is_exact(self):
        # 8 CONTINUATION frames after HEADERS are a legal (if odd) request; the 9th ends the
        # connection without a response (nghttp2 max_continuations, CVE-2024-28182).
        for n, served in ((8, True), (9, False)):
            c = RawH2(self.server)
            frames = [hf.HeadersFrame(1, data=header_block(get_fields()), flags=["END_STREAM"])]
            for i in range(n):
                frames.append(hf.ContinuationFrame(1, data=hpack_literal("x-c%d" % i, "v"),
                                                   flags=["END_HEADERS"] if i == n - 1 else []))
            start = time.monotonic()
            c.send(b"".join(f.serialize() for f in frames))
            c.read(ended(1), timeout=self.CUT_OFF_S)
            if served:
                self.assertEqual(response_status(c.frames, 1), 200)
                self.assertIsNone(c.closed_at)
            else:
                self.assert_cut_off(c, start, "%d CONTINUATIONs" % n)
                self.assertIsNone(response_status(c.frames, 1))
            c.close()
        self.assert_serves_others()

    def continuation_flood(self, tls):
        # E3: HEADERS without END_HEADERS, then 10,000 CONTINUATION frames in one burst.
        c = RawH2(self.server, tls=tls)
        one = hf.ContinuationFrame(1, data=hpack_literal("x-flood", "a" * 16)).serialize()
        start = time.monotonic()
        c.send(hf.HeadersFrame(1, data=header_block(get_fields())).serialize() + one * 10000)
        self.assert_cut_off(c, start, "CONTINUATION flood")
        self.assertIsNone(response_status(c.frames, 1))
        c.close()
        self.assert_rss_bounded("a CONTINUATION flood")
        self.assert_serves_others(tls)

    def test_continuation_flood_h2c(self):
        self.continuation_flood(tls=False)

    def test_continuation_flood_tls(self):
        self.continuation_flood(tls=True)

    def hpack_bomb(self, tls):
        # E4: one ~4 KB field inserted into the HPACK dynamic table, then referenced 20,000 times
        # by 1-byte indexed representations (80 MB decoded from 20 KB). The list passes the
        # 64 KiB limit: 431 on that stream only; the decoder stays in step, so the connection
        # keeps working and a later request that references the same entry once is served.
        c = RawH2(self.server, tls=tls)
        scheme = "https" if tls else "http"
        big = hpack_literal("x-bomb", "a" * 4000, index=True)  # becomes dynamic index 62
        c.headers(1, header_block(get_fields("/f1.txt", scheme)) + big)
        c.read(ended(1))
        c.headers(3, header_block(get_fields("/f1.txt", scheme)) + b"\xbe" * 20000)
        c.read(ended(3), timeout=self.CUT_OFF_S)
        c.headers(5, header_block(get_fields("/f1.txt", scheme)) + b"\xbe")
        c.read(ended(5), timeout=self.CUT_OFF_S)
        self.assertEqual([response_status(c.frames, i) for i in (1, 3, 5)], [200, 431, 200])
        self.assertIsNone(c.goaway())
        self.assertIsNone(c.closed_at)
        c.close()
        self.assert_rss_bounded("an HPACK bomb")
        self.assert_serves_others(tls)

    def test_hpack_bomb_h2c(self):
        self.hpack_bomb(tls=False)

    def test_hpack_bomb_tls(self):
        self.hpack_bomb(tls=True)

    def flood_without_reading(self, unit, count):
        """Sends `count` copies of the frame `unit` from a client with a 2 KiB receive buffer
        that never reads, then keeps trickling them until the server drops the connection.
        Meanwhile a normal client must be served. Returns seconds until the drop."""
        c = RawH2(self.server, rcvbuf=2048)
        c.sock.setblocking(False)
        start = time.monotonic()
        deadline = start + self.STALL_MS / 1000 + self.CUT_OFF_S
        sent, burst, dropped, checked = 0, unit * 1000, False, False
        while time.monotonic() < deadline:
            try:
                sent += c.sock.send(burst if sent < count * len(unit) else unit)
            except BlockingIOError:
                if not checked:  # the server has stopped reading us: others must not notice
                    self.assert_serves_others()
                    checked = True
                time.sleep(0.02)
            except (BrokenPipeError, ConnectionResetError):
                dropped = True
                break
        took = time.monotonic() - start
        c.close()
        self.assertTrue(dropped, "flooder still connected after %.1f s (%d frames sent)" % (took, sent // len(unit)))
        self.assert_rss_bounded("a flood of %d frames" % (sent // len(unit)))
        self.assert_serves_others()
        self.server.assert_fds_back()
        return took

    def test_ping_flood_from_a_client_that_never_reads(self):
        # E5 (CVE-2019-9512): the server stops reading once its output budget is full, so the
        # flood costs bounded memory; the stalled connection is dropped by the write timeout.
        took = self.flood_without_reading(hf.PingFrame(0, opaque_data=b"floodING").serialize(), 200000)
        self.assertLess(took, self.STALL_MS / 1000 + self.CUT_OFF_S)

    def test_settings_flood_from_a_client_that_never_reads(self):
        # E5 (CVE-2019-9515): SETTINGS frames (one entry each) that the client never lets the
        # server acknowledge.
        unit = hf.SettingsFrame(0, settings={hf.SettingsFrame.INITIAL_WINDOW_SIZE: 65535}).serialize()
        took = self.flood_without_reading(unit, 200000)
        self.assertLess(took, self.STALL_MS / 1000 + self.CUT_OFF_S)

    def test_zero_window_stall(self):
        # E7: SETTINGS_INITIAL_WINDOW_SIZE=0, then GET a 3 MiB file on 20 connections and never
        # send WINDOW_UPDATE. The server sends the response HEADERS and no DATA, does not read
        # the file into memory meanwhile, keeps serving others, and closes each stalled
        # connection when the stall timer (--body-timeout-ms) runs out.
        conns = []
        start = time.monotonic()
        for _ in range(20):
            c = RawH2(self.server, settings={hf.SettingsFrame.INITIAL_WINDOW_SIZE: 0})
            c.headers(1, header_block(get_fields("/big.bin")))
            conns.append(c)
        for c in conns:
            c.read(lambda f: isinstance(f, hf.HeadersFrame) and f.stream_id == 1, timeout=self.CUT_OFF_S)
            self.assertEqual(response_status(c.frames, 1), 200)
        self.assert_serves_others()
        self.assert_rss_bounded("20 zero-window downloads of 3 MiB")
        for c in conns:
            c.read(timeout=self.STALL_MS / 1000 + self.CUT_OFF_S)
            self.assertIsNotNone(c.closed_at, "zero-window connection never closed")
            took = c.closed_at - start
            self.assertGreater(took, self.STALL_MS / 1000 * 0.8)  # the stall timer, not something else
            self.assertLess(took, self.STALL_MS / 1000 + self.CUT_OFF_S)
            self.assertEqual([f for f in c.stream_frames(1) if isinstance(f, hf.DataFrame) and f.data], [])
            c.close()
        self.assert_serves_others()
        self.server.assert_fds_back()

    MALFORMED = [
        ("missing :path", [(":method", "GET"), (":scheme", "http"), (":authority", "h2.test")]),
        ("duplicate :method", [(":method", "GET"), (":method", "GET"), (":scheme", "http"), (":path", "/f1.txt"),
                               (":authority", "h2.test")]),
        ("uppercase name", get_fields() + [("X-Upper", "1")]),
        ("connection: keep-alive", get_fields() + [("connection", "keep-alive")]),
        ("te: gzip", get_fields() + [("te", "gzip")]),
        ("keep-alive", get_fields() + [("keep-alive", "timeout=5")]),
        ("upgrade", get_fields() + [("upgrade", "h2c")]),
        ("pseudo after regular", [(":method", "GET"), (":scheme", "http"), ("x-a", "1"), (":path", "/f1.txt"),
                                  (":authority", "h2.test")]),
        ("unknown pseudo", get_fields() + [(":foo", "1")]),
        ("empty :path", [(":method", "GET"), (":scheme", "http"), (":path", ""), (":authority", "h2.test")]),
        ("relative :path", [(":method", "GET"), (":scheme", "http"), (":path", "f1.txt"), (":authority", "h2.test")]),
        ("CR LF in value", get_fields() + [("x-a", "a\r\nb")]),
        ("NUL in value", get_fields() + [("x-a", "a\x00b")]),
        ("host differs from :authority", get_fields() + [("host", "other.test")]),
    ]

    def malformed(self, tls):
        # E11: each malformed request is a stream error (RST_STREAM PROTOCOL_ERROR, no response
        # HEADERS); the connection survives them all. `te: trailers` is the one legal TE value.
        c = RawH2(self.server, tls=tls)
        sid = 1
        for name, fields in self.MALFORMED:
            c.headers(sid, header_block(fields))
            got = c.read(ended(sid), timeout=self.CUT_OFF_S)
            rst = [f for f in got if isinstance(f, hf.RstStreamFrame) and f.stream_id == sid]
            self.assertEqual([f.error_code for f in rst], [PROTOCOL_ERROR], name)
            self.assertIsNone(response_status(c.frames, sid), name)
            sid += 2
        c.headers(sid, header_block(get_fields() + [("te", "trailers")]))
        c.read(ended(sid), timeout=self.CUT_OFF_S)
        self.assertEqual(response_status(c.frames, sid), 200)
        self.assertIsNone(c.goaway())
        self.assertIsNone(c.closed_at)
        c.close()
        self.assert_serves_others(tls)

    def test_malformed_request_headers_h2c(self):
        self.malformed(tls=False)

    def test_malformed_request_headers_tls(self):
        self.malformed(tls=True)


class H2Shutdown(unittest.TestCase):
    def test_sigterm_sends_goaway_and_exits(self):
        with harness.tempdir() as d:
            tar = harness.pack(harness.EXAMPLE_SITE, os.path.join(d, "site.tar"))
            server = harness.Server(tar).start()
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
            conn.initiate_connection()
            conn.send_headers(1, [(":method", "GET"), (":path", "/"), (":scheme", "http"), (":authority", "x")],
                              end_stream=True)
            sock.sendall(conn.data_to_send())
            ended = False
            while not ended:
                for ev in conn.receive_data(sock.recv(65536)):
                    if isinstance(ev, h2.events.StreamEnded):
                        ended = True
                sock.sendall(conn.data_to_send())
            server.signal(signal.SIGTERM)
            goaway = False
            sock.settimeout(5)
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                for ev in conn.receive_data(data):
                    if isinstance(ev, h2.events.ConnectionTerminated):
                        goaway = True
                sock.sendall(conn.data_to_send())  # ack the shutdown PING
            sock.close()
            self.assertTrue(goaway)
            self.assertEqual(server.proc.wait(timeout=10), 0)


if __name__ == "__main__":
    harness.main()
