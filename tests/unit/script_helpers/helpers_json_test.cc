// The JSON helpers and zs_rate_limit through the runtime (programs/trampolines.c forwards the
// registers; programs/realistic.c is a script as authors write it): return conventions, soft
// -1 versus traps, the C-string rule, limits, and the site-file helpers over a fake site.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "script/rate_limiter.hh"
#include "script_harness.hh"

namespace zs::script::test {
namespace {

using ebpf::Engine;

class FakeSite : public SiteFiles {
 public:
  std::map<std::string, std::string, std::less<>> files;
  std::optional<Stat> stat(std::string_view path) const override {
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return Stat{it->second.size(), "0123456789abcdef0123456789abcdef", 1700000000};
  }
  std::optional<std::string> read(std::string_view path, uint64_t max_bytes) const override {
    auto it = files.find(path);
    if (it == files.end() || it->second.size() > max_bytes) return std::nullopt;
    return it->second;
  }
};

class JsonHelpers : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override { make(ContextLimits{}); }
  void make(ContextLimits limits) {
    h_ = std::make_unique<ScriptHarness>("trampolines", GetParam(), limits);
    ASSERT_TRUE(h_->ready());
    h_->fill(0xEE);
  }
  void expect_trap(std::string_view entry, std::vector<uint64_t> args, std::string_view needle) {
    ebpf::Outcome o = h_->run(entry, std::move(args));
    ASSERT_TRUE(o.faulted()) << entry << " finished with " << static_cast<int64_t>(o.r0);
    EXPECT_EQ(o.fault, ebpf::FaultKind::kHelper) << o.reason;
    EXPECT_NE(o.reason.find(needle), std::string::npos) << o.reason;
  }
  // zs_json_parse of `text` staged at scratch offset 0x8000.
  int64_t parse(std::string_view text) { return h_->call("t.json_parse", {h_->put(text, 0x8000), text.size()}); }
  // A key staged at 0x7000.
  uint64_t key(std::string_view k) { return h_->put(k, 0x7000); }
  std::string text(uint64_t handle) {
    auto r = h_->json().serialize(handle);
    return r.ok() ? *r : "<" + r.error().message() + ">";
  }

  std::unique_ptr<ScriptHarness> h_;
};

TEST_P(JsonHelpers, ParseTypeLen) {
  EXPECT_EQ(parse(R"({"a":[1,2],"s":"héllo","b":true,"n":null,"f":1.5})"), 1);
  EXPECT_EQ(parse("{bad"), -1);
  EXPECT_EQ(parse("\"\xff\""), -1);  // not UTF-8: invalid JSON, soft
  EXPECT_EQ(parse(""), -1);
  EXPECT_EQ(h_->call("t.json_type", {1}), 5);
  EXPECT_EQ(h_->call("t.json_len", {1}), 5);
  const char* names[] = {"a", "s", "b", "n", "f"};
  const int64_t types[] = {4, 3, 1, 0, 2};
  const int64_t lens[] = {2, 6, -1, -1, -1};
  for (int i = 0; i < 5; ++i) {
    const int64_t c = h_->call("t.json_get", {1, key(names[i]), 1});
    ASSERT_GT(c, 1);
    EXPECT_EQ(h_->call("t.json_type", {static_cast<uint64_t>(c)}), types[i]) << names[i];
    EXPECT_EQ(h_->call("t.json_len", {static_cast<uint64_t>(c)}), lens[i]) << names[i];
  }
  EXPECT_EQ(h_->call("t.json_get", {1, key("zz"), 2}), -1);
  EXPECT_EQ(h_->call("t.json_get", {1, key("\xff"), 1}), -1);  // key not UTF-8: soft
  expect_trap("t.json_get", {99, key("\xff"), 1}, "invalid json handle 99");
  expect_trap("t.json_parse", {0x30, 4}, "zs_json_parse: data");
  expect_trap("t.json_type", {0}, "invalid json handle 0");
  expect_trap("t.json_len", {77}, "invalid json handle 77");
}

TEST_P(JsonHelpers, ReadString) {
  ASSERT_EQ(parse(R"({"s":"hello","n":5})"), 1);
  const auto s = static_cast<uint64_t>(h_->call("t.json_get", {1, key("s"), 1}));
  EXPECT_EQ(h_->call("t.json_read_string", {s, h_->addr(0), 16}), 5);
  EXPECT_EQ(h_->get(0, 6), std::string("hello\0", 6));
  h_->fill(0xEE);
  EXPECT_EQ(h_->call("t.json_read_string", {s, h_->addr(0), 5}), 5);  // truncated: == out_len
  EXPECT_EQ(h_->get(0, 6), std::string("hell\0\xEE", 6));
  EXPECT_EQ(h_->call("t.json_read_string", {s, h_->addr(0), 0}), 0);
  const auto n = static_cast<uint64_t>(h_->call("t.json_get", {1, key("n"), 1}));
  EXPECT_EQ(h_->call("t.json_read_string", {n, h_->addr(0), 16}), -1);
  const uint64_t ro = static_cast<uint64_t>(h_->call("t.rodata"));
  expect_trap("t.json_read_string", {s, ro, 16}, "zs_json_read_string: out");
  expect_trap("t.json_read_string", {s, 0x40, 16}, "zs_json_read_string: out");
}

TEST_P(JsonHelpers, ReadI64AndBool) {
  ASSERT_EQ(parse(R"([-42, 1.5, true, "x"])"), 1);
  auto at = [&](uint64_t i) { return static_cast<uint64_t>(h_->call("t.json_array_get", {1, i})); };
  const uint64_t n = at(0), f = at(1), b = at(2), s = at(3);
  EXPECT_EQ(h_->call("t.json_array_get", {1, 4}), -1);
  EXPECT_EQ(h_->call("t.json_array_get", {n, 0}), -1);
  EXPECT_EQ(h_->call("t.json_read_i64", {n, h_->addr(8), 8}), 8);
  int64_t v = 0;
  std::memcpy(&v, h_->scratch().data() + 8, 8);
  EXPECT_EQ(v, -42);
  EXPECT_EQ(h_->call("t.json_read_i64", {f, h_->addr(8), 8}), -1);
  EXPECT_EQ(h_->call("t.json_read_i64", {s, h_->addr(8), 8}), -1);
  expect_trap("t.json_read_i64", {n, h_->addr(8), 4}, "out_len must be 8");
  expect_trap("t.json_read_i64", {n, static_cast<uint64_t>(h_->call("t.rodata")), 8}, "zs_json_read_i64: out");
  EXPECT_EQ(h_->call("t.json_read_bool", {b, h_->addr(20), 1}), 1);
  EXPECT_EQ(h_->scratch()[20], 1);
  EXPECT_EQ(h_->scratch()[21], 0xEE);
  EXPECT_EQ(h_->call("t.json_read_bool", {n, h_->addr(20), 1}), -1);
  expect_trap("t.json_read_bool", {b, h_->addr(20), 8}, "out_len must be 1");
  expect_trap("t.json_read_bool", {12, h_->addr(20), 1}, "invalid json handle 12");
}

TEST_P(JsonHelpers, BuildAndMutate) {
  const int64_t obj = h_->call("t.json_new_object");
  const int64_t arr = h_->call("t.json_new_array");
  const int64_t v = h_->call("t.json_new_object");
  ASSERT_EQ(obj, 1);
  ASSERT_EQ(arr, 2);
  ASSERT_EQ(v, 3);
  EXPECT_EQ(h_->call("t.json_set_string", {3, h_->put("text", 0), 4}), 0);
  EXPECT_EQ(h_->call("t.json_set", {1, key("s"), 1, 3}), 0);
  EXPECT_EQ(h_->call("t.json_set_i64", {3, static_cast<uint64_t>(-7)}), 0);
  EXPECT_EQ(h_->call("t.json_array_push", {2, 3}), 1);
  EXPECT_EQ(h_->call("t.json_set_bool", {3, 2}), 0);
  EXPECT_EQ(h_->call("t.json_array_push", {2, 3}), 2);
  EXPECT_EQ(h_->call("t.json_set_null", {3}), 0);
  EXPECT_EQ(h_->call("t.json_array_set", {2, 0, 3}), 0);
  EXPECT_EQ(h_->call("t.json_array_set", {2, 2, 3}), -1);
  EXPECT_EQ(h_->call("t.json_set", {1, key("list"), 4, 2}), 0);
  EXPECT_EQ(text(1), R"({"s":"text","list":[null,true]})");
  EXPECT_EQ(h_->call("t.json_remove", {1, key("s"), 1}), 0);
  EXPECT_EQ(h_->call("t.json_remove", {1, key("s"), 1}), -1);
  EXPECT_EQ(h_->call("t.json_remove", {2, key("s"), 1}), -1);
  EXPECT_EQ(h_->call("t.json_remove", {1, key("\xff"), 1}), -1);
  EXPECT_EQ(h_->call("t.json_set", {2, key("k"), 1, 3}), -1);
  EXPECT_EQ(h_->call("t.json_array_push", {1, 3}), -1);
  EXPECT_EQ(h_->call("t.json_set_string", {3, h_->put("\xc3\x28", 0), 2}), -1);  // not UTF-8: soft
  EXPECT_EQ(text(1), R"({"list":[null,true]})");
  const int64_t c = h_->call("t.json_clone", {1});
  EXPECT_EQ(c, 4);
  EXPECT_EQ(h_->call("t.json_set_null", {1}), 0);
  EXPECT_EQ(text(4), R"({"list":[null,true]})");
  expect_trap("t.json_set", {4, key("\xff"), 1, 3}, "zs_json_set: key: not valid UTF-8");
  expect_trap("t.json_set", {4, key("k"), 1, 9}, "invalid json handle 9");
  expect_trap("t.json_set_string", {9, h_->put("\xc3\x28", 0), 2}, "invalid json handle 9");
  expect_trap("t.json_set_i64", {9, 1}, "invalid json handle 9");
}

TEST_P(JsonHelpers, CursorsAndReset) {
  ASSERT_EQ(parse(R"({"a":{"b":[1,2,3]}})"), 1);
  const auto a = static_cast<uint64_t>(h_->call("t.json_get", {1, key("a"), 1}));
  const auto b = static_cast<uint64_t>(h_->call("t.json_get", {a, key("b"), 1}));
  const auto b2 = static_cast<uint64_t>(h_->call("t.json_array_get", {b, 2}));
  EXPECT_EQ(h_->call("t.json_set_i64", {b2, 30}), 0);
  EXPECT_EQ(text(1), R"({"a":{"b":[1,2,30]}})");
  EXPECT_EQ(h_->call("t.json_set_null", {a}), 0);
  expect_trap("t.json_read_i64", {b2, h_->addr(0), 8}, "json reference is no longer valid");
  expect_trap("t.json_len", {b}, "json reference is no longer valid");
  EXPECT_EQ(h_->call("t.json_reset", {b2}), 0);
  EXPECT_EQ(h_->call("t.json_type", {b2}), 5);  // the document root again
  expect_trap("t.json_reset", {40}, "invalid json handle 40");
}

TEST_P(JsonHelpers, FreeAndHandleLimit) {
  for (int i = 1; i <= 32; ++i) ASSERT_EQ(h_->call("t.json_new_array"), i);
  expect_trap("t.json_new_object", {}, "external object limit exceeded (32)");
  expect_trap("t.json_parse", {h_->put("[]", 0), 2}, "external object limit exceeded (32)");
  expect_trap("t.json_clone", {1}, "external object limit exceeded (32)");
  EXPECT_EQ(h_->call("t.object_free", {7}), 0);
  expect_trap("t.object_free", {7}, "invalid json handle 7");
  expect_trap("t.json_type", {7}, "invalid json handle 7");
  EXPECT_EQ(h_->call("t.json_new_object"), 7);
  expect_trap("t.object_free", {0}, "invalid json handle 0");
}

TEST_P(JsonHelpers, MemoryLimit) {
  ContextLimits limits;
  limits.max_memory_bytes = 2048;
  make(limits);
  const std::string big = "\"" + std::string(3000, 'x') + "\"";
  expect_trap("t.json_parse", {h_->put(big, 0), big.size()}, "memory footprint limit exceeded (2048)");
  ASSERT_EQ(h_->call("t.json_new_array"), 1);
  const std::string chunk(400, 'y');
  ASSERT_EQ(h_->call("t.json_new_object"), 2);
  ASSERT_EQ(h_->call("t.json_set_string", {2, h_->put(chunk, 0), chunk.size()}), 0);
  ebpf::Outcome o;
  int pushed = 0;
  while ((o = h_->run("t.json_array_push", {1, 2})).finished()) ++pushed;
  EXPECT_GE(pushed, 2);
  EXPECT_NE(o.reason.find("memory footprint limit exceeded"), std::string::npos) << o.reason;
}

TEST_P(JsonHelpers, Respond) {
  ASSERT_EQ(parse(R"( { "ok" : true , "n" : [ 1 ] } )"), 1);
  EXPECT_EQ(h_->call("t.json_respond", {200, 1}), 0);
  ASSERT_TRUE(h_->exec().response().has_value());
  EXPECT_EQ(h_->exec().response()->status, 200);
  EXPECT_EQ(h_->exec().response()->body, R"({"ok":true,"n":[1]})");
  EXPECT_EQ(h_->exec().response()->content_type, "application/json");
  // Statuses outside 100..999 are passed on (the response layer answers 500); > u16 traps.
  EXPECT_EQ(h_->call("t.json_respond", {1000, 1}), 0);
  EXPECT_EQ(h_->exec().response()->status, 1000);
  expect_trap("t.json_respond", {65536, 1}, "status 65536 out of range");
  expect_trap("t.json_respond", {200, 5}, "invalid json handle 5");
}

TEST_P(JsonHelpers, SiteFiles) {
  const uint64_t path = h_->put("data/config.json", 0);
  EXPECT_EQ(h_->call("t.load_static_json", {path, 16}), -1);  // no site
  EXPECT_EQ(h_->call("t.load_file_metadata", {path, 16}), -1);
  FakeSite site;
  site.files["data/config.json"] = R"({"port": 8080})";
  site.files["bad.json"] = "{nope";
  site.files["big.json"] = "[" + std::string(2 * 1024 * 1024, ' ') + "]";
  h_->request().site_files = &site;
  EXPECT_EQ(h_->call("t.load_static_json", {path, 16}), 1);
  EXPECT_EQ(text(1), R"({"port":8080})");
  EXPECT_EQ(h_->call("t.load_static_json", {path, 0}), -1);
  EXPECT_EQ(h_->call("t.load_static_json", {h_->put("/data/config.json", 0), 17}), -1);  // verbatim
  EXPECT_EQ(h_->call("t.load_static_json", {h_->put("bad.json", 0), 8}), -1);
  EXPECT_EQ(h_->call("t.load_static_json", {h_->put("big.json", 0), 8}), -1);
  EXPECT_EQ(h_->call("t.load_file_metadata", {h_->put("data/config.json", 0), 16}), 2);
  EXPECT_EQ(text(2), R"({"size":14,"etag":"0123456789abcdef0123456789abcdef","mtime":1700000000})");
  EXPECT_EQ(h_->call("t.load_file_metadata", {h_->put("missing", 0), 7}), -1);
  expect_trap("t.load_static_json", {0x10, 3}, "zs_load_static_json: path");
}

TEST_P(JsonHelpers, RateLimit) {
  const uint64_t k = h_->put("client-1", 0);
  EXPECT_EQ(h_->call("t.rate_limit", {k, 8, 2, 0, 0}), -1);  // no limiter in this context
  RateLimiter limiter;
  h_->request().rate_limiter = &limiter;
  EXPECT_EQ(h_->call("t.rate_limit", {k, 8, 2, 0, 0}), 0);
  EXPECT_EQ(h_->call("t.rate_limit", {k, 8, 2, 0, 0}), 0);
  // A third within the same second (the test runs far faster than the refill of 2/s would
  // give back a whole token: 500 ms).
  EXPECT_EQ(h_->call("t.rate_limit", {k, 8, 2, 0, 0}), 1);
  EXPECT_EQ(h_->call("t.rate_limit", {h_->put("client-2", 0), 8, 0, 1, 0}), 0);
  EXPECT_EQ(h_->call("t.rate_limit", {h_->addr(0), 8, 0, 1, 0}), 2);
  EXPECT_EQ(h_->call("t.rate_limit", {h_->put("client-3", 0), 8, 0, 0, 1}), 0);
  EXPECT_EQ(h_->call("t.rate_limit", {h_->addr(0), 8, 0, 0, 1}), 3);
  EXPECT_EQ(h_->call("t.rate_limit", {h_->addr(0), 0, 1, 1, 1}), -1);
  EXPECT_EQ(h_->call("t.rate_limit", {h_->addr(0), 257, 1, 1, 1}), -1);
  EXPECT_EQ(h_->call("t.rate_limit", {h_->addr(0), 256, 1, 1, 1}), 0);
  expect_trap("t.rate_limit", {0x10, 8, 1, 0, 0}, "zs_rate_limit: key");
}

TEST_P(JsonHelpers, RealisticProgram) {
  ScriptHarness r("realistic", GetParam());
  ASSERT_TRUE(r.ready());
  EXPECT_EQ(r.call("zeroserve.request"), 0);
  ASSERT_TRUE(r.exec().response().has_value());
  EXPECT_EQ(r.exec().response()->status, 201);
  EXPECT_EQ(r.exec().response()->body,
            R"({"sha":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","double":40,)"
            R"("user":{"name":"ada","admin":true}})");
  EXPECT_EQ(r.json().live_handles(), 7u);
}

INSTANTIATE_TEST_SUITE_P(Engines, JsonHelpers, testing::Values(Engine::kInterpreter, Engine::kJit), engine_name);

}  // namespace
}  // namespace zs::script::test
