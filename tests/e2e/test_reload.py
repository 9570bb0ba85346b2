"""Hot reload and graceful stop against the real binary. While 50 keep-alive connections keep
the server busy, the tarball is replaced (by rename, as a deploy does) and SIGHUP is sent 20
times, alternating good and corrupt tarballs: no request may fail, no connection may be reset,
and every response must be byte-identical to version A or version B of the site. SIGTERM must
let an in-flight download finish, refuse new connections, and exit 0."""

import os
import re
import signal
import socket
import threading
import time
import unittest

import harness


def make_site(tmp, name, version):
    site = os.path.join(tmp, name)
    os.makedirs(os.path.join(site, "assets"))
    with open(os.path.join(site, "index.html"), "wb") as f:
        f.write(b"<!doctype html><title>v%s</title><p>version %s</p>\n" % (version, version))
    with open(os.path.join(site, "assets", "blob.bin"), "wb") as f:
        f.write((b"%s" % version) * 20000)
    return harness.pack(site, os.path.join(tmp, name + ".tar"))


def read_response(sock, buf):
    """Reads one Content-Length framed response; returns (status, body, rest_of_buffer)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a response head")
        buf += chunk
    head, _, buf = buf.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = int(re.search(rb"\r\nContent-Length: (\d+)", head).group(1))
    while len(buf) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside a body")
        buf += chunk
    return status, buf[:length], buf[length:]


class Reload(unittest.TestCase):
    def test_reload_under_load_with_good_and_corrupt_tarballs(self):
        with harness.tempdir() as tmp:
            a = make_site(tmp, "a", b"A")
            b = make_site(tmp, "b", b"B")
            with open(a, "rb") as f:
                good = f.read()
            corrupt = os.path.join(tmp, "corrupt.tar")
            with open(corrupt, "wb") as f:
                f.write(good[:700])  # truncated inside the first entry's data
            live = os.path.join(tmp, "site.tar")
            os.link(a, live)
            expected = {}
            for v in (b"A", b"B"):
                expected["/"] = expected.get("/", set()) | {b"<!doctype html><title>v%s</title><p>version %s</p>\n" % (v, v)}
                expected["/assets/blob.bin"] = expected.get("/assets/blob.bin", set()) | {v * 20000}

            server = harness.Server(live, threads=2).start()
            stop = threading.Event()
            stats = {"ok": 0, "failed": [], "reset": 0}
            lock = threading.Lock()

            def client(i):
                path = "/" if i % 2 == 0 else "/assets/blob.bin"
                req = b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode()
                try:
                    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
                    buf = b""
                    while not stop.is_set():
                        s.sendall(req)
                        status, body, buf = read_response(s, buf)
                        with lock:
                            if status == 200 and body in expected[path]:
                                stats["ok"] += 1
                            else:
                                stats["failed"].append((status, body[:40]))
                    s.close()
                except ConnectionResetError:
                    with lock:
                        stats["reset"] += 1
                except Exception as e:  # reported below
                    with lock:
                        stats["failed"].append(repr(e))

            threads = [threading.Thread(target=client, args=(i,)) for i in range(50)]
            for t in threads:
                t.start()
            time.sleep(0.3)
            for i in range(20):
                src = corrupt if i % 2 == 1 else (b if i % 4 == 0 else a)
                tmp_link = live + ".new"
                os.link(src, tmp_link)
                os.replace(tmp_link, live)  # atomic swap, like `mv new.tar site.tar`
                before_ok = server.log_count(rb"reloaded \d+ entries")
                before_bad = server.log_count(rb"reload failed")
                server.signal(signal.SIGHUP)
                deadline = time.monotonic() + 10
                while (server.log_count(rb"reloaded \d+ entries") == before_ok and
                       server.log_count(rb"reload failed") == before_bad):
                    self.assertLess(time.monotonic(), deadline, "no reload log line")
                    time.sleep(0.01)
                time.sleep(0.1)
            stop.set()
            for t in threads:
                t.join()
            self.assertEqual(stats["failed"], [])
            self.assertEqual(stats["reset"], 0)
            self.assertGreater(stats["ok"], 1000)
            self.assertEqual(server.log_count(rb"reload failed"), 10)
            self.assertEqual(server.log_count(rb"reloaded \d+ entries"), 10)
            # The corrupt tarball's error is precise: which file, which byte offset, what is wrong.
            self.assertRegex(server.stderr.decode(),
                             r"reload failed, still serving the previous site: .*site\.tar: .*offset 512\): truncated header")
            server.assert_fds_back()
            server.stop()

    def test_startup_with_a_corrupt_tarball_fails_clearly(self):
        with harness.tempdir() as tmp:
            bad = os.path.join(tmp, "bad.tar")
            with open(bad, "wb") as f:
                f.write(b"\x1f\x8b\x08\x00" + b"\x00" * 1020)
            s = harness.Server(bad)
            with self.assertRaises(AssertionError) as ctx:
                s.start(timeout=5)
            self.assertIn("gzip", str(ctx.exception))
            self.assertNotEqual(s.proc.wait(timeout=5), 0)

    def test_sigterm_finishes_in_flight_download(self):
        with harness.tempdir() as tmp:
            site = os.path.join(tmp, "site")
            os.makedirs(site)
            blob = os.urandom(3 * 1024 * 1024)
            with open(os.path.join(site, "big.bin"), "wb") as f:
                f.write(blob)
            tar = harness.pack(site, os.path.join(tmp, "site.tar"))
            # A generous drain deadline: this checks that draining waits for the download, not
            # how fast a sanitizer build streams.
            server = harness.Server(tar, "--chunk-size", "16384", "--shutdown-timeout-ms", "120000").start()
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)  # a slow reader: small window
            s.connect(("127.0.0.1", server.port))
            s.settimeout(10)
            s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            first = s.recv(4096)
            self.assertTrue(first.startswith(b"HTTP/1.1 200 "))
            server.signal(signal.SIGTERM)
            server.wait_for_log(rb"shutting down")
            # New connections are refused once the listener is closed.
            time.sleep(0.2)
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", server.port), timeout=2).recv(1)
            data = harness.read_until_close(s, first)
            s.close()
            # The whole body arrives, then the server closes (it is stopping: no keep-alive).
            head, _, body = data.partition(b"\r\n\r\n")
            self.assertEqual(body, blob)
            self.assertEqual(server.proc.wait(timeout=10), 0)
            server.wait_for_log(rb"stopped")

    def test_tarball_truncated_in_place_under_a_download(self):
        # reliability.md H12: overwriting the live tarball is an operator error, but it must
        # never crash the server or send bytes from outside the archive: the response is cut
        # short and the connection closed; a reload of a good tarball then restores service.
        with harness.tempdir() as tmp:
            site = os.path.join(tmp, "site")
            os.makedirs(site)
            blob = os.urandom(4 * 1024 * 1024)
            with open(os.path.join(site, "big.bin"), "wb") as f:
                f.write(blob)
            with open(os.path.join(site, "small.txt"), "wb") as f:
                f.write(b"small\n")
            good = harness.pack(site, os.path.join(tmp, "good.tar"))
            live = os.path.join(tmp, "site.tar")
            with open(good, "rb") as src, open(live, "wb") as dst:
                dst.write(src.read())
            server = harness.Server(live, "--chunk-size", "16384").start()
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
            s.connect(("127.0.0.1", server.port))
            s.settimeout(10)
            s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            data = s.recv(4096)
            os.truncate(live, 1024 * 1024)
            data = harness.read_until_close(s, data)
            s.close()
            head, _, body = data.partition(b"\r\n\r\n")
            self.assertIn(b"Content-Length: %d" % len(blob), head)
            self.assertLess(len(body), len(blob))
            self.assertEqual(body, blob[:len(body)])  # only archive bytes, in order
            server.assert_alive()
            with open(good, "rb") as src, open(live + ".new", "wb") as dst:
                dst.write(src.read())
            os.replace(live + ".new", live)
            server.signal(signal.SIGHUP)
            server.wait_for_log(rb"reloaded \d+ entries")
            c = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            c.sendall(b"GET /small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            status, body, _ = read_response(c, b"")
            c.close()
            self.assertEqual((status, body), (200, b"small\n"))
            server.stop()

    def test_sigterm_closes_idle_keep_alive_connections_at_once(self):
        with harness.tempdir() as tmp:
            tar = make_site(tmp, "a", b"A")
            server = harness.Server(tar, "--keepalive-timeout-ms", "60000").start()
            conns = []
            for _ in range(10):
                c = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                read_response(c, b"")
                conns.append(c)
            start = time.monotonic()
            server.signal(signal.SIGTERM)
            self.assertEqual(server.proc.wait(timeout=5), 0)
            self.assertLess(time.monotonic() - start, 2.0)
            for c in conns:
                self.assertEqual(c.recv(10), b"")
                c.close()


if __name__ == "__main__":
    harness.main()
