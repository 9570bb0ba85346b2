"""Static serving against the real binary: every example-site file byte-exact through curl,
lookup rules (index, try-html, hidden .zeroserve/), methods, path escapes, HEAD, conditional
requests, single and multi-range requests, large files streamed in chunks."""

import email.utils
import hashlib
import http.client
import os
import re
import subprocess
import unittest

import harness

MIME = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
        ".json": "application/json; charset=utf-8", ".png": "image/png",
        ".txt": "text/plain; charset=utf-8", ".bin": "application/octet-stream"}


def request(port, method, path, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request(method, path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


class ExampleSite(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.tempdir()
        cls.tar = harness.pack(harness.EXAMPLE_SITE, os.path.join(cls.tmp.name, "site.tar"))
        cls.server = harness.Server(cls.tar, "--try-html").start()
        cls.port = cls.server.port

    def example_files(self):
        return harness.example_files()

    def test_every_file_byte_exact_with_curl(self):
        files = list(self.example_files())
        self.assertGreaterEqual(len(files), 7)
        for path, full in files:
            out = subprocess.run(["curl", "-sS", "--fail", "-D", "-", "-o", "-", self.server.url(path)],
                                 capture_output=True, timeout=10)
            self.assertEqual(out.returncode, 0, path + ": " + out.stderr.decode())
            head, _, body = out.stdout.partition(b"\r\n\r\n")
            with open(full, "rb") as f:
                self.assertEqual(body, f.read(), path)
            ext = os.path.splitext(path)[1]
            if ext in MIME:
                self.assertIn(("content-type: " + MIME[ext]).encode(), head.lower(), path)

    def test_validators_and_standard_headers(self):
        status, h, body = request(self.port, "GET", "/index.html")
        self.assertEqual(status, 200)
        self.assertRegex(h["etag"], r'^"[0-9a-f]{32}"$')
        mtime = int(os.stat(os.path.join(harness.EXAMPLE_SITE, "index.html")).st_mtime)
        self.assertEqual(email.utils.parsedate_to_datetime(h["last-modified"]).timestamp(), mtime)
        self.assertEqual(h["server"], "zeroserve")
        self.assertEqual(h["accept-ranges"], "bytes")
        self.assertIn("date", h)
        self.assertEqual(int(h["content-length"]), len(body))

    def test_index_documents(self):
        with open(os.path.join(harness.EXAMPLE_SITE, "index.html"), "rb") as f:
            root = f.read()
        with open(os.path.join(harness.EXAMPLE_SITE, "docs", "index.html"), "rb") as f:
            docs = f.read()
        self.assertEqual(request(self.port, "GET", "/")[2], root)
        self.assertEqual(request(self.port, "GET", "/docs/")[2], docs)
        self.assertEqual(request(self.port, "GET", "/docs")[2], docs)  # no redirect, as the reference

    def test_try_html(self):
        status, h, body = request(self.port, "GET", "/about")
        self.assertEqual(status, 200)
        with open(os.path.join(harness.EXAMPLE_SITE, "about.html"), "rb") as f:
            self.assertEqual(body, f.read())

    def test_not_found_and_method_not_allowed(self):
        status, h, _ = request(self.port, "GET", "/nope.html")
        self.assertEqual(status, 404)
        self.assertEqual(h["content-type"], "text/plain; charset=utf-8")
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            status, h, _ = request(self.port, method, "/index.html")
            self.assertEqual(status, 405, method)
            self.assertEqual(h["allow"], "GET, HEAD")

    def test_path_escapes_are_bad_requests(self):
        for path in ["/..", "/../../etc/passwd", "/%2e%2e", "/%2e%2e/", "/%2E%2E%2F", "/.%2e/x",
                     "/a/..%2f..%2f", "/docs%2findex.html", "/a%2Fb", "/%00", "/a/b%00.html",
                     "/%c0%ae%c0%ae/", "/%ff", "/%zz", "/%ed%a0%80"]:
            data, closed = harness.raw_exchange(self.port, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            self.assertTrue(data.startswith(b"HTTP/1.1 400 "), path + ": " + repr(data[:60]))

    def test_dot_segments_resolve_inside_the_site(self):
        with open(os.path.join(harness.EXAMPLE_SITE, "css", "site.css"), "rb") as f:
            css = f.read()
        for path in ["/css/./site.css", "/img/../css/site.css", "//css//site.css", "/%63ss/site.css"]:
            data, _ = harness.raw_exchange(self.port, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            (status, _, body), = harness.parse_responses(data)
            self.assertEqual((status, body), (200, css), path)

    def test_head_has_headers_and_no_body(self):
        _, get_h, get_body = request(self.port, "GET", "/css/site.css")
        data, _ = harness.raw_exchange(self.port, b"HEAD /css/site.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        head, _, rest = data.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200 "))
        self.assertIn(b"Content-Length: %d" % len(get_body), head)
        self.assertIn(("ETag: " + get_h["etag"]).encode(), head)
        self.assertEqual(rest, b"")

    def test_conditional_requests(self):
        _, h, _ = request(self.port, "GET", "/api/status.json")
        etag, lm = h["etag"], h["last-modified"]
        for inm in [etag, "W/" + etag, '"nope", ' + etag, "*"]:
            status, h2, body = request(self.port, "GET", "/api/status.json", {"If-None-Match": inm})
            self.assertEqual((status, body), (304, b""), inm)
            self.assertEqual(h2["etag"], etag)
        self.assertEqual(request(self.port, "GET", "/api/status.json", {"If-None-Match": '"other"'})[0], 200)
        self.assertEqual(request(self.port, "GET", "/api/status.json", {"If-Modified-Since": lm})[0], 304)
        self.assertEqual(request(self.port, "GET", "/api/status.json",
                                 {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0], 200)
        # If-None-Match alone decides when present (RFC 9110 §13.2.2).
        self.assertEqual(request(self.port, "GET", "/api/status.json",
                                 {"If-None-Match": '"other"', "If-Modified-Since": lm})[0], 200)


class Ranges(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.tempdir()
        site = os.path.join(cls.tmp.name, "site")
        os.makedirs(os.path.join(site, ".zeroserve", "scripts"))
        cls.big = os.urandom(300 * 1024 + 17)
        with open(os.path.join(site, "big.bin"), "wb") as f:
            f.write(cls.big)
        with open(os.path.join(site, "small.txt"), "wb") as f:
            f.write(b"0123456789abcdefghij")
        with open(os.path.join(site, "empty.txt"), "wb") as f:
            pass
        with open(os.path.join(site, ".zeroserve", "secret.txt"), "wb") as f:
            f.write(b"never served")
        cls.tar = harness.pack(site, os.path.join(cls.tmp.name, "site.tar"))
        cls.server = harness.Server(cls.tar, "--chunk-size", "4096").start()
        cls.port = cls.server.port

    def test_large_file_streams_byte_exact(self):
        status, h, body = request(self.port, "GET", "/big.bin")
        self.assertEqual(status, 200)
        self.assertEqual(hashlib.sha256(body).digest(), hashlib.sha256(self.big).digest())

    def test_single_ranges(self):
        cases = {"bytes=0-9": (0, 9), "bytes=5-": (5, 19), "bytes=-4": (16, 19), "bytes=10-1000": (10, 19),
                 "bytes=-100": (0, 19)}
        for rng, (a, b) in cases.items():
            status, h, body = request(self.port, "GET", "/small.txt", {"Range": rng})
            self.assertEqual(status, 206, rng)
            self.assertEqual(body, b"0123456789abcdefghij"[a:b + 1], rng)
            self.assertEqual(h["content-range"], "bytes %d-%d/20" % (a, b), rng)

    def test_range_inside_a_large_file(self):
        status, h, body = request(self.port, "GET", "/big.bin", {"Range": "bytes=100000-250000"})
        self.assertEqual(status, 206)
        self.assertEqual(body, self.big[100000:250001])

    def test_unsatisfiable_and_ignored_ranges(self):
        status, h, body = request(self.port, "GET", "/small.txt", {"Range": "bytes=20-"})
        self.assertEqual((status, body, h["content-range"]), (416, b"", "bytes */20"))
        self.assertEqual(request(self.port, "GET", "/empty.txt", {"Range": "bytes=0-0"})[0], 416)
        for bad in ["bytes=9-3x", "items=0-1", "bytes=abc"]:
            self.assertEqual(request(self.port, "GET", "/small.txt", {"Range": bad})[0], 200, bad)

    def test_if_range(self):
        _, h, _ = request(self.port, "GET", "/small.txt")
        self.assertEqual(request(self.port, "GET", "/small.txt", {"Range": "bytes=0-1", "If-Range": h["etag"]})[0], 206)
        self.assertEqual(request(self.port, "GET", "/small.txt", {"Range": "bytes=0-1", "If-Range": '"stale"'})[0], 200)

    def test_multi_range_is_multipart_byteranges(self):
        status, h, body = request(self.port, "GET", "/big.bin", {"Range": "bytes=0-99,200000-200099,-10"})
        self.assertEqual(status, 206)
        m = re.match(r"multipart/byteranges; boundary=(\S+)$", h["content-type"])
        self.assertIsNotNone(m, h["content-type"])
        self.assertEqual(int(h["content-length"]), len(body))
        boundary = m.group(1).encode()
        parts = body.split(b"--" + boundary)
        self.assertEqual(parts[0], b"")
        self.assertEqual(parts[-1], b"--\r\n")
        got = []
        for p in parts[1:-1]:
            head, _, data = p.partition(b"\r\n\r\n")
            a, b = map(int, re.search(rb"bytes (\d+)-(\d+)/", head).groups())
            self.assertTrue(data.endswith(b"\r\n"))
            got.append((a, b, data[:-2]))
        size = len(self.big)
        self.assertEqual([(a, b) for a, b, _ in got], [(0, 99), (200000, 200099), (size - 10, size - 1)])
        for a, b, data in got:
            self.assertEqual(data, self.big[a:b + 1])

    def test_many_ranges_are_not_amplified(self):
        # reliability.md C6: a thousand tiny ranges get the plain file, never a thousand parts.
        rng = "bytes=" + ",".join(["0-0"] * 1000)
        status, h, body = request(self.port, "GET", "/small.txt", {"Range": rng})
        self.assertEqual((status, body), (200, b"0123456789abcdefghij"))
        rng = "bytes=" + ",".join("%d-%d" % (i, i) for i in range(0, 40, 2))  # 20 sorted ranges > 16
        self.assertEqual(request(self.port, "GET", "/big.bin", {"Range": rng})[0], 200)

    def test_hidden_directory_is_never_served(self):
        for path in ["/.zeroserve/secret.txt", "/%2ezeroserve/secret.txt", "/./.zeroserve/secret.txt",
                     "/x/../.zeroserve/secret.txt", "/.zeroserve/", "/.zeroserve"]:
            status, _, body = request(self.port, "GET", path)
            self.assertEqual(status, 404, path)
            self.assertNotIn(b"never served", body)


if __name__ == "__main__":
    harness.main()
