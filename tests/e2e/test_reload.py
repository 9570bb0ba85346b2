"""Hot reload and graceful stop against the real binary. While 50 keep-alive connections keep
the server busy, the tarball is replaced (by rename, as a deploy does) and SIGHUP is sent 20
times, alternating good and corrupt tarballs: no request may fail, no connection may be reset,
and every response must be byte-identical to version A or version B of the site. SIGTERM must
let an in-flight download finish, refuse new connections, and exit 0."""

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
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

    def test_reload_under_https_load_swaps_site_and_certificate(self):
        # Clients over TLS keep requesting (HTTP/1.1 keep-alive, HTTP/1.1 with a new handshake
        # per request, HTTP/2 with python3-h2, curl --http2, and h2load when installed) while
        # the tarball AND the certificate/key are swapped by rename and SIGHUP is sent six times,
        # twice with a bad certificate (garbage, then a key that does not match): no request may
        # fail, and every new handshake presents the certificate of the last good reload.
        import h2.config
        import h2.connection
        import h2.events
        with harness.tempdir() as tmp:
            a = make_site(tmp, "a", b"A")
            b = make_site(tmp, "b", b"B")
            live = os.path.join(tmp, "site.tar")
            os.link(a, live)
            expected = {"/": {b"<!doctype html><title>v%s</title><p>version %s</p>\n" % (v, v) for v in (b"A", b"B")},
                        "/assets/blob.bin": {v * 20000 for v in (b"A", b"B")}}
            gens = []
            for g in range(4):
                key, cert = os.path.join(tmp, "g%d.key" % g), os.path.join(tmp, "g%d.pem" % g)
                subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                "-nodes", "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=gen%d.reload.test" % g,
                                "-addext", "subjectAltName=DNS:reload.test"], check=True, capture_output=True)
                with open(cert) as f:
                    gens.append((cert, key, ssl.PEM_cert_to_DER_cert(f.read())))
            live_cert, live_key = os.path.join(tmp, "live.pem"), os.path.join(tmp, "live.key")
            shutil.copy(gens[0][0], live_cert)
            shutil.copy(gens[0][1], live_key)
            server = harness.Server(live, "--cert", live_cert, "--key", live_key, threads=2).start()
            port = server.tls_port
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            h2ctx = ssl.create_default_context()
            h2ctx.check_hostname = False
            h2ctx.verify_mode = ssl.CERT_NONE
            h2ctx.set_alpn_protocols(["h2"])

            # Known server bug, independent of reloads (see the note at the end of this test):
            # about 1 in 200 fresh TLS connections is closed by the server inside the handshake
            # (the client sees EOF in do_handshake, or EOF instead of any response). Such setup
            # failures are retried here and counted in stats["setup_eof"]; they are bounded below.
            def tls_connect(context=ctx):
                for attempt in range(5):
                    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
                    try:
                        return context.wrap_socket(raw, server_hostname="reload.test")
                    except (ssl.SSLZeroReturnError, ssl.SSLEOFError, ConnectionResetError):
                        raw.close()
                        with lock:
                            stats["setup_eof"] += 1
                raise ConnectionError("5 handshakes in a row closed by the server")

            stop = threading.Event()
            lock = threading.Lock()
            stats = {"h1": 0, "h1_new": 0, "h2": 0, "curl": 0, "setup_eof": 0, "failed": []}
            seen_certs = set()

            def record(kind, path, status, body):
                with lock:
                    if status == 200 and body in expected[path]:
                        stats[kind] += 1
                    else:
                        stats["failed"].append((kind, path, status, body[:40]))

            def guarded(kind, fn):
                def run():
                    try:
                        fn()
                    except Exception as e:  # reported below
                        with lock:
                            stats["failed"].append((kind, repr(e)))
                return run

            def h1_keepalive(i):
                path = "/" if i % 2 == 0 else "/assets/blob.bin"
                req = b"GET %s HTTP/1.1\r\nHost: reload.test\r\n\r\n" % path.encode()
                s, buf, served = tls_connect(), b"", 0
                while not stop.is_set():
                    s.sendall(req)
                    try:
                        status, body, buf = read_response(s, buf)
                    except ConnectionError:
                        if served or buf:
                            raise
                        with lock:  # the handshake bug, on this connection's first request
                            stats["setup_eof"] += 1
                        s.close()
                        s = tls_connect()
                        continue
                    served += 1
                    record("h1", path, status, body)
                    if served % 1000 == 0:  # well under --max-requests-per-connection's close
                        s.close()
                        s, buf, served = tls_connect(), b"", 0
                s.close()

            def h1_new_connection_each_request():
                while not stop.is_set():
                    s = tls_connect()
                    der = s.getpeercert(binary_form=True)
                    with lock:
                        seen_certs.add(der)
                    s.sendall(b"GET / HTTP/1.1\r\nHost: reload.test\r\nConnection: close\r\n\r\n")
                    first = s.recv(65536)
                    if not first:  # the handshake bug above, seen after the client's Finished
                        with lock:
                            stats["setup_eof"] += 1
                        s.close()
                        continue
                    status, body, _ = read_response(s, first)
                    record("h1_new", "/", status, body)
                    s.close()

            def h2_client():
                for _ in range(5):
                    s = tls_connect(h2ctx)
                    assert s.selected_alpn_protocol() == "h2"
                    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
                    conn.initiate_connection()
                    s.sendall(conn.data_to_send())
                    first = s.recv(65536)
                    if first:
                        break
                    with lock:  # the handshake bug: EOF instead of the server's SETTINGS
                        stats["setup_eof"] += 1
                    s.close()
                s.sendall(conn.data_to_send())
                for ev in conn.receive_data(first):
                    pass
                s.sendall(conn.data_to_send())
                sid = 1
                while not stop.is_set():
                    path = "/" if sid % 4 == 1 else "/assets/blob.bin"
                    conn.send_headers(sid, [(":method", "GET"), (":path", path), (":scheme", "https"),
                                            (":authority", "reload.test")], end_stream=True)
                    s.sendall(conn.data_to_send())
                    status, body, done = None, b"", False
                    while not done:
                        data = s.recv(65536)
                        if not data:
                            raise ConnectionError("h2 connection closed")
                        for ev in conn.receive_data(data):
                            if isinstance(ev, h2.events.ResponseReceived) and ev.stream_id == sid:
                                status = int(dict(ev.headers)[":status"])
                            elif isinstance(ev, h2.events.DataReceived) and ev.stream_id == sid:
                                body += ev.data
                                conn.acknowledge_received_data(ev.flow_controlled_length, sid)
                            elif isinstance(ev, h2.events.StreamEnded) and ev.stream_id == sid:
                                done = True
                            elif isinstance(ev, (h2.events.StreamReset, h2.events.ConnectionTerminated)):
                                raise ConnectionError("h2: %r" % ev)
                        s.sendall(conn.data_to_send())
                    record("h2", path, status, body)
                    sid += 2
                s.close()

            def curl_h2():
                url = "https://reload.test:%d" % port
                while not stop.is_set():
                    r = subprocess.run(["curl", "-sS", "-k", "--http2", "--resolve", "reload.test:%d:127.0.0.1" % port,
                                        "-o", "-", "-w", "\n%{http_code} %{http_version}", url + "/"],
                                       capture_output=True, timeout=30)
                    body, _, tail = r.stdout.rpartition(b"\n")
                    if r.returncode in (35, 52, 56) and tail == b"000 0" and not body:
                        with lock:  # the handshake bug: EOF in or right after the handshake
                            stats["setup_eof"] += 1
                        continue
                    record("curl", "/", 200 if tail == b"200 2" else (r.returncode, tail, r.stderr[-200:]), body)
                    time.sleep(0.05)

            threads = [threading.Thread(target=guarded("h1", lambda i=i: h1_keepalive(i))) for i in range(6)]
            threads += [threading.Thread(target=guarded("h1_new", h1_new_connection_each_request)) for _ in range(2)]
            threads += [threading.Thread(target=guarded("h2", h2_client)) for _ in range(2)]
            threads += [threading.Thread(target=guarded("curl", curl_h2))]
            h2load = None
            if shutil.which("h2load"):
                h2load = subprocess.Popen(["h2load", "-c4", "-m4", "--rps", "100", "-D", "6",
                                           "https://127.0.0.1:%d/" % port], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for t in threads:
                t.start()
            time.sleep(0.5)

            def swap(src, dst):
                shutil.copy(src, dst + ".new")
                os.replace(dst + ".new", dst)  # atomic, like `mv`

            def presented():
                s = tls_connect()
                der = s.getpeercert(binary_form=True)
                s.close()
                return der

            def stop_clients():
                stop.set()
                if h2load is not None and h2load.poll() is None:
                    h2load.kill()
            self.addCleanup(stop_clients)  # an assertion below must not leave clients running
            current = gens[0][2]
            steps = [("good", 1, b), ("garbage", None, None), ("good", 2, a), ("mismatch", 3, None),
                     ("good", 3, b), ("good", 1, a)]
            for kind, g, site in steps:
                if kind == "good":
                    swap(gens[g][0], live_cert)
                    swap(gens[g][1], live_key)
                    swap(site, live)
                elif kind == "garbage":
                    with open(live_cert + ".new", "wb") as f:
                        f.write(b"-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
                    os.replace(live_cert + ".new", live_cert)
                else:  # a valid certificate whose key is not the live one
                    swap(gens[g][0], live_cert)
                before_ok = server.log_count(rb"reloaded \d+ entries")
                before_bad = server.log_count(rb"reload failed")
                server.signal(signal.SIGHUP)
                deadline = time.monotonic() + 10
                while (server.log_count(rb"reloaded \d+ entries") == before_ok and
                       server.log_count(rb"reload failed") == before_bad):
                    self.assertLess(time.monotonic(), deadline, "no reload log line")
                    time.sleep(0.01)
                if kind == "good":
                    self.assertEqual(server.log_count(rb"reloaded \d+ entries"), before_ok + 1, kind)
                    current = gens[g][2]
                else:
                    self.assertEqual(server.log_count(rb"reload failed"), before_bad + 1, kind)
                self.assertEqual(presented(), current, "after the %s reload" % kind)
                time.sleep(0.4)
            if h2load is not None:
                out = h2load.communicate(timeout=60)[0].decode(errors="replace")
            stop.set()
            for t in threads:
                t.join(timeout=30)
            self.assertEqual(stats["failed"], [])
            # Every fresh connection must be answered across the reloads (the handshake drops
            # this once tolerated came from the lingering-close shutdown bug, now fixed).
            self.assertEqual(stats["setup_eof"], 0, stats)
            for kind in ("h1", "h1_new", "h2", "curl"):
                self.assertGreater(stats[kind], 10, (kind, stats))
            self.assertLessEqual(seen_certs, {g[2] for g in gens})
            self.assertGreaterEqual(len(seen_certs), 3)  # handshakes during the run saw the swaps
            self.assertEqual(server.log_count(rb"reload failed"), 2)
            self.assertRegex(server.stderr.decode(errors="replace"), r"reload failed, still serving the previous site: .*live\.pem")
            if h2load is not None:
                m = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                              r"(\d+) errored, (\d+) timeout", out)
                self.assertIsNotNone(m, out)
                total, done, ok, failed, errored, timeouts = map(int, m.groups())
                self.assertEqual((failed, errored, timeouts), (0, 0, 0), out)
                self.assertEqual(ok, done)
                self.assertGreater(ok, 100, out)
                self.assertIn("Application protocol: h2", out)
                self.assertRegex(out, r"status codes: \d+ 2xx, 0 3xx, 0 4xx, 0 5xx")
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
