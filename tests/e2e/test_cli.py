"""The command line as a user meets it: --help/--version/--manual, deterministic --pack, clear
errors (what, where, why) with a non-zero exit, and `--addr fd:N` socket inheritance."""

import http.client
import os
import shutil
import socket
import subprocess
import unittest

import harness


def run(*args, timeout=20):
    return subprocess.run([harness.BINARY, *args], capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)


class Cli(unittest.TestCase):
    def test_help_lists_every_flag(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        out = r.stdout.decode()
        for flag in ["--addr", "--threads", "--index", "--try-html", "--chunk-size", "--disable-request-logging",
                     "--reload-signal-file", "--header-timeout-ms", "--keepalive-timeout-ms", "--body-timeout-ms",
                     "--write-timeout-ms", "--shutdown-timeout-ms", "--max-request-body-kb", "--pack", "--manual",
                     "--tls-addr", "--cert", "--key", "--cert-dir", "--allow-tls12",
                     "--help", "--version"]:
            self.assertIn(flag, out)
        self.assertIn("SIGHUP", out)

    def test_version_and_manual(self):
        r = run("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout.decode(), r"^zeroserve \d+\.\d+\.\d+\n$")
        r = run("--manual")
        self.assertEqual(r.returncode, 0)
        with open(os.path.join(harness.SOURCE_DIR, "docs", "manual.md"), "rb") as f:
            self.assertEqual(r.stdout, f.read())

    def test_pack_is_deterministic(self):
        with harness.tempdir() as tmp:
            a = harness.pack(harness.EXAMPLE_SITE, os.path.join(tmp, "a.tar"))
            b = harness.pack(harness.EXAMPLE_SITE, os.path.join(tmp, "b.tar"))
            with open(a, "rb") as fa, open(b, "rb") as fb:
                self.assertEqual(fa.read(), fb.read())
            # A copy of the tree with the same contents and times packs to the same bytes.
            copy = os.path.join(tmp, "copy")
            shutil.copytree(harness.EXAMPLE_SITE, copy, copy_function=shutil.copy2)
            for root, dirs, _ in os.walk(harness.EXAMPLE_SITE):
                for d in dirs + ["."]:
                    src = os.path.normpath(os.path.join(root, d))
                    st = os.stat(src)
                    os.utime(os.path.join(copy, os.path.relpath(src, harness.EXAMPLE_SITE)), (st.st_atime, st.st_mtime))
            c = harness.pack(copy, os.path.join(tmp, "c.tar"))
            with open(a, "rb") as fa, open(c, "rb") as fc:
                self.assertEqual(fa.read(), fc.read())
            listing = subprocess.run(["tar", "-tf", a], capture_output=True, check=True).stdout.decode().split()
            self.assertEqual(listing, sorted(listing))
            self.assertIn("index.html", listing)
            self.assertIn("docs/guide/getting-started.html", listing)

    def test_pack_errors(self):
        r = run("--pack", "/definitely/not/here")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"/definitely/not/here", r.stderr)

    def test_usage_errors_are_precise(self):
        cases = [
            ((), b"missing SITE_TAR"),
            (("--bogus", "x.tar"), b"unknown flag --bogus"),
            (("--threads", "0", "x.tar"), b"--threads: value must be greater than zero"),
            (("--threads", "two", "x.tar"), b"--threads: 'two' is not a number"),
            (("--addr",), b"--addr needs a value"),
            (("--caddy", "x.tar"), b"--caddy is not supported by this build"),
            (("--preempt-timer-interval-ms", "-1", "x.tar"), b"--preempt-timer-interval-ms: '-1' is not a number"),
            (("--tls-addr", "127.0.0.1:0", "x.tar"), b"--tls-addr needs a certificate"),
            (("--tls-addr", "127.0.0.1:0", "--cert", "c.pem", "x.tar"), b"--cert and --key must be given together"),
            (("--tls-addr", "127.0.0.1:0", "--cert", "c", "--key", "k", "--cert-dir", "d", "x.tar"),
             b"--cert-dir cannot be combined with --cert/--key"),
            (("a.tar", "b.tar"), b"unexpected argument 'b.tar'"),
            (("--try-html=yes", "x.tar"), b"--try-html takes no value"),
            (("--index", "../secret.html", "x.tar"), b"--index: '../secret.html' must be a plain file name"),
            (("--index", "a/b.html", "x.tar"), b"must be a plain file name"),
        ]
        for args, message in cases:
            r = run(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(message, r.stderr, args)

    def test_startup_errors_name_the_problem(self):
        with harness.tempdir() as tmp:
            r = run("--addr", "127.0.0.1:0", os.path.join(tmp, "missing.tar"))
            self.assertEqual(r.returncode, 1)
            self.assertIn(b"missing.tar", r.stderr)
            empty = os.path.join(tmp, "empty")
            os.makedirs(os.path.join(empty, "only-a-dir"))
            tar = harness.pack(empty, os.path.join(tmp, "empty.tar"))
            r = run("--addr", "127.0.0.1:0", tar)
            self.assertEqual(r.returncode, 1)
            self.assertIn(b"does not contain any regular files", r.stderr)
            site = harness.pack(harness.EXAMPLE_SITE, os.path.join(tmp, "site.tar"))
            for addr, message in [("127.0.0.1", b"expected IP:PORT"), ("localhost:80", b"not an IPv4 address"),
                                  ("127.0.0.1:99999", b"bad port"), ("fd:abc", b"fd:N"), ("fd:9999", b"not a socket")]:
                r = run("--addr", addr, site)
                self.assertEqual(r.returncode, 1, addr)
                self.assertIn(message, r.stderr, addr)
            busy = socket.socket()
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            r = run("--addr", "127.0.0.1:%d" % busy.getsockname()[1], site)
            busy.close()
            self.assertEqual(r.returncode, 1)
            self.assertIn(b"Address already in use", r.stderr)

    def test_inherited_listening_socket(self):
        with harness.tempdir() as tmp:
            site = harness.pack(harness.EXAMPLE_SITE, os.path.join(tmp, "site.tar"))
            lsock = socket.socket()
            lsock.bind(("127.0.0.1", 0))
            lsock.listen()
            port = lsock.getsockname()[1]
            fd = lsock.fileno()
            proc = subprocess.Popen([harness.BINARY, "--addr", "fd:%d" % fd, "--threads", "2",
                                     "--disable-request-logging", site],
                                    pass_fds=[fd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            lsock.close()
            line = b""
            while b"listening on" not in line:
                line += proc.stderr.readline()
            self.assertIn(b"127.0.0.1:%d" % port, line)
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/robots.txt")
            self.assertEqual(c.getresponse().status, 200)
            c.close()
            proc.terminate()
            self.assertEqual(proc.wait(timeout=10), 0)
            proc.stderr.close()


if __name__ == "__main__":
    harness.main()
