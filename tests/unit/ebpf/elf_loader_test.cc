// ELF loader: entry points and helper binding of real clang objects, the clear refusals
// (.bss, writable globals, unknown helpers, helper calls by number), and robustness: every
// truncation and thousands of byte mutations of a real object load or fail, never crash.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

#include "ebpf/elf_loader.hh"
#include "ebpf/runtime.hh"

namespace zs::ebpf {
namespace {

std::vector<uint8_t> object(const std::string& name) {
  std::ifstream in(std::string(ZS_TEST_PROGRAM_DIR) + "/" + name + ".o", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

uint64_t any_helper(uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t, InvocationContext&) { return a; }

std::shared_ptr<const HelperTable> helpers() {
  auto h = std::make_shared<HelperTable>();
  for (const char* n : {"host_add", "host_mix", "host_sum_bytes"}) EXPECT_TRUE(h->add(n, any_helper).ok());
  return h;
}

TEST(ElfLoader, EntryPointsAreSections) {
  auto p = load_elf(object("multi_entry"), helpers());
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_TRUE((*p)->find_entry("zeroserve.request").has_value());
  EXPECT_TRUE((*p)->find_entry("zeroserve.call.double").has_value());
  EXPECT_TRUE((*p)->find_entry(".text").has_value());
  EXPECT_FALSE((*p)->find_entry("zeroserve.tls").has_value());
}

TEST(ElfLoader, ClearRefusals) {
  struct Bad {
    const char* object;
    const char* fragment;
  };
  const Bad bad[] = {
      {"bad_bss_global", "zero-initialized writable globals are not supported"},
      {"bad_unknown_helper", "call to unknown helper 'zs_frobnicate'"},
  };
  for (const Bad& b : bad) {
    auto bytes = object(b.object);
    ASSERT_FALSE(bytes.empty()) << b.object;
    auto p = load_elf(bytes, helpers());
    ASSERT_FALSE(p.ok()) << b.object;
    EXPECT_NE(p.error().message().find(b.fragment), std::string::npos) << p.error().message();
  }
  auto missing = load_elf(object("helpers_calls"), std::make_shared<HelperTable>());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("unknown helper 'host_add'"), std::string::npos)
      << missing.error().message();
}

// Initialized globals (.data) are readable but part of the read-only image: a store faults.
TEST(ElfLoader, DataGlobalsAreReadOnly) {
  auto p = load_elf(object("bad_data_global"), helpers());
  ASSERT_TRUE(p.ok()) << p.error().message();
  for (Engine e : {Engine::kInterpreter, Engine::kJit}) {
    auto exec = Executable::create(*p, ExecutableOptions{e, true});
    ASSERT_TRUE(exec.ok());
    auto in = Instance::create(*exec);
    ASSERT_TRUE(in.ok());
    uint64_t args[2] = {5, 1};
    Outcome o = (*in)->start("zeroserve.request", args);
    ASSERT_TRUE(o.faulted());
    EXPECT_EQ(o.fault, FaultKind::kMemory);
    EXPECT_NE(o.reason.find("store"), std::string::npos) << o.reason;
  }
}

TEST(ElfLoader, RejectsNonElfAndWrongMachine) {
  std::vector<uint8_t> junk(200, 0x41);
  EXPECT_FALSE(load_elf(junk, helpers()).ok());
  auto bytes = object("crc32");
  bytes[18] = 62;  // EM_X86_64
  auto p = load_elf(bytes, helpers());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("not a BPF object"), std::string::npos);
}

TEST(ElfLoader, SurvivesEveryTruncationAndRandomMutations) {
  for (const char* name : {"rodata_strings", "multi_entry", "helpers_calls"}) {
    const auto good = object(name);
    ASSERT_FALSE(good.empty());
    ASSERT_TRUE(load_elf(good, helpers()).ok());
    for (size_t n = 0; n < good.size(); ++n) {
      std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(n));
      (void)load_elf(cut, helpers());
    }
    std::mt19937 rng(7);
    size_t loaded = 0;
    for (int round = 0; round < 3000; ++round) {
      auto bytes = good;
      for (int k = 0; k < 1 + round % 4; ++k) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
      auto p = load_elf(bytes, helpers());
      if (!p.ok()) continue;
      ++loaded;
      // Whatever loads must also run safely on both engines.
      for (Engine e : {Engine::kInterpreter, Engine::kJit}) {
        auto exec = Executable::create(*p, ExecutableOptions{e, true});
        ASSERT_TRUE(exec.ok());
        InstanceOptions opts;
        opts.cpu_limit = std::chrono::milliseconds(20);
        auto in = Instance::create(*exec, opts);
        ASSERT_TRUE(in.ok());
        Outcome o = (*in)->start((*p)->entries().front().name);
        while (o.yielded()) o = (*in)->resume();
      }
    }
    EXPECT_GT(loaded, 0u) << name;
  }
}

}  // namespace
}  // namespace zs::ebpf
