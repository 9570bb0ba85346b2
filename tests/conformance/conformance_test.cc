// Runs every bpf_conformance test file on the interpreter and on the JIT (one GoogleTest case
// per file and engine), and checks that every file under negative/ is rejected: by the
// assembler, the verifier, a fault, or a result that differs from the one it claims.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "conformance/conformance_data.hh"

namespace zs::ebpf::conformance {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> files_in(const char* sub) {
  std::vector<std::string> out;
  fs::path dir = fs::path(ZS_CONFORMANCE_DIR) / sub;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".data") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string test_name(const std::string& path) {
  std::string s = fs::path(path).stem().string();
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

struct Param {
  std::string path;
  Engine engine;
};

std::vector<Param> params(const char* sub) {
  std::vector<Param> out;
  for (const auto& f : files_in(sub))
    for (Engine e : {Engine::kInterpreter, Engine::kJit}) out.push_back({f, e});
  return out;
}

std::string param_name(const testing::TestParamInfo<Param>& info) {
  return test_name(info.param.path) +
         (info.param.engine == Engine::kInterpreter ? "_interpreter" : "_jit");
}

class Conformance : public testing::TestWithParam<Param> {};
class NegativeConformance : public testing::TestWithParam<Param> {};

TEST_P(Conformance, Passes) {
  TestCase t = parse(read(GetParam().path));
  RunResult r = run(t, GetParam().engine);
  if (fs::path(GetParam().path).filename() == "callx.data") {
    // CALLX (0x8d) is an opt-in extension we do not support: it must be refused by the verifier.
    EXPECT_EQ(r.verdict, Verdict::kVerifyError) << r.detail;
    return;
  }
  EXPECT_EQ(r.verdict, Verdict::kPass) << verdict_name(r.verdict) << ": " << r.detail;
}

TEST_P(NegativeConformance, IsRejected) {
  const std::string name = fs::path(GetParam().path).filename().string();
  TestCase t = parse(read(GetParam().path));
  RunResult r = run(t, GetParam().engine);
  EXPECT_NE(r.verdict, Verdict::kPass) << "accepted a negative test";
  if (name.rfind("unused-", 0) == 0) {
    // Non-zero unused fields must be caught by the verifier itself (RFC 9669 §3).
    EXPECT_EQ(r.verdict, Verdict::kVerifyError) << verdict_name(r.verdict) << ": " << r.detail;
  }
}

INSTANTIATE_TEST_SUITE_P(Tests, Conformance, testing::ValuesIn(params("tests")), param_name);
INSTANTIATE_TEST_SUITE_P(Negative, NegativeConformance, testing::ValuesIn(params("negative")),
                         param_name);

TEST(ConformanceData, SuiteIsPresent) {
  EXPECT_GE(files_in("tests").size(), 300u) << "conformance data missing at " << ZS_CONFORMANCE_DIR;
  EXPECT_GE(files_in("negative").size(), 50u);
}

}  // namespace
}  // namespace zs::ebpf::conformance
