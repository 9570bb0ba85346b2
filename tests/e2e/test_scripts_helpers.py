"""Request scripting against the real binary (issue 5), helper groups: request reading (method,
path, normalized path, URI, query and its parameters, headers, peer, scheme, protocol, TLS),
JSON (parse, navigate, read, build, mutate, clone, request body, static JSON and file
metadata), codec (SHA-256, HMAC-SHA256, base64 in four alphabets, hex, random), rate limiting,
environment/version/clock, logging; the example site's five scripts; and scripts over HTTPS and
HTTP/2: zs_connection_info with a JA4 fingerprint that differs between curl and openssl
s_client and is stable for each. Chain rules and faults: test_scripts.py."""

import base64
import hashlib
import hmac
import json
import os
import re
import socket
import subprocess
import time
import unittest

import harness
from test_scripts import FIXTURE_SITE, ScriptCase, fields_of, read, start_fixture_server


def json_headers(body):
    return {"content-type": "application/json", "content-length": str(len(body))}


class Helpers(ScriptCase):
    @classmethod
    def setUpClass(cls):
        start_fixture_server(cls, "--max-buffered-body-size-kb", "1")

    # --- request reading ---------------------------------------------------------------------

    def test_request_helpers(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        try:
            port = s.getsockname()[1]
            s.sendall(b"GET /req/a/../info%20z?a=1&b=x%20y&a=2 HTTP/1.1\r\nHost: test\r\nX-Test: first\r\n"
                      b"x-test: truncated-value\r\nConnection: close\r\n\r\n")
            data = harness.read_until_close(s)
        finally:
            s.close()
        body = ('{"method":"GET","path":"/req/info%20z","normalized":"/req/info z","uri":"/req/info%20z?a=1&b=x%20y&a=2",'
                '"query":"a=1&b=x%20y&a=2","a":"1","b":"x y","missing_param":"","a_has_2":1,"a_has_3":0,"b_present":1,'
                '"zz_present":0,"x_test":"truncated-value","x_absent":"","truncated_len":5,"truncated":"trun","zero_len":0,'
                '"peer":"127.0.0.1:PORT","scheme":"http","major":1,"minor":1,"tls":0,"handshake":0}').replace("PORT", str(port)).encode()
        (status, headers, got), = harness.parse_responses(data)
        self.assertEqual(data.split(b"\r\n")[0], b"HTTP/1.1 200 OK")
        self.assertEqual(got, body)
        self.assertEqual((headers["content-type"], headers["content-length"]), ("application/json", str(len(body))))

    def test_request_helpers_http10_and_head(self):
        data, _ = harness.raw_exchange(self.server.port, b"HEAD /req/x HTTP/1.0\r\n\r\n", timeout=5)
        head = data.split(b"\r\n\r\n")[0]
        self.assertTrue(head.startswith(b"HTTP/1.1 200 OK\r\n"), data)
        self.assertEqual(data[len(head) + 4:], b"")  # HEAD: no body
        # The same request as GET shows what the script saw.
        data, _ = harness.raw_exchange(self.server.port, b"GET /req/x HTTP/1.0\r\n\r\n", timeout=5)
        doc = json.loads(data.split(b"\r\n\r\n", 1)[1])
        self.assertEqual((doc["method"], doc["major"], doc["minor"], doc["uri"], doc["query"]), ("GET", 1, 0, "/req/x", ""))

    # --- JSON --------------------------------------------------------------------------------

    def test_json_build_navigate_mutate(self):
        body = (b'{"parse_bad":-1,"type_doc":5,"len_doc":6,"s":"str","type_s":3,"len_s":3,"read_n_ret":8,"n":-7,'
                b'"read_b_ret":1,"b":1,"type_z":0,"missing_key":-1,"read_string_of_number":-1,"arr_len":3,"arr_2":30,'
                b'"arr_out_of_range":-1,"push_ret":4,"array_set_ret":0,"array_set_oob":-1,"remove_ret":0,"remove_again":-1,'
                b'"doc":{"s":"str","n":-7,"b":false,"arr":[10,"twenty",30,40],"o":null},'
                b'"clone":{"s":"str","n":-7,"b":true,"z":null,"arr":[10,"twenty",30,40],"o":{"k":"v"}},'
                b'"cursor_type":5,"reset_ret":0,"reset_len":6,"new_array_len":0,"set_on_array":-1}')
        self.assert_exact(self.get("/json/build"), 200, body, json_headers(body))

    def test_json_empty_strings(self):
        # Zero-length guest strings (value, lookup key, key to set) are ordinary strings.
        body = b'{"e":"","get_empty_key":-1,"":1}'
        self.assert_exact(self.get("/json/empty"), 200, body, json_headers(body))

    def test_json_request_body(self):
        body = b'{"echo":{"name":"x","n":5,"list":[true,null]},"second_len":3}'
        self.assert_exact(self.get("/json/body", method="POST", body=b'{"name":"x","n":5,"list":[true,null]}'),
                          201, body, json_headers(body))
        no = {"content-type": "text/plain", "content-length": "13"}
        for bad in (b"{bad", b"", b'{"big":"' + b"x" * 1100 + b'"}'):  # invalid, empty, over the 1 KiB cap
            line, fields, got = self.get("/json/body", method="POST", body=bad)
            self.assertIn(line, (b"HTTP/1.1 422 Unprocessable Content", b"HTTP/1.1 422 Unprocessable Entity",
                                 b"HTTP/1.1 422 "))
            self.assertEqual((fields_of(fields), got), (no, b"no json body\n"))

    def test_chunked_request_body(self):
        # Chunked bodies reach zs_req_body_json like Content-Length ones, in pieces of any size;
        # one over the 1 KiB cap is not readable (-1), and the connection stays usable.
        def post_chunked(chunks):
            data = b"POST /json/body HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
            for c in chunks:
                data += b"%x\r\n%s\r\n" % (len(c), c)
            return data + b"0\r\n\r\n"
        doc = b'{"name":"x","n":5,"list":[true,null]}'
        big = b'{"big":"' + b"x" * 1100 + b'"}'
        data, _ = harness.raw_exchange(self.server.port, post_chunked([doc[:7], doc[7:8], doc[8:]]) +
                                       post_chunked([big[:600], big[600:]]) + post_chunked([doc]) +
                                       b"GET /json/empty HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", timeout=10)
        responses = harness.parse_responses(data)
        self.assertEqual([r[0] for r in responses], [201, 422, 201, 200])
        echo = b'{"echo":{"name":"x","n":5,"list":[true,null]},"second_len":3}'
        self.assertEqual((responses[0][2], responses[1][2], responses[2][2]), (echo, b"no json body\n", echo))

    def test_remote_ip_lists_and_header_replace(self):
        for path, want in (("/match/ip-loopback", b"1"), ("/match/ip-other", b"0"), ("/match/ip-v6", b"1")):
            line, _, got = self.get(path)
            self.assertEqual((line, got), (b"HTTP/1.1 200 OK", want), path)
        for path, reason in (("/match/ip-bad", rb"zs_req_remote_ip_matches: not an IP address or CIDR range: 127\.0\.0\.1/33"),
                             ("/match/regexp", rb"zs_req_replace_header: \"search_regexp\" is not supported")):
            line, _, got = self.get(path)
            self.assertEqual((line, got), (b"HTTP/1.1 500 Internal Server Error", b""), path)
            self.server.wait_for_log(reason)
        line, _, got = harness.exchange(self.server.port, "GET", "/match/replace", headers=[("X-Token", "a-secret-or-secret")])
        self.assertEqual((line, got), (b"HTTP/1.1 200 OK", b"a-***-or-***"))
        line, fields, got = self.get("/plain.txt?hook=replace")
        self.assertEqual(line, b"HTTP/1.1 200 OK")
        self.assertIn(("content-type", "text/x-plain; charset=utf-8"), fields)
        self.assertEqual(got, b"plain file\n")

    def test_request_body_limit(self):
        body = b'{"over":1,"body":-1}'
        self.assert_exact(self.get("/json/limit", method="POST", body=b'{"a":1}'), 200, body, json_headers(body))
        body = b'{"over":0,"body":-1}'  # within the limit, and empty
        self.assert_exact(self.get("/json/limit", method="POST", body=b""), 200, body, json_headers(body))
        body = b'{"over":0,"body":3}'  # a 4-byte body still fits: a handle (3: out, v, then the body)
        self.assert_exact(self.get("/json/limit", method="POST", body=b"[42]"), 200, body, json_headers(body))

    def test_json_static_files(self):
        st = os.stat(os.path.join(FIXTURE_SITE, "plain.txt"))
        etag = self.etags["plain.txt"].strip('"')
        self.assertRegex(etag, r"^[0-9a-f]{32}$")
        body = (b'{"data":{"name":"fixture","n":42,"list":[1,2,3],"ok":true},'
                b'"meta":{"size":11,"etag":"%s","mtime":%d},'
                b'"missing_json":-1,"leading_slash":-1,"not_json":-1,"missing_meta":-1}' % (etag.encode(), int(st.st_mtime)))
        r = self.get("/json/static")
        # The file's ETag, bare (reference §4b row 14: 32 hex digits).
        self.assertEqual(json.loads(r[2])["meta"]["etag"], etag, r[2])
        self.assert_exact(r, 200, body, json_headers(body))

    # --- codec -------------------------------------------------------------------------------

    def test_codec_helpers(self):
        line, fields, got = self.get("/codec")
        self.assertEqual(line, b"HTTP/1.1 200 OK")
        doc = json.loads(got)
        raw = bytes([0xfb, 0xff, 0xbf, 0x00, 0x3e])
        random_hex = doc["random_hex"]
        self.assertRegex(random_hex, r"^[0-9a-f]{32}$")
        self.assertNotEqual(random_hex, "0" * 32)
        expected = {
            "sha_ret": 32, "sha256_abc": hashlib.sha256(b"abc").hexdigest(),
            "hmac_ret": 32, "hmac_upper": hmac.new(b"key", b"message", hashlib.sha256).hexdigest().upper(),
            "b64_required": 8,
            "b64_std": base64.b64encode(raw).decode(), "b64_std_nopad": base64.b64encode(raw).decode().rstrip("="),
            "b64_url": base64.urlsafe_b64encode(raw).decode(),
            "b64_url_nopad": base64.urlsafe_b64encode(raw).decode().rstrip("="),
            "b64_decoded_len": 11, "b64_decoded": "hello world", "b64_url_nopad_decoded_hex": raw.hex(),
            "b64_invalid": -1, "hex_decoded": "Hi!\n", "hex_odd": -1, "hex_bad": -1, "hex_required": 10,
            "random_ret": 16, "random_hex": random_hex,
            "memcmp_equal": 0, "memcmp_less": 1, "memcpy": "xxxxxxxy",
        }
        self.assertEqual(doc, expected)
        self.assertEqual(list(doc), list(expected))  # insertion order kept
        self.assertIn("+", expected["b64_std"] + expected["b64_std"])
        self.assertEqual(got, json.dumps(expected, separators=(",", ":")).encode())
        self.assertNotEqual(json.loads(self.get("/codec")[2])["random_hex"], random_hex)

    # --- rate limiting -----------------------------------------------------------------------

    def test_rate_limit_second_then_minute(self):
        key = "rl-%d" % time.monotonic_ns()
        verdicts = [self.get("/rl?key=" + key)[2] for _ in range(5)]
        # 3 a second: the 4th and 5th are over the per-second limit (1).
        self.assertEqual(verdicts, [b"0", b"0", b"0", b"1", b"1"])
        # Another key has its own bucket.
        self.assertEqual(self.get("/rl?key=" + key + "-other")[2], b"0")
        time.sleep(1.1)
        # The second refilled; 5 a minute leaves 2 (refused requests took no tokens), then 2 (minute).
        verdicts = [self.get("/rl?key=" + key)[2] for _ in range(3)]
        self.assertEqual(verdicts, [b"0", b"0", b"2"])
        # Keys must be 1..256 bytes.
        self.assertEqual(self.get("/rl?key=")[2], b"-1")
        self.assertEqual(self.get("/rl?key=" + "k" * 257)[2], b"-1")
        self.assertEqual(self.get("/rl?key=" + "k" * 256)[2], b"0")

    # --- environment, version, clock, log ------------------------------------------------------

    def test_env_version_now(self):
        version = subprocess.run([harness.BINARY, "--version"], capture_output=True, check=True).stdout.decode().split()[-1]
        t0 = int(time.time() * 1000)
        line, fields, got = self.get("/env")
        t1 = int(time.time() * 1000)
        doc = json.loads(got)
        self.assertTrue(t0 - 5 <= doc["now_ms"] <= t1 + 5, (t0, doc["now_ms"], t1))
        body = b'{"var":"from the environment","unset":"","version":"%s","now_ms":%d}' % (version.encode(), doc["now_ms"])
        self.assert_exact((line, fields, got), 200, body, json_headers(body))

    def test_log_lines(self):
        line, fields, body = self.get("/log")
        self.assertEqual((line, body), (b"HTTP/1.1 204 No Content", b""))
        m = self.server.wait_for_log(rb"\[user_log\] (\d+): 44-env\.o: tab\there \? caf\?\? end\n")
        rid = m.group(1)
        self.server.wait_for_log(rb"\[user_log\] " + rid + rb": 44-env\.o: second line\n")
        # The unterminated rest is flushed when the script ends.
        self.server.wait_for_log(rb"\[user_log\] " + rid + rb": 44-env\.o: no newline at the end\n")


class ExampleSite(ScriptCase):
    """examples/site/.zeroserve/scripts: headers, rate limit, auth, health, visitor template."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.tempdir()
        cls.tar = harness.pack(harness.EXAMPLE_SITE, os.path.join(cls.tmp.name, "site.tar"))
        cls.server = harness.Server(cls.tar, "--try-html").start()  # as serve-example runs it: /hello works

    SECURITY = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin"}

    def test_security_headers_on_static_and_404(self):
        line, fields, body = self.get("/robots.txt")
        self.assertEqual((line, body), (b"HTTP/1.1 200 OK", read(os.path.join(harness.EXAMPLE_SITE, "robots.txt"))))
        d = fields_of(fields)
        self.assertEqual({k: d.get(k) for k in self.SECURITY}, self.SECURITY)
        self.assertIn("etag", d)
        self.assert_exact(self.get("/no/such/page"), 404, b"Not Found",
                          dict(self.SECURITY, **{"content-type": "text/plain; charset=utf-8", "content-length": "9"}))

    def test_auth_gate(self):
        body = b"a valid bearer token is required\n"
        denied = dict(self.SECURITY, **{"www-authenticate": 'Bearer realm="example"',
                                        "content-type": "text/plain; charset=utf-8", "content-length": str(len(body))})
        for headers in ([], [("Authorization", "Bearer wrong")], [("Authorization", "Basic bGV0LW1lLWlu")]):
            line, fields, got = self.get("/private/", headers=headers)
            self.assertEqual(line, b"HTTP/1.1 401 Unauthorized")
            self.assertEqual((fields_of(fields), got), (denied, body))
        self.assertEqual(self.get("/private")[0], b"HTTP/1.1 401 Unauthorized")
        line, fields, got = self.get("/private/", headers=[("Authorization", "Bearer let-me-in")])
        self.assertEqual((line, got), (b"HTTP/1.1 200 OK", read(os.path.join(harness.EXAMPLE_SITE, "private", "index.html"))))
        # /privateer is not under /private/.
        self.assertEqual(self.get("/privateer")[0], b"HTTP/1.1 404 Not Found")

    def test_health(self):
        version = subprocess.run([harness.BINARY, "--version"], capture_output=True, check=True).stdout.decode().split()[-1]
        t0 = int(time.time() * 1000)
        line, fields, got = self.get("/health")
        t1 = int(time.time() * 1000)
        m = re.fullmatch(rb'\{"status":"ok","version":"([^"]*)","time_ms":(\d+)\}', got)
        self.assertIsNotNone(m, got)
        self.assertEqual(m.group(1), version.encode())
        self.assertTrue(t0 - 5 <= int(m.group(2)) <= t1 + 5)
        self.assert_exact((line, fields, got), 200, got, dict(self.SECURITY, **json_headers(got)))

    def test_visitor_template(self):
        page = read(os.path.join(harness.EXAMPLE_SITE, "hello.html"))
        for target, name in (("/hello.html?name=Ada", b"Ada"), ("/hello?name=%3Cb%3Ex", b"-b-x"),
                             ("/hello.html", b"visitor")):
            body = page.replace(b"<zs-meta>name</zs-meta>", name).replace(b"<zs-meta>method</zs-meta>", b"GET")
            self.assert_exact(self.get(target), 200, body,
                              dict(self.SECURITY, **{"content-type": "text/html; charset=utf-8",
                                                     "content-length": str(len(body))}))

    def test_api_rate_limit(self):
        statuses = []
        for _ in range(45):
            line, fields, got = self.get("/api/status.json")
            statuses.append(line)
            if line.startswith(b"HTTP/1.1 429"):
                body = b'{"error":"too many requests"}'
                self.assertEqual(fields_of(fields), dict(self.SECURITY, **{
                    "retry-after": "1", "content-type": "application/json", "content-length": str(len(body))}))
                self.assertEqual(got, body)
                break
            self.assertEqual((line, got), (b"HTTP/1.1 200 OK", read(os.path.join(harness.EXAMPLE_SITE, "api", "status.json"))))
        # 20 a second per IP: the first 20 pass, a burst of 45 is cut off.
        self.assertEqual(statuses[:20], [b"HTTP/1.1 200 OK"] * 20)
        self.assertEqual(statuses[-1], b"HTTP/1.1 429 Too Many Requests")
        # Other paths are not limited.
        self.assertEqual(self.get("/robots.txt")[0], b"HTTP/1.1 200 OK")


def make_cert(directory):
    key, cert = os.path.join(directory, "key.pem"), os.path.join(directory, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=scripts.test",
                    "-addext", "subjectAltName=DNS:scripts.test"], check=True, capture_output=True)
    return cert, key


class ScriptsOverTlsAndH2(ScriptCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.tempdir()
        cls.cert, key = make_cert(cls.tmp.name)
        start_fixture_server(cls, "--cert", cls.cert, "--key", key)

    def curl(self, path, *flags):
        port = self.server.tls_port
        r = subprocess.run(["curl", "-sS", "--cacert", self.cert, "--resolve", "scripts.test:%d:127.0.0.1" % port,
                            *flags, "-o", "-", "-w", "\n%{http_code} %{http_version}", "https://scripts.test:%d%s" % (port, path)],
                           capture_output=True, timeout=30)
        body, _, tail = r.stdout.rpartition(b"\n")
        return tail, body, r.stderr

    def s_client(self, path):
        request = b"GET %s HTTP/1.1\r\nHost: scripts.test\r\nConnection: close\r\n\r\n" % path.encode()
        r = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % self.server.tls_port,
                            "-servername", "scripts.test", "-quiet"], input=request, capture_output=True, timeout=30)
        head, _, body = r.stdout.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200 OK\r\n"), r.stdout + r.stderr)
        return body

    def test_scripted_request_over_h2_tls(self):
        tail, body, err = self.curl("/chain/order", "--http2")
        self.assertEqual((tail, body), (b"200 2", b"abc"), err)
        tail, body, err = self.curl("/req/info?a=1", "--http2")
        self.assertEqual(tail, b"200 2", err)
        doc = json.loads(body)
        self.assertEqual((doc["scheme"], doc["major"], doc["minor"], doc["tls"], doc["handshake"], doc["uri"], doc["a"]),
                         ("https", 2, 0, 1, 1, "/req/info?a=1", "1"))
        tail, body, err = self.curl("/req/info", "--http1.1")
        doc = json.loads(body)
        self.assertEqual((tail, doc["scheme"], doc["major"], doc["minor"], doc["tls"]), (b"200 1.1", "https", 1, 1, 1))

    def test_scripted_request_over_h2c(self):
        r = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "-o", "-", "-w", "\n%{http_code} %{http_version}",
                            self.server.url("/req/info?b=2")], capture_output=True, timeout=30)
        body, _, tail = r.stdout.rpartition(b"\n")
        doc = json.loads(body)
        self.assertEqual((tail, doc["scheme"], doc["major"], doc["minor"], doc["tls"], doc["uri"]),
                         (b"200 2", "http", 2, 0, 0, "/req/info?b=2"))
        r = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "-D", "-", self.server.url("/gateway?name=h2")],
                           capture_output=True, timeout=30)
        self.assertTrue(r.stdout.startswith(b"HTTP/2 200"), r.stdout)
        self.assertTrue(r.stdout.endswith(b'\r\n\r\n{"greeting":"Hello, h2!"}'), r.stdout)

    def test_connection_info_over_tls(self):
        tail, body, err = self.curl("/conn/info", "--http2")
        self.assertEqual(tail, b"200 2", err)
        info = json.loads(body)
        self.assertEqual((info["tls"], info["tls_handshake_complete"], info["alpn"], info["ech"]), (True, True, "h2", None))
        self.assertIn("scripts.test", (info["sni"]["inner"], info["sni"]["outer"]))
        self.assertRegex(info["fingerprint"]["ja4"], r"^t13d\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}$")

    def test_ja4_differs_between_clients_and_is_stable(self):
        curl_ja4 = {self.curl("/conn/ja4", "--http2")[1] for _ in range(3)}
        self.assertEqual(len(curl_ja4), 1, curl_ja4)
        curl_value = curl_ja4.pop()
        self.assertRegex(curl_value.decode(), r"^t13d\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}$")
        openssl_ja4 = {self.s_client("/conn/ja4") for _ in range(3)}
        self.assertEqual(len(openssl_ja4), 1, openssl_ja4)
        openssl_value = openssl_ja4.pop()
        # s_client offers no ALPN: "00" where curl has "h2".
        self.assertRegex(openssl_value.decode(), r"^t13d\d{4}00_[0-9a-f]{12}_[0-9a-f]{12}$")
        self.assertNotEqual(curl_value, openssl_value)
        # Plain HTTP: no fingerprint.
        self.assertEqual(self.get("/conn/ja4")[2], b"(none)")


if __name__ == "__main__":
    harness.main()
