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

import harness


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
