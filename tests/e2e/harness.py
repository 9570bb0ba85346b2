"""Starts the real zeroserve binary for end-to-end tests and checks it stayed healthy.

Each test module runs under /usr/bin/python3 (Debian's, stdlib only) from CTest with
`--binary PATH`. A Server binds 127.0.0.1 port 0, learns its port from the
"listening on http://IP:PORT" line on stderr, and on stop() asserts what every e2e test
must: the process is still alive until we stop it, it exits 0 on SIGTERM, its stderr has no
sanitizer report, and its open-fd count came back to the baseline.
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

BINARY = None
SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLE_SITE = os.path.join(SOURCE_DIR, "examples", "site")
# Example-site pages that its scripts answer or change (checked in test_scripts.py).
EXAMPLE_SCRIPTED = {"/hello.html", "/private/index.html"}


def example_files():
    """(URL path, file path) of every example-site file served as it is on disk."""
    for root, dirs, files in os.walk(EXAMPLE_SITE):
        dirs[:] = sorted(d for d in dirs if d != ".zeroserve")  # scripts: never served
        for f in sorted(files):
            full = os.path.join(root, f)
            path = "/" + os.path.relpath(full, EXAMPLE_SITE)
            if path not in EXAMPLE_SCRIPTED:
                yield path, full

LISTEN_RE = re.compile(rb"listening on http://([0-9.]+):(\d+) \((\d+) worker thread\(s\)\)")
TLS_LISTEN_RE = re.compile(rb"listening on https://([0-9.]+):(\d+)")
SANITIZER_RE = re.compile(rb"(AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:)")


def pack(directory, out_path):
    """Packs `directory` with `zeroserve --pack` into `out_path`."""
    with open(out_path, "wb") as out:
        proc = subprocess.run([BINARY, "--pack", directory], stdout=out, stderr=subprocess.PIPE, timeout=60)
    if proc.returncode != 0:
        raise AssertionError("--pack failed: " + proc.stderr.decode(errors="replace"))
    return out_path


class Server:
    """A running zeroserve. Use as a context manager or call start()/stop()."""

    def __init__(self, site, *args, threads=1, logging=False, env=None):
        self.env = env
        self.site = site
        self.args = list(args)
        self.threads = threads
        self.logging = logging
        self.proc = None
        self.port = None
        self.stderr = bytearray()
        self._reader = None
        self._lines = threading.Condition()

    def start(self, timeout=10):
        cmd = [BINARY, "--addr", "127.0.0.1:0", "--threads", str(self.threads)]
        if "--cert" in self.args or "--cert-dir" in self.args:
            cmd += ["--tls-addr", "127.0.0.1:0"]
        if not self.logging:
            cmd.append("--disable-request-logging")
        cmd += self.args + [self.site]
        env = None
        if self.env:
            env = dict(os.environ)
            env.update(self.env)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     env=env)
        self._reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        with self._lines:
            while True:
                m = LISTEN_RE.search(self.stderr)
                tls = TLS_LISTEN_RE.search(self.stderr)
                if m and (tls or "--tls-addr" not in cmd):
                    self.port = int(m.group(2))
                    self.tls_port = int(tls.group(2)) if tls else None
                    break
                if self.proc.poll() is not None:
                    self._lines.release()
                    self._reader.join(timeout=5)  # everything it printed, up to EOF
                    self._lines.acquire()
                    raise AssertionError("zeroserve exited at startup (%s): %s" % (self.proc.returncode, self.stderr.decode(errors="replace")))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no 'listening on' line within %ss: %s" % (timeout, self.stderr.decode(errors="replace")))
                self._lines.wait(left)
        time.sleep(0.05)  # let every worker arm its accept
        self.baseline_fds = self.open_fds()
        return self

    def _drain_stderr(self):
        while True:
            chunk = self.proc.stderr.read1(65536) if hasattr(self.proc.stderr, "read1") else self.proc.stderr.read(4096)
            if not chunk:
                break
            with self._lines:
                self.stderr += chunk
                self._lines.notify_all()

    def wait_for_log(self, pattern, timeout=10):
        """Waits until stderr matches the regex `pattern` (bytes); returns the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._lines:
            while True:
                m = rx.search(self.stderr)
                if m:
                    return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("log never matched %r: %s" % (pattern, self.stderr.decode(errors="replace")[-2000:]))
                self._lines.wait(left)

    def log_count(self, pattern):
        with self._lines:
            return len(re.findall(pattern, bytes(self.stderr)))

    def open_fds(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

    def rss_kb(self):
        """The server's resident set size (VmRSS) in KiB."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            return int(next(l for l in f if l.startswith("VmRSS:")).split()[1])

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def assert_alive(self):
        if self.proc.poll() is not None:
            raise AssertionError("zeroserve died (%s): %s" % (self.proc.returncode, self.stderr.decode(errors="replace")[-4000:]))

    def assert_fds_back(self, timeout=5):
        """Open fds return to the post-start baseline once clients are gone."""
        deadline = time.monotonic() + timeout
        while True:
            n = self.open_fds()
            if n <= self.baseline_fds:
                return
            if time.monotonic() > deadline:
                raise AssertionError("fd leak: %d open, baseline %d" % (n, self.baseline_fds))
            time.sleep(0.05)

    def stop(self, check=True):
        if self.proc is None:
            return
        if check:
            self.assert_alive()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("zeroserve did not stop within 30 s of SIGTERM")
        self._reader.join(timeout=5)
        self.proc.stderr.close()
        self.proc = None
        if check:
            if code != 0:
                raise AssertionError("zeroserve exited %s after SIGTERM: %s" % (code, self.stderr.decode(errors="replace")[-4000:]))
            if SANITIZER_RE.search(self.stderr):
                raise AssertionError("sanitizer report:\n" + self.stderr.decode(errors="replace")[-8000:])

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        self.stop(check=exc_type is None)


def raw_exchange(port, data, timeout=3.0, split=None, shut_write=False):
    """Sends `data` (optionally in pieces of `split` bytes) and reads until the server closes or
    `timeout` passes with nothing more. Returns (bytes_received, closed_by_server)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        if split:
            for i in range(0, len(data), split):
                s.sendall(data[i:i + split])
        else:
            s.sendall(data)
        if shut_write:
            s.shutdown(socket.SHUT_WR)
        out = bytearray()
        closed = False
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            out += chunk
        return bytes(out), closed
    finally:
        s.close()


def read_until_close(sock, initial=b""):
    """Reads from `sock` until the server closes it (or resets it); returns everything read."""
    data = bytearray(initial)
    while True:
        try:
            chunk = sock.recv(1 << 20)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return bytes(data)


def parse_responses(data):
    """Splits a byte stream into (status, headers dict (lower-case), body) tuples. Bodies are
    delimited by Content-Length (no body for 1xx/204/304 or when absent)."""
    out = []
    i = 0
    while i < len(data):
        end = data.find(b"\r\n\r\n", i)
        if end < 0:
            raise AssertionError("incomplete response head: %r" % data[i:i + 200])
        lines = data[i:end].split(b"\r\n")
        status = int(lines[0].split(b" ")[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            headers[k.strip().lower().decode()] = v.strip().decode()
        i = end + 4
        n = 0
        if status >= 200 and status not in (204, 304) and "content-length" in headers:
            n = int(headers["content-length"])
        out.append((status, headers, data[i:i + n]))
        i += n
    return out


class ServerTestCase(unittest.TestCase):
    """Base for test classes that share one server: setUpClass sets cls.server (a started Server)
    and cls.tmp (a tempdir()); every test checks the server survived, and the class stops it."""

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def tearDown(self):
        self.server.assert_alive()


def main():
    """Parses --binary and runs the calling module's unittest tests."""
    global BINARY
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args, rest = ap.parse_known_args()
    BINARY = os.path.abspath(args.binary)
    unittest.main(module="__main__", argv=[sys.argv[0]] + rest, verbosity=2)


def tempdir():
    return tempfile.TemporaryDirectory(prefix="zs-e2e-")


def exchange(port, method, target, headers=(), body=None, timeout=10.0):
    """One HTTP/1.1 request on a fresh connection with `Connection: close`; returns
    (status_line, [(lower-case name, value)], body) exactly as received. Checks that the body
    length matches Content-Length when there is one."""
    head = "%s %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n" % (method, target)
    for name, value in headers:
        head += "%s: %s\r\n" % (name, value)
    if body is not None:
        head += "Content-Length: %d\r\n" % len(body)
    data, closed = raw_exchange(port, head.encode() + b"\r\n" + (body or b""), timeout=timeout)
    if not closed:
        raise AssertionError("server kept the connection open after Connection: close: %r" % data[:200])
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return data, [], None  # no complete response (e.g. the connection was closed at once)
    lines = data[:end].split(b"\r\n")
    fields = []
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        fields.append((k.strip().lower().decode(), v.strip().decode()))
    payload = data[end + 4:]
    length = [v for k, v in fields if k == "content-length"]
    if length and int(length[0]) != len(payload) and method != "HEAD":
        raise AssertionError("Content-Length %s but %d body bytes: %r" % (length[0], len(payload), data[:300]))
    return lines[0], fields, payload
