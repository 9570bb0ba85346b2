// JsonStore's host API (json_store.hh): parse/serialize, cursors into one document, dead
// cursors, deep copies, handle numbering and the per-context limits of §5d.
#include "script/json_store.hh"

#include <gtest/gtest.h>

#include <string>

namespace zs::script {
namespace {

std::string text(const JsonStore& s, uint64_t h) {
  auto r = s.serialize(h);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : std::string();
}

uint64_t must(Result<uint64_t> r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : 0;
}
int64_t must(Result<int64_t> r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : -100;
}

TEST(JsonStore, ParseSerializeRoundTrip) {
  JsonStore s(ContextLimits{});
  const uint64_t h = must(s.parse(R"( {"a": [1, -2, 3.5, "x\u0000y", null, true], "b": {"c": "é"}} )"));
  EXPECT_EQ(h, 1u);
  EXPECT_EQ(text(s, h), "{\"a\":[1,-2,3.5,\"x\\u0000y\",null,true],\"b\":{\"c\":\"é\"}}");
  EXPECT_EQ(*s.type(h), JsonType::kObject);
  EXPECT_EQ(must(s.len(h)), 2);
}

TEST(JsonStore, InvalidJson) {
  JsonStore s(ContextLimits{});
  for (const char* bad : {"", "{", "[1,]", "{\"a\":1} x", "nul", "NaN", "[1e999999]", "\"\xff\"", "'a'"}) {
    EXPECT_FALSE(s.parse(bad).ok()) << bad;
    EXPECT_EQ(must(s.try_parse(bad)), -1) << bad;
  }
  EXPECT_EQ(s.live_handles(), 0u);
  EXPECT_EQ(s.memory_used(), 0u);
}

TEST(JsonStore, NestingLimit) {
  JsonStore s(ContextLimits{});
  const std::string ok = std::string(JsonStore::kMaxDepth, '[') + std::string(JsonStore::kMaxDepth, ']');
  const std::string deep = "[" + ok + "]";
  EXPECT_TRUE(s.parse(ok).ok());
  EXPECT_FALSE(s.parse(deep).ok());
  EXPECT_EQ(must(s.try_parse(deep)), -1);
  // Brackets inside strings do not count.
  EXPECT_TRUE(s.parse("[\"" + std::string(500, '[') + "\"]").ok());

  // Building deeper than the limit by nesting copies traps instead.
  JsonStore b(ContextLimits{});
  uint64_t inner = must(b.new_array());
  bool failed = false;
  for (uint32_t i = 0; i < JsonStore::kMaxDepth + 2 && !failed; ++i) {
    const uint64_t outer = must(b.new_array());
    auto r = b.array_push(outer, inner);
    if (!r.ok()) {
      failed = true;
      EXPECT_NE(r.error().message().find("nested deeper"), std::string::npos);
      EXPECT_EQ(i, JsonStore::kMaxDepth - 1);
      break;
    }
    ASSERT_TRUE(b.release(inner).ok());
    inner = outer;
  }
  EXPECT_TRUE(failed);
}

TEST(JsonStore, CursorsShareTheDocument) {
  JsonStore s(ContextLimits{});
  const uint64_t root = must(s.parse(R"({"user":{"name":"ada","tags":["a","b"]}})"));
  const int64_t user = must(s.get(root, "user"));
  const int64_t tags = must(s.get(static_cast<uint64_t>(user), "tags"));
  const int64_t second = must(s.array_get(static_cast<uint64_t>(tags), 1));
  EXPECT_EQ(user, 2);
  EXPECT_EQ(tags, 3);
  EXPECT_EQ(second, 4);
  EXPECT_EQ(**s.read_string(static_cast<uint64_t>(second)), "b");
  ASSERT_TRUE(s.set_string(static_cast<uint64_t>(second), "B").ok());
  ASSERT_TRUE(s.set_i64(static_cast<uint64_t>(must(s.get(static_cast<uint64_t>(user), "name"))), 7).ok());
  EXPECT_EQ(text(s, root), R"({"user":{"name":7,"tags":["a","B"]}})");
  // Soft misses.
  EXPECT_EQ(must(s.get(root, "nope")), -1);
  EXPECT_EQ(must(s.get(static_cast<uint64_t>(tags), "x")), -1);
  EXPECT_EQ(must(s.array_get(static_cast<uint64_t>(tags), 2)), -1);
  EXPECT_EQ(must(s.array_get(root, 0)), -1);
  // reset re-points a cursor at its document root.
  ASSERT_TRUE(s.reset(static_cast<uint64_t>(second)).ok());
  EXPECT_EQ(text(s, static_cast<uint64_t>(second)), text(s, root));
}

TEST(JsonStore, DeadCursorsFail) {
  JsonStore s(ContextLimits{});
  const uint64_t root = must(s.parse(R"({"a":{"b":[1,2]}})"));
  const auto a = static_cast<uint64_t>(must(s.get(root, "a")));
  const auto b = static_cast<uint64_t>(must(s.get(a, "b")));
  const auto b1 = static_cast<uint64_t>(must(s.array_get(b, 1)));
  ASSERT_TRUE(s.set_null(a).ok());
  EXPECT_TRUE(s.valid(a));
  EXPECT_FALSE(s.valid(b));
  EXPECT_FALSE(s.valid(b1));
  auto r = s.read_i64(b1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "json reference is no longer valid");
  EXPECT_FALSE(s.serialize(b).ok());
  // The path comes back: the cursor works again (it is a path, re-resolved on each use).
  const uint64_t arr = must(s.parse("[5,6,7]"));
  const uint64_t obj = must(s.new_object());
  ASSERT_EQ(must(s.set(obj, "b", arr)), 0);
  ASSERT_EQ(must(s.set(root, "a", obj)), 0);
  EXPECT_EQ(**s.read_i64(b1), 6);
  // Removing the member kills cursors below it.
  EXPECT_EQ(must(s.remove(a, "b")), 0);
  EXPECT_FALSE(s.valid(b1));
  EXPECT_EQ(must(s.remove(a, "b")), -1);
  // A freed cursor leaves its document alive for the other handles.
  ASSERT_TRUE(s.release(root).ok());
  EXPECT_EQ(text(s, a), "{}");
}

TEST(JsonStore, ValuesAreCopiedIn) {
  JsonStore s(ContextLimits{});
  const uint64_t obj = must(s.new_object());
  const uint64_t arr = must(s.new_array());
  const uint64_t v = must(s.parse("{\"k\":1}"));
  EXPECT_EQ(must(s.set(obj, "v", v)), 0);
  EXPECT_EQ(must(s.array_push(arr, v)), 1);
  EXPECT_EQ(must(s.array_push(arr, v)), 2);
  ASSERT_TRUE(s.set_bool(static_cast<uint64_t>(must(s.get(v, "k"))), true).ok());
  EXPECT_EQ(text(s, obj), R"({"v":{"k":1}})");
  EXPECT_EQ(text(s, arr), R"([{"k":1},{"k":1}])");
  EXPECT_EQ(must(s.array_set(arr, 1, v)), 0);
  EXPECT_EQ(text(s, arr), R"([{"k":1},{"k":true}])");
  EXPECT_EQ(must(s.array_set(arr, 2, v)), -1);
  EXPECT_EQ(must(s.array_set(obj, 0, v)), -1);
  EXPECT_EQ(must(s.array_push(obj, v)), -1);
  EXPECT_EQ(must(s.set(arr, "x", v)), -1);
  // Replacing a key keeps one member; a value may be the target itself.
  EXPECT_EQ(must(s.set(obj, "v", obj)), 0);
  EXPECT_EQ(text(s, obj), R"({"v":{"v":{"k":1}}})");
  EXPECT_EQ(must(s.array_push(arr, arr)), 3);
  EXPECT_EQ(text(s, arr), R"([{"k":1},{"k":true},[{"k":1},{"k":true}]])");
  // clone is independent.
  const uint64_t c = must(s.clone(obj));
  ASSERT_TRUE(s.set_null(obj).ok());
  EXPECT_EQ(text(s, c), R"({"v":{"v":{"k":1}}})");
}

TEST(JsonStore, Readers) {
  JsonStore s(ContextLimits{});
  const uint64_t h = must(s.parse(R"([9223372036854775807, -9223372036854775808, 9223372036854775808, 1.0, 1e2, "s", false])"));
  auto at = [&](uint64_t i) { return static_cast<uint64_t>(must(s.array_get(h, i))); };
  EXPECT_EQ(**s.read_i64(at(0)), INT64_MAX);
  EXPECT_EQ(**s.read_i64(at(1)), INT64_MIN);
  EXPECT_FALSE(s.read_i64(at(2))->has_value());  // beyond int64
  EXPECT_FALSE(s.read_i64(at(3))->has_value());  // written as a fraction
  EXPECT_FALSE(s.read_i64(at(4))->has_value());
  EXPECT_FALSE(s.read_i64(at(5))->has_value());
  EXPECT_EQ(*s.type(at(3)), JsonType::kNumber);
  EXPECT_EQ(**s.read_string(at(5)), "s");
  EXPECT_FALSE(s.read_string(at(6))->has_value());
  EXPECT_EQ(**s.read_bool(at(6)), false);
  EXPECT_FALSE(s.read_bool(at(5))->has_value());
  EXPECT_EQ(must(s.len(at(5))), 1);
  EXPECT_EQ(must(s.len(at(6))), -1);
  EXPECT_EQ(must(s.len(h)), 7);
  EXPECT_EQ(*s.type(at(6)), JsonType::kBool);
}

TEST(JsonStore, HandleNumbersAndErrors) {
  JsonStore s(ContextLimits{});
  EXPECT_EQ(must(s.new_object()), 1u);
  EXPECT_EQ(must(s.new_array()), 2u);
  EXPECT_EQ(must(s.new_array()), 3u);
  ASSERT_TRUE(s.release(2).ok());
  EXPECT_FALSE(s.release(2).ok());
  EXPECT_FALSE(s.valid(2));
  EXPECT_FALSE(s.type(2).ok());
  EXPECT_EQ(s.type(0).error().message(), "invalid json handle 0");
  EXPECT_FALSE(s.type(99).ok());
  EXPECT_FALSE(s.set(1, "k", 99).ok());
  EXPECT_FALSE(s.reset(99).ok());
  EXPECT_EQ(must(s.new_object()), 2u);  // the lowest free number is reused
  EXPECT_EQ(s.live_handles(), 3u);
}

TEST(JsonStore, HandleLimit) {
  JsonStore s(ContextLimits{});
  const uint64_t root = must(s.parse("[1]"));
  for (int i = 1; i < 32; ++i) ASSERT_EQ(must(s.array_get(root, 0)), i + 1);
  for (auto r : {s.new_object(), s.parse("1"), s.clone(root), s.copy_from(s, root)}) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message(), "external object limit exceeded (32)");
  }
  EXPECT_FALSE(s.array_get(root, 0).ok());
  EXPECT_FALSE(s.try_parse("{}").ok());  // still hard: the limit, not the text
  ASSERT_TRUE(s.release(5).ok());
  EXPECT_EQ(must(s.new_object()), 5u);
}

TEST(JsonStore, MemoryLimit) {
  ContextLimits limits;
  limits.max_memory_bytes = 4096;
  JsonStore s(limits);
  auto big = s.parse("\"" + std::string(5000, 'x') + "\"");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message().find("memory footprint limit exceeded (4096)"), std::string::npos);
  EXPECT_FALSE(s.try_parse("\"" + std::string(5000, 'x') + "\"").ok());
  EXPECT_EQ(s.memory_used(), 0u);

  const uint64_t a = must(s.new_array());
  const uint64_t chunk = must(s.parse("\"" + std::string(500, 'y') + "\""));
  const uint64_t base = s.memory_used();
  int pushed = 0;
  Result<int64_t> r = 0;
  while ((r = s.array_push(a, chunk)).ok()) ++pushed;
  EXPECT_GE(pushed, 4);
  EXPECT_LE(pushed, 8);
  EXPECT_LE(s.memory_used(), limits.max_memory_bytes);
  EXPECT_GT(s.memory_used(), base);
  // Freeing the array returns its charge; overwriting in place does not grow it.
  ASSERT_TRUE(s.release(a).ok());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(s.set_string(chunk, std::string(500, 'z')).ok());
  ASSERT_TRUE(s.release(chunk).ok());
  EXPECT_EQ(s.memory_used(), 0u);
}

TEST(JsonStore, ChargesBalance) {
  JsonStore s(ContextLimits{});
  const uint64_t root = must(s.parse(R"({"a":[1,2,{"b":"ccc"}],"d":"e"})"));
  const uint64_t other = must(s.parse(R"({"x":"yyyyyyyy"})"));
  const auto a = static_cast<uint64_t>(must(s.get(root, "a")));
  const uint64_t before = s.memory_used();
  ASSERT_EQ(must(s.set(root, "n", other)), 0);
  ASSERT_EQ(must(s.remove(root, "n")), 0);
  EXPECT_EQ(s.memory_used(), before);
  ASSERT_TRUE(s.set_string(a, "str").ok());
  ASSERT_TRUE(s.set_null(a).ok());
  ASSERT_TRUE(s.release(a).ok());
  ASSERT_TRUE(s.release(root).ok());
  ASSERT_TRUE(s.release(other).ok());
  EXPECT_EQ(s.memory_used(), 0u);
  EXPECT_EQ(s.live_handles(), 0u);
}

TEST(JsonStore, CopyFromAnotherStore) {
  JsonStore caller(ContextLimits{});
  JsonStore callee(ContextLimits{});
  const uint64_t in = must(caller.parse(R"({"q":[1,{"r":2}]})"));
  const auto q = static_cast<uint64_t>(must(caller.get(in, "q")));
  const uint64_t copy = must(callee.copy_from(caller, q));
  EXPECT_EQ(copy, 1u);
  EXPECT_EQ(text(callee, copy), R"([1,{"r":2}])");
  ASSERT_TRUE(callee.set_null(copy).ok());
  EXPECT_EQ(text(caller, in), R"({"q":[1,{"r":2}]})");
  EXPECT_FALSE(callee.copy_from(caller, 77).ok());
  ContextLimits tiny;
  tiny.max_memory_bytes = 64;
  JsonStore small(tiny);
  EXPECT_FALSE(small.copy_from(caller, in).ok());
}

}  // namespace
}  // namespace zs::script
