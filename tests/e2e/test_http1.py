"""HTTP/1.1 at the socket level against the real binary: keep-alive, pipelining, HTTP/1.0,
framing attacks (each rejected, the pipelined follow-up never answered), size limits, every
timeout, Expect: 100-continue, request bodies, 100 concurrent clients."""

import os
import socket
import subprocess
import threading
import time
import unittest

import harness

GET = b"GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n"
FOLLOW = b"GET /small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


class Http1(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.tempdir()
        site = os.path.join(cls.tmp.name, "site")
        os.makedirs(site)
        with open(os.path.join(site, "small.txt"), "wb") as f:
            f.write(b"hello\n")
        with open(os.path.join(site, "big.bin"), "wb") as f:
            f.write(os.urandom(16 * 1024 * 1024))
        cls.tar = harness.pack(site, os.path.join(cls.tmp.name, "site.tar"))
        cls.server = harness.Server(cls.tar, "--header-timeout-ms", "700", "--keepalive-timeout-ms", "900",
                                    "--body-timeout-ms", "700", "--write-timeout-ms", "700",
                                    "--max-request-body-kb", "64", threads=2).start()
        cls.port = cls.server.port

    def statuses(self, data):
        return [r[0] for r in harness.parse_responses(data)]

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        for _ in range(50):
            s.sendall(GET)
            buf = b""
            while not buf.endswith(b"hello\n"):
                chunk = s.recv(4096)
                self.assertTrue(chunk, "server closed a keep-alive connection")
                buf += chunk
            self.assertTrue(buf.startswith(b"HTTP/1.1 200 "))
            self.assertNotIn(b"Connection: close", buf)
        s.close()

    def test_pipelined_requests_answered_in_order(self):
        reqs = b"".join(b"GET /small.txt?n=%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(100)) + FOLLOW
        data, closed = harness.raw_exchange(self.port, reqs)
        self.assertEqual(self.statuses(data), [200] * 101)
        self.assertTrue(closed)

    def test_pipelined_bytes_split_one_at_a_time(self):
        data, closed = harness.raw_exchange(self.port, GET + GET + FOLLOW, split=1)
        self.assertEqual(self.statuses(data), [200, 200, 200])

    def test_http10_closes_unless_keep_alive(self):
        data, closed = harness.raw_exchange(self.port, b"GET /small.txt HTTP/1.0\r\n\r\n")
        self.assertEqual(self.statuses(data), [200])
        self.assertTrue(closed)
        data, closed = harness.raw_exchange(self.port, b"GET /small.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + FOLLOW)
        self.assertEqual(self.statuses(data), [200, 200])
        self.assertIn(b"Connection: keep-alive", data)

    def test_framing_attacks_rejected_and_follow_up_not_answered(self):
        cases = {
            "CL.TE": (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX", 400),
            "two CL": (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400),
            "CL list": (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello", 400),
            "CL plus": (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", 400),
            "CL hex": (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello", 400),
            "CL huge": (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
            "TE gzip": (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
            "TE chunked,identity": (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400),
            "TE xchunked": (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", 400),
            "TE in 1.0": (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
            "obs-fold": (b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400),
            "space before colon": (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
            "bare LF": (b"GET / HTTP/1.1\nHost: x\n\n", 400),
            "bare CR in value": (b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400),
            "NUL in value": (b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", 400),
            "missing Host": (b"GET / HTTP/1.1\r\n\r\n", 400),
            "two Hosts": (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            "double space": (b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            "HTTP/2.0 text": (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            "lowercase version": (b"GET / http/1.1\r\nHost: x\r\n\r\n", 400),
            "chunk size overflow": (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nx\r\n0\r\n\r\n", 400),
            "runaway chunk": (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nSEE-THIS\r\n0\r\n\r\n", 400),
            "LF after chunk size": (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400),
            "chunk 0x prefix": (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400),
        }
        for name, (req, want) in cases.items():
            data, closed = harness.raw_exchange(self.port, req + FOLLOW)
            got = self.statuses(data)
            self.assertEqual(got, [want], name + ": " + repr(data[:120]))
            self.assertTrue(closed, name)

    def test_tab_before_chunked_is_legal(self):
        req = b"POST /small.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\tchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        data, _ = harness.raw_exchange(self.port, req + FOLLOW)
        self.assertEqual(self.statuses(data), [405, 200])

    def test_bodies_are_consumed_exactly(self):
        # A GET with a body that looks like a request: the body is read and dropped, never parsed.
        smuggle = b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
        req = b"GET /small.txt HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(smuggle) + smuggle
        data, _ = harness.raw_exchange(self.port, req + FOLLOW)
        self.assertEqual(self.statuses(data), [200, 200])
        chunked = b"POST /small.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" \
                  b"5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nTrailer-A: 1\r\n\r\n"
        data, _ = harness.raw_exchange(self.port, chunked + FOLLOW, split=3)
        self.assertEqual(self.statuses(data), [405, 200])

    def test_expect_100_continue(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(b"PUT /small.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        first = s.recv(4096)
        self.assertEqual(first, b"HTTP/1.1 100 Continue\r\n\r\n")
        s.sendall(b"hello" + FOLLOW)
        data = harness.read_until_close(s)
        s.close()
        self.assertEqual(self.statuses(data), [405, 200])
        # The same for a chunked upload.
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(b"POST /small.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n")
        self.assertEqual(s.recv(4096), b"HTTP/1.1 100 Continue\r\n\r\n")
        s.sendall(b"5\r\nhello\r\n0\r\n\r\n" + FOLLOW)
        data = harness.read_until_close(s)
        s.close()
        self.assertEqual(self.statuses(data), [405, 200])
        data, _ = harness.raw_exchange(self.port, b"GET / HTTP/1.1\r\nHost: x\r\nExpect: 101-wait\r\n\r\n")
        self.assertEqual(self.statuses(data), [417])

    def test_size_limits(self):
        data, closed = harness.raw_exchange(self.port, b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(self.statuses(data), [414])
        data, closed = harness.raw_exchange(self.port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n")
        self.assertEqual(self.statuses(data), [431])
        many = b"".join(b"X-%d: 1\r\n" % i for i in range(200))
        data, closed = harness.raw_exchange(self.port, b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
        self.assertEqual(self.statuses(data), [431])
        big_head = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 1000) for i in range(70)) + b"\r\n"
        data, closed = harness.raw_exchange(self.port, big_head)
        self.assertEqual(self.statuses(data), [431])
        # A body over --max-request-body-kb is refused before any of it is read.
        data, closed = harness.raw_exchange(self.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n")
        self.assertEqual(self.statuses(data), [413])
        self.assertTrue(closed)
        body = b"x" * 1024
        req = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + (b"400\r\n" + body + b"\r\n") * 100 + b"0\r\n\r\n"
        data, closed = harness.raw_exchange(self.port, req)
        self.assertEqual(self.statuses(data), [413])

    def test_header_one_byte_at_a_time_hits_the_limit(self):
        # Slow trickle past the line limit: rejected at the limit, not after buffering more.
        data, closed = harness.raw_exchange(self.port, b"GET /" + b"a" * 8300, split=1024, timeout=3)
        self.assertEqual(self.statuses(data), [414])

    def test_header_timeout_is_total_not_per_read(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        start = time.monotonic()
        s.sendall(b"GET / HTTP/1.1\r\n")
        closed = False
        try:
            for _ in range(20):  # a byte every 100 ms would reset a per-read timer forever
                time.sleep(0.1)
                s.sendall(b"X")
        except (BrokenPipeError, ConnectionResetError):
            closed = True
        if not closed:
            try:
                closed = s.recv(100) == b""
            except ConnectionResetError:
                closed = True
        elapsed = time.monotonic() - start
        s.close()
        self.assertTrue(closed)
        self.assertLess(elapsed, 2.5)

    def test_keep_alive_idle_timeout(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(GET)
        self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200 "))
        start = time.monotonic()
        self.assertEqual(s.recv(100), b"")  # closed by the server
        self.assertGreater(time.monotonic() - start, 0.5)
        self.assertLess(time.monotonic() - start, 3.0)
        s.close()

    def test_body_timeout(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        start = time.monotonic()
        try:
            self.assertEqual(s.recv(100), b"")
        except ConnectionResetError:
            pass
        self.assertLess(time.monotonic() - start, 3.0)
        s.close()

    def test_write_timeout_closes_a_client_that_stops_reading(self):
        # reliability.md C3: a response larger than the socket buffers to a client that never
        # reads: the write stall timer ends it, and the server's memory for it stays bounded.
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", self.port))
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(2.5)  # write timeout 700 ms, plus slack for a loaded machine
        got = 0
        s.settimeout(5)
        try:
            while True:
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                got += len(chunk)
        except ConnectionResetError:
            pass
        s.close()
        self.assertLess(got, 16 * 1024 * 1024)  # cut off, not completed
        self.server.assert_fds_back()

    def test_pipelined_flood_from_a_client_that_never_reads(self):
        # reliability.md D1: the server stops reading once it cannot write, so its memory stays
        # bounded however much the client pipelines; other clients are unaffected and the
        # flooder is closed by the write timeout. Its own server: in sanitizer builds ASan's
        # quarantine keeps every freed coroutine frame, so RSS would grow with requests served
        # rather than with what the server buffers; quarantine off keeps the measure honest.
        asan = os.environ.get("ASAN_OPTIONS", "")
        server = harness.Server(self.tar, "--write-timeout-ms", "700",
                                env={"ASAN_OPTIONS": (asan + ":" if asan else "") + "quarantine_size_mb=0"}).start()

        def rss_kb():
            with open("/proc/%d/status" % server.proc.pid) as f:
                return int(next(l for l in f if l.startswith("VmRSS:")).split()[1])
        before = rss_kb()
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", server.port))
        s.setblocking(False)
        block = GET * 2000
        sent = 0
        deadline = time.monotonic() + 4
        while sent < 20 * 1024 * 1024 and time.monotonic() < deadline:
            try:
                sent += s.send(block)
            except BlockingIOError:
                time.sleep(0.01)
            except (BrokenPipeError, ConnectionResetError):
                break
        grown = rss_kb() - before
        self.assertLess(grown, 8 * 1024, "server RSS grew %d KiB while %d bytes were pipelined" % (grown, sent))
        data, _ = harness.raw_exchange(server.port, FOLLOW)
        self.assertEqual(self.statuses(data), [200])
        time.sleep(1.5)
        s.close()
        server.assert_fds_back()
        server.stop()

    def test_idle_connect_without_request_is_closed(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        start = time.monotonic()
        self.assertEqual(s.recv(100), b"")
        self.assertLess(time.monotonic() - start, 3.0)
        s.close()

    def test_hundred_concurrent_clients(self):
        errors = []
        counts = [0] * 100

        def client(i):
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                for _ in range(20):
                    s.sendall(GET)
                    buf = b""
                    while not buf.endswith(b"hello\n"):
                        chunk = s.recv(4096)
                        if not chunk:
                            raise AssertionError("closed early")
                        buf += chunk
                    counts[i] += 1
                s.close()
            except Exception as e:  # collected and reported by the main thread
                errors.append(repr(e))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(100)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(sum(counts), 2000)
        self.server.assert_fds_back()


class ValidateHostnames(unittest.TestCase):
    def test_only_listed_hosts_are_served(self):
        # zeroserve-behavior.md §8f: port stripped, case-insensitive, [v6] brackets removed;
        # anything else gets 421 and the connection stays usable.
        with harness.tempdir() as tmp:
            site = os.path.join(tmp, "site")
            os.makedirs(site)
            with open(os.path.join(site, "small.txt"), "wb") as f:
                f.write(b"hello\n")
            tar = harness.pack(site, os.path.join(tmp, "site.tar"))
            server = harness.Server(tar, "--validate-hostnames", "Example.com, [::1]:8080",
                                    "--validate-hostnames", "127.0.0.1").start()
            cases = {"example.com": 200, "EXAMPLE.COM:8080": 200, "[::1]:9999": 200, "127.0.0.1:1234": 200,
                     "other.com": 421, "[2001:db8::1]": 421, "example.com.evil": 421, "": 421}
            for host, want in cases.items():
                follow = b"GET /small.txt HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n"
                req = b"GET /small.txt HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n" + follow
                data, _ = harness.raw_exchange(server.port, req)
                self.assertEqual([r[0] for r in harness.parse_responses(data)], [want, 200], host)
            r = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "-H", "Host: other.com", "-o", "/dev/null",
                                "-w", "%{http_code}", server.url("/small.txt")], capture_output=True, timeout=10)
            self.assertEqual(r.stdout, b"421")
            server.stop()


if __name__ == "__main__":
    harness.main()
