#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_h2_session: one mode byte, then client frames (after the
preface the fuzzer sends itself). Run from anywhere; rewrites corpus/ next to this file."""
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

def frame(ftype, flags, stream, payload=b""):
    n = len(payload)
    return struct.pack(">BHBBI", n >> 16, n & 0xFFFF, ftype, flags, stream & 0x7FFFFFFF) + payload

def hint(first, bits, v):
    mx = (1 << bits) - 1
    if v < mx:
        return bytes([first | v])
    out = [first | mx]
    v -= mx
    while v >= 128:
        out.append(0x80 | (v & 0x7F))
        v >>= 7
    out.append(v)
    return bytes(out)

def lit(name, value, first=0x00):
    name, value = name.encode(), value.encode() if isinstance(value, str) else value
    return bytes([first]) + hint(0, 7, len(name)) + name + hint(0, 7, len(value)) + value

def block(fields):
    return b"".join(lit(n, v) for n, v in fields)

def get(path="/", method="GET", extra=()):
    return [(":method", method), (":scheme", "https"), (":authority", "fuzz.test"), (":path", path)] + list(extra)

DATA, HEADERS, PRIORITY, RST, SETTINGS, PUSH, PING, GOAWAY, WU, CONT = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9
ES, EH = 0x1, 0x4

seeds = {
    "get": (0x02, frame(HEADERS, ES | EH, 1, block(get()))),
    "get_file": (0x10, frame(HEADERS, ES | EH, 1, block(get("/ab"))) + frame(HEADERS, ES | EH, 3, block(get("/abcdef")))),
    "head_and_304": (0x04, frame(HEADERS, ES | EH, 1, block(get("/a", "HEAD"))) + frame(HEADERS, ES | EH, 3, block(get("/x")))),
    "post_body": (0x01, frame(HEADERS, EH, 1, block(get("/up", "POST", [("content-length", "10")])))
                  + frame(DATA, 0, 1, b"01234") + frame(DATA, ES, 1, b"56789")),
    "post_too_large": (0x03, frame(HEADERS, EH, 1, block(get("/up", "POST"))) + frame(DATA, 0, 1, b"x" * 5000)
                       + frame(DATA, ES, 1, b"y")),
    "trailers": (0x00, frame(HEADERS, EH, 1, block(get("/t", "POST"))) + frame(DATA, 0, 1, b"abc")
                 + frame(HEADERS, ES | EH, 1, block([("x-trailer", "1")]))),
    "many_streams": (0x22, b"".join(frame(HEADERS, ES | EH, 1 + 2 * i, block(get("/s%03d" % i))) for i in range(12))),
    "rapid_reset": (0x08, b"".join(frame(HEADERS, ES | EH, 1 + 2 * i, block(get())) + frame(RST, 0, 1 + 2 * i, struct.pack(">I", 8))
                                   for i in range(60))),
    "continuation": (0x06, frame(HEADERS, ES, 1, block(get()[:2])) + frame(CONT, 0, 1, block(get()[2:3]))
                     + frame(CONT, EH, 1, block(get()[3:]))),
    "control_frames": (0x0A, frame(PING, 0, 0, b"12345678") + frame(SETTINGS, 0, 0, struct.pack(">HI", 4, 1 << 20))
                       + frame(WU, 0, 0, struct.pack(">I", 1 << 20)) + frame(PRIORITY, 0, 1, struct.pack(">IB", 0, 15))
                       + frame(HEADERS, ES | EH, 1, block(get("/abc"))) + frame(GOAWAY, 0, 0, struct.pack(">II", 0, 0))),
    "noread": (0x80, b"".join(frame(HEADERS, ES | EH, 1 + 2 * i, block(get("/zz" + "z" * (3 * i)))) for i in range(5))),
    "shutdown": (0x40, b"".join(frame(HEADERS, ES | EH, 1 + 2 * i, block(get("/abc"))) for i in range(6))),
    "hpack_indexed": (0x0C, frame(HEADERS, ES | EH, 1, b"\x82\x87\x84" + lit(":authority", "h", 0x40) + lit("x-big", "B" * 300, 0x40))
                      + frame(HEADERS, ES | EH, 3, b"\x82\x87\x84\xbf\xbe\xbe\xbe")),
    "malformed": (0x0E, frame(HEADERS, ES | EH, 1, block(get(extra=[("X-Up", "1")])))
                  + frame(HEADERS, ES | EH, 3, block(get(extra=[("te", "gzip")])))
                  + frame(HEADERS, ES | EH, 5, block(get(extra=[("x", "a\r\nb")])))
                  + frame(HEADERS, ES | EH, 7, block(get("nopath")))
                  + frame(HEADERS, ES | EH, 9, block(get()))),
    "window_zero": (0x12, frame(SETTINGS, 0, 0, struct.pack(">HI", 4, 0)) + frame(HEADERS, ES | EH, 1, block(get("/abc")))
                    + frame(WU, 0, 1, struct.pack(">I", 100)) + frame(WU, 0, 1, struct.pack(">I", 100000))),
}

os.makedirs(HERE, exist_ok=True)
for name, (mode, payload) in seeds.items():
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(bytes([mode]) + payload)
