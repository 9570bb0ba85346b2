// The crypto and encoding helpers through the runtime (programs/trampolines.c forwards the
// registers): known-answer vectors (FIPS 180-2 / RFC 4231 / RFC 4648 §10), the out_len
// conventions, strict decoding, and hard failures for bad pointers and arguments.
#include <gtest/gtest.h>

#include <string>

#include "script_harness.hh"

namespace zs::script::test {
namespace {

using ebpf::Engine;

class CodecHelpers : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    h_ = std::make_unique<ScriptHarness>("trampolines", GetParam());
    ASSERT_TRUE(h_->ready());
    h_->fill(0xEE);
  }
  // A run that must fault with a helper error mentioning `needle`.
  void expect_trap(std::string_view entry, std::vector<uint64_t> args, std::string_view needle) {
    ebpf::Outcome o = h_->run(entry, std::move(args));
    ASSERT_TRUE(o.faulted()) << entry << " finished with " << static_cast<int64_t>(o.r0);
    EXPECT_EQ(o.fault, ebpf::FaultKind::kHelper) << o.reason;
    EXPECT_NE(o.reason.find(needle), std::string::npos) << o.reason;
  }
  uint64_t rodata() { return static_cast<uint64_t>(h_->call("t.rodata")); }

  std::unique_ptr<ScriptHarness> h_;
};

TEST_P(CodecHelpers, Sha256KnownAnswers) {
  struct {
    std::string in;
    const char* digest;
  } cases[] = {
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},  // FIPS 180-2 B.2
  };
  for (const auto& c : cases) {
    const uint64_t in = h_->put(c.in, 0);
    EXPECT_EQ(h_->call("t.sha256", {in, c.in.size(), h_->addr(1024), 32}), 32);
    EXPECT_EQ(hex(h_->get(1024, 32)), c.digest) << c.in;
    EXPECT_EQ(static_cast<uint8_t>(h_->scratch()[1024 + 32]), 0xEE);  // nothing past 32 bytes
  }
  // Input in read-only data is fine.
  EXPECT_EQ(h_->call("t.sha256", {rodata(), 4, h_->addr(1024), 32}), 32);
}

TEST_P(CodecHelpers, Sha256Misuse) {
  const uint64_t in = h_->put("abc");
  expect_trap("t.sha256", {in, 3, h_->addr(1024), 31}, "out_len must be 32");
  expect_trap("t.sha256", {in, 3, h_->addr(1024), 64}, "out_len must be 32");
  expect_trap("t.sha256", {0x10, 3, h_->addr(1024), 32}, "zs_sha256: data");
  expect_trap("t.sha256", {in, 1ull << 40, h_->addr(1024), 32}, "zs_sha256: data");
  expect_trap("t.sha256", {in, 3, rodata(), 32}, "zs_sha256: out");
  expect_trap("t.sha256", {in, 3, h_->addr(h_->scratch().size() - 16), 32}, "zs_sha256: out");
  expect_trap("t.sha256", {in, 40, h_->addr(8), 32}, "overlaps");
}

// RFC 4231 §4.2, §4.3 and §4.7.
TEST_P(CodecHelpers, HmacSha256Rfc4231) {
  struct {
    std::string key, msg;
    const char* mac;
  } cases[] = {
      {std::string(20, '\x0b'), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
  };
  for (const auto& c : cases) {
    const uint64_t key = h_->put(c.key, 0);
    const uint64_t msg = h_->put(c.msg, 512);
    EXPECT_EQ(h_->call("t.hmac_sha256", {key, c.key.size(), msg, c.msg.size(), h_->addr(2048)}), 32);
    EXPECT_EQ(hex(h_->get(2048, 32)), c.mac);
  }
  // An empty key and message are valid (HMAC pads the key with zeros).
  EXPECT_EQ(h_->call("t.hmac_sha256", {h_->addr(0), 0, h_->addr(512), 0, h_->addr(2048)}), 32);
  EXPECT_EQ(hex(h_->get(2048, 32)), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_P(CodecHelpers, HmacMisuse) {
  expect_trap("t.hmac_sha256", {0x8, 4, h_->addr(0), 4, h_->addr(2048)}, "zs_hmac_sha256: key");
  expect_trap("t.hmac_sha256", {h_->addr(0), 4, 0x8, 4, h_->addr(2048)}, "zs_hmac_sha256: msg");
  expect_trap("t.hmac_sha256", {h_->addr(0), 4, h_->addr(8), 4, rodata()}, "zs_hmac_sha256: out");
  expect_trap("t.hmac_sha256", {h_->addr(0), 4, h_->addr(100), 4, h_->addr(102)}, "overlaps");
  expect_trap("t.hmac_sha256", {h_->addr(40), 4, h_->addr(100), 4, h_->addr(10)}, "overlaps");
  EXPECT_EQ(h_->call("t.hmac_sha256", {h_->addr(0), 4, h_->addr(100), 4, h_->addr(104)}), 32);  // adjacent is fine
}

TEST_P(CodecHelpers, GetRandom) {
  EXPECT_EQ(h_->call("t.getrandom", {h_->addr(0), 64}), 64);
  // 64 random bytes all equal to the fill byte: probability 2^-512.
  EXPECT_NE(h_->get(0, 64), std::string(64, '\xEE'));
  EXPECT_EQ(static_cast<uint8_t>(h_->scratch()[64]), 0xEE);
  EXPECT_EQ(h_->call("t.getrandom", {h_->addr(0), 0}), 0);
  expect_trap("t.getrandom", {rodata(), 8}, "zs_getrandom: out");
  expect_trap("t.getrandom", {0x100, 8}, "zs_getrandom: out");
}

// RFC 4648 §10 vectors in the four alphabets (they use no '+', '/', '-' or '_').
TEST_P(CodecHelpers, Base64EncodeRfc4648) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},          {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (uint64_t enc = 0; enc < 4; ++enc) {
    const bool pad = enc == 0 || enc == 2;
    for (const auto& [in, padded] : vectors) {
      std::string want = padded;
      if (!pad) want.erase(want.find_last_not_of('=') + 1);
      h_->fill(0xEE);
      const uint64_t src = h_->put(in, 0);
      EXPECT_EQ(h_->call("t.base64_encode", {src, in.size(), h_->addr(256), 0, enc}),
                static_cast<int64_t>(want.size()));
      if (want.empty()) continue;
      EXPECT_EQ(h_->call("t.base64_encode", {src, in.size(), h_->addr(256), 64, enc}),
                static_cast<int64_t>(want.size()));
      EXPECT_EQ(h_->get(256, want.size()), want) << "encoding " << enc;
      EXPECT_EQ(static_cast<uint8_t>(h_->scratch()[256 + want.size()]), 0xEE) << "no NUL is written";
    }
  }
}

TEST_P(CodecHelpers, Base64Alphabets) {
  const std::string in("\xfb\xff\xbf", 3);
  const char* want[] = {"+/+/", "+/+/", "-_-_", "-_-_"};
  for (uint64_t enc = 0; enc < 4; ++enc) {
    EXPECT_EQ(h_->call("t.base64_encode", {h_->put(in), 3, h_->addr(256), 4, enc}), 4);
    EXPECT_EQ(h_->get(256, 4), want[enc]);
  }
}

TEST_P(CodecHelpers, Base64EncodeMisuse) {
  const uint64_t src = h_->put("foobar");
  expect_trap("t.base64_encode", {src, 6, h_->addr(256), 7, 4}, "unknown encoding");
  expect_trap("t.base64_encode", {src, 6, h_->addr(256), 7, ~0ull}, "unknown encoding");
  expect_trap("t.base64_encode", {src, 6, h_->addr(256), 7, 0}, "8 needed");
  expect_trap("t.base64_encode", {src, 6, h_->addr(256), 3, 1}, "8 needed");
  expect_trap("t.base64_encode", {src, 6, rodata(), 8, 0}, "zs_base64_encode: out");
  expect_trap("t.base64_encode", {0x20, 6, h_->addr(256), 8, 0}, "zs_base64_encode: data");
  expect_trap("t.base64_encode", {src, 6, h_->addr(2), 8, 0}, "overlaps");
}

TEST_P(CodecHelpers, Base64DecodeRoundTripsAndIsStrict) {
  const std::pair<std::string, std::string> vectors[] = {
      {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, padded] : vectors) {
    std::string bare = padded;
    bare.erase(bare.find_last_not_of('=') + 1);
    EXPECT_EQ(h_->call("t.base64_decode", {h_->put(padded), padded.size(), 0}),
              static_cast<int64_t>(plain.size()));
    EXPECT_EQ(h_->get(0, plain.size()), plain);
    EXPECT_EQ(h_->call("t.base64_decode", {h_->put(bare), bare.size(), 3}), static_cast<int64_t>(plain.size()));
    EXPECT_EQ(h_->get(0, plain.size()), plain);
    if (bare != padded) {
      EXPECT_EQ(h_->call("t.base64_decode", {h_->put(bare), bare.size(), 0}), -1) << "padding required";
      EXPECT_EQ(h_->call("t.base64_decode", {h_->put(padded), padded.size(), 1}), -1) << "padding refused";
    }
  }
  EXPECT_EQ(h_->call("t.base64_decode", {h_->addr(0), 0, 0}), 0);
  EXPECT_EQ(h_->call("t.base64_decode", {h_->put("-_-_"), 4, 2}), 3);
  EXPECT_EQ(h_->get(0, 3), std::string("\xfb\xff\xbf", 3));
  const std::pair<const char*, uint64_t> invalid[] = {
      {"Zg=", 0},       // padded length not a multiple of 4
      {"Zh==", 0},      // non-zero trailing bits
      {"Zm9=", 0},      // non-zero trailing bits (2 bytes)
      {"Z===", 0},      // one symbol
      {"Zg==Zg==", 0},  // padding in the middle
      {"====", 0},      // padding only
      {"Zm9v!A==", 0},  // foreign character
      {"Zm9v YmFy", 0}, // whitespace
      {"-_-_", 0},      // URL alphabet in standard
      {"+/+/", 2},      // standard alphabet in URL
      {"Z", 1},         // one symbol
      {"Zm9vY", 3},     // 4n+1 symbols
  };
  for (const auto& [text, enc] : invalid) {
    const std::string s(text);
    h_->put(s);
    EXPECT_EQ(h_->call("t.base64_decode", {h_->addr(0), s.size(), enc}), -1) << s << " enc " << enc;
    EXPECT_EQ(h_->get(0, s.size()), s) << "invalid input leaves the buffer alone";
  }
  expect_trap("t.base64_decode", {h_->put("Zm9v"), 4, 9}, "unknown encoding");
  expect_trap("t.base64_decode", {rodata(), 4, 0}, "zs_base64_decode_in_place: buf");
}

TEST_P(CodecHelpers, Hex) {
  const uint64_t src = h_->put(std::string("\x00\x01\xab\xff", 4));
  EXPECT_EQ(h_->call("t.hex_encode", {src, 4, h_->addr(64), 0, 0}), 8);
  EXPECT_EQ(h_->call("t.hex_encode", {src, 4, h_->addr(64), 8, 0}), 8);
  EXPECT_EQ(h_->get(64, 9), std::string("0001abff\xEE"));
  EXPECT_EQ(h_->call("t.hex_encode", {src, 4, h_->addr(64), 100, 1}), 8);
  EXPECT_EQ(h_->get(64, 9), std::string("0001ABFF\xEE"));
  expect_trap("t.hex_encode", {src, 4, h_->addr(64), 7, 0}, "8 needed");
  expect_trap("t.hex_encode", {src, 4, h_->addr(64), 8, 2}, "unknown case");
  expect_trap("t.hex_encode", {src, 4, rodata(), 8, 0}, "zs_hex_encode: out");
  expect_trap("t.hex_encode", {src, 4, h_->addr(2), 8, 0}, "overlaps");

  EXPECT_EQ(h_->call("t.hex_decode", {h_->put("DEADbeef09"), 10}), 5);
  EXPECT_EQ(h_->get(0, 5), std::string("\xde\xad\xbe\xef\x09", 5));
  EXPECT_EQ(h_->call("t.hex_decode", {h_->addr(0), 0}), 0);
  EXPECT_EQ(h_->call("t.hex_decode", {h_->put("abc"), 3}), -1);
  EXPECT_EQ(h_->call("t.hex_decode", {h_->put("zz"), 2}), -1);
  EXPECT_EQ(h_->call("t.hex_decode", {h_->put("0g"), 2}), -1);
  EXPECT_EQ(h_->get(0, 2), "0g");
  expect_trap("t.hex_decode", {rodata(), 4}, "zs_hex_decode_in_place: buf");
}

// Scripts as written: stack buffers and literals; a write into read-only data faults.
TEST_P(CodecHelpers, RealisticProgram) {
  ScriptHarness r("realistic", GetParam());
  ASSERT_TRUE(r.ready());
  EXPECT_EQ(r.call("zeroserve.call.base64"), 0);
  ebpf::Outcome o = r.run("zeroserve.call.write_rodata");
  ASSERT_TRUE(o.faulted());
  EXPECT_NE(o.reason.find("zs_sha256: out"), std::string::npos) << o.reason;
}

INSTANTIATE_TEST_SUITE_P(Engines, CodecHelpers, testing::Values(Engine::kInterpreter, Engine::kJit), engine_name);

}  // namespace
}  // namespace zs::script::test
