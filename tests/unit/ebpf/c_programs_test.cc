// Realistic clang-compiled C programs (tests/unit/ebpf/programs/*.c): each is loaded from its
// BPF object, verified, and run on the interpreter and the JIT; both must match the same C
// compiled natively into this binary, on several inputs.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "ebpf/elf_loader.hh"
#include "ebpf/runtime.hh"

using u64 = unsigned long long;

extern "C" {
// Host helpers, called directly by the native builds and through HelperFn wrappers by BPF.
u64 host_add(u64 a, u64 b) { return a + b; }
u64 host_mix(u64 a, u64 b, u64 c, u64 d, u64 e) { return a * 3 ^ b * 5 ^ c * 7 ^ d * 11 ^ e * 13; }
u64 host_sum_bytes(u64 ptr, u64 len) {
  const auto* p = reinterpret_cast<const unsigned char*>(ptr);
  u64 s = 0;
  for (u64 i = 0; i < len; ++i) s = s * 33 + p[i];
  return s;
}

#define ZS_DECLARE(p) u64 p##_request(u64, u64);
ZS_DECLARE(strsearch) ZS_DECLARE(sha256) ZS_DECLARE(json_scan) ZS_DECLARE(bounded_loop)
ZS_DECLARE(local_calls) ZS_DECLARE(switch_table) ZS_DECLARE(rodata_strings) ZS_DECLARE(crc32)
ZS_DECLARE(fnv_hash) ZS_DECLARE(sort) ZS_DECLARE(helpers_calls) ZS_DECLARE(url_decode)
ZS_DECLARE(atomics) ZS_DECLARE(multi_entry)
u64 multi_entry_twice(u64, u64);
}

namespace zs::ebpf {
namespace {

uint64_t h_add(uint64_t a, uint64_t b, uint64_t, uint64_t, uint64_t, InvocationContext&) {
  return host_add(a, b);
}
uint64_t h_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, InvocationContext&) {
  return host_mix(a, b, c, d, e);
}
uint64_t h_sum(uint64_t ptr, uint64_t len, uint64_t, uint64_t, uint64_t, InvocationContext& ctx) {
  auto bytes = ctx.readable(ptr, len);
  if (!bytes) return ctx.fail("host_sum_bytes: range not readable");
  return host_sum_bytes(reinterpret_cast<uint64_t>(bytes->data()), bytes->size());
}

std::shared_ptr<const HelperTable> test_helpers() {
  auto h = std::make_shared<HelperTable>();
  EXPECT_TRUE(h->add("host_add", h_add).ok());
  EXPECT_TRUE(h->add("host_mix", h_mix).ok());
  EXPECT_TRUE(h->add("host_sum_bytes", h_sum).ok());
  return h;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> inputs() {
  std::vector<std::string> v = {
      "",
      "a",
      "hello needle in a haystack",
      R"({"name": "zeroserve", "list": [1, 2.5, -3e4, {"k": "v\"q"}], "ok": true})",
      "a+b%20c%2Fd%zz%4",
      "alpha beta gamma delta epsilon zeta, the quick brown fox. 0123456789\n",
  };
  std::mt19937 rng(42);
  for (size_t n : {63u, 64u, 200u}) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    v.push_back(s);
  }
  return v;
}

struct Case {
  const char* name;
  u64 (*native)(u64, u64);
  const char* entry;
};

const Case kCases[] = {
    {"strsearch", strsearch_request, "zeroserve.request"},
    {"sha256", sha256_request, "zeroserve.request"},
    {"json_scan", json_scan_request, "zeroserve.request"},
    {"bounded_loop", bounded_loop_request, "zeroserve.request"},
    {"local_calls", local_calls_request, "zeroserve.request"},
    {"switch_table", switch_table_request, "zeroserve.request"},
    {"rodata_strings", rodata_strings_request, "zeroserve.request"},
    {"crc32", crc32_request, "zeroserve.request"},
    {"fnv_hash", fnv_hash_request, "zeroserve.request"},
    {"sort", sort_request, "zeroserve.request"},
    {"helpers_calls", helpers_calls_request, "zeroserve.request"},
    {"url_decode", url_decode_request, "zeroserve.request"},
    {"atomics", atomics_request, "zeroserve.request"},
    {"multi_entry", multi_entry_request, "zeroserve.request"},
    {"multi_entry", multi_entry_twice, "zeroserve.call.double"},
};

class CPrograms : public testing::TestWithParam<Case> {};

TEST_P(CPrograms, InterpreterJitAndNativeAgree) {
  const Case& c = GetParam();
  auto elf = read_file(std::string(ZS_TEST_PROGRAM_DIR) + "/" + c.name + ".o");
  ASSERT_FALSE(elf.empty());
  auto prog = load_elf(elf, test_helpers());
  ASSERT_TRUE(prog.ok()) << prog.error().message();
  ASSERT_TRUE((*prog)->find_entry(c.entry).has_value());
  for (Engine engine : {Engine::kInterpreter, Engine::kJit}) {
    auto exec = Executable::create(*prog, ExecutableOptions{engine, true});
    ASSERT_TRUE(exec.ok()) << exec.error().message();
    auto inst = Instance::create(*exec);
    ASSERT_TRUE(inst.ok()) << inst.error().message();
    for (const std::string& in : inputs()) {
      std::vector<uint8_t> host(in.begin(), in.end());
      host.push_back(0);  // never a null pointer for the native call
      u64 expected = c.native(reinterpret_cast<u64>(host.data()), in.size());
      std::memcpy((*inst)->scratch().data(), in.data(), in.size());
      uint64_t args[2] = {(*inst)->scratch_addr(), in.size()};
      Outcome o = (*inst)->start(c.entry, args);
      while (o.yielded()) o = (*inst)->resume();
      ASSERT_TRUE(o.finished()) << o.reason << " at pc " << o.pc;
      EXPECT_EQ(o.r0, expected) << c.name << " on input of " << in.size() << " bytes, "
                                << (engine == Engine::kJit ? "jit" : "interpreter");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, CPrograms, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& p) {
                           return std::string(p.param.name) + "_" + std::to_string(p.index);
                         });

}  // namespace
}  // namespace zs::ebpf
