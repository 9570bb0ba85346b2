// Test support: loads a BPF object built from programs/*.c against the JSON, codec and
// rate-limit helper groups, and runs its entries with an ExecContext as user data, on the
// interpreter or the JIT. Guest inputs are staged in the instance's scratch memory.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/elf_loader.hh"
#include "ebpf/runtime.hh"
#include "script/exec_context.hh"
#include "script/helper_groups.hh"
#include "script/json_store.hh"
#include "script/request_state.hh"

namespace zs::script::test {

inline std::shared_ptr<const ebpf::HelperTable> helper_table() {
  auto table = std::make_shared<ebpf::HelperTable>();
  EXPECT_TRUE(add_json_helpers(*table).ok());
  EXPECT_TRUE(add_codec_helpers(*table).ok());
  EXPECT_TRUE(add_rate_limit_helpers(*table).ok());
  return table;
}

inline std::vector<uint8_t> read_program(std::string_view name) {
  std::ifstream in(std::string(ZS_SCRIPT_HELPERS_PROGRAM_DIR) + "/" + std::string(name) + ".o", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class ScriptHarness {
 public:
  ScriptHarness(std::string_view program, ebpf::Engine engine, ContextLimits limits = {})
      : exec_(request_, "test.js", 0, limits) {
    auto elf = read_program(program);
    EXPECT_FALSE(elf.empty()) << program;
    auto prog = ebpf::load_elf(elf, helper_table());
    EXPECT_TRUE(prog.ok()) << (prog.ok() ? "" : prog.error().message());
    if (!prog.ok()) return;
    program_ = *prog;
    auto ex = ebpf::Executable::create(program_, ebpf::ExecutableOptions{engine, true});
    EXPECT_TRUE(ex.ok());
    if (!ex.ok()) return;
    auto inst = ebpf::Instance::create(*ex);
    EXPECT_TRUE(inst.ok());
    if (!inst.ok()) return;
    instance_ = std::move(*inst);
    instance_->set_user_data(&exec_);
  }

  bool ready() const { return instance_ != nullptr; }

  // Runs `entry` to the end (resuming time-slice yields; these helpers never park).
  ebpf::Outcome run(std::string_view entry, std::vector<uint64_t> args = {}) {
    ebpf::Outcome o = instance_->start(entry, args);
    while (o.yielded() && !o.parked) o = instance_->resume();
    return o;
  }
  // The result of a run that must finish, as the signed value the script sees.
  int64_t call(std::string_view entry, std::vector<uint64_t> args = {}) {
    ebpf::Outcome o = run(entry, std::move(args));
    EXPECT_TRUE(o.finished()) << entry << ": " << o.reason;
    return static_cast<int64_t>(o.r0);
  }

  // Scratch memory: the test's guest buffers.
  uint64_t addr(size_t offset = 0) const { return instance_->scratch_addr() + offset; }
  std::span<uint8_t> scratch() const { return instance_->scratch(); }
  // Copies `bytes` into scratch at `offset`; returns its guest address.
  uint64_t put(std::string_view bytes, size_t offset = 0) {
    std::memcpy(scratch().data() + offset, bytes.data(), bytes.size());
    return addr(offset);
  }
  std::string get(size_t offset, size_t n) const {
    return std::string(reinterpret_cast<const char*>(scratch().data() + offset), n);
  }
  void fill(uint8_t byte) { std::memset(scratch().data(), byte, scratch().size()); }

  RequestState& request() { return request_; }
  ExecContext& exec() { return exec_; }
  JsonStore& json() { return exec_.json(); }
  const ebpf::Program& program() const { return *program_; }

 private:
  RequestState request_;
  ExecContext exec_;
  std::shared_ptr<const ebpf::Program> program_;
  std::unique_ptr<ebpf::Instance> instance_;
};

// Both engines, for TEST_P fixtures.
inline std::string engine_name(const testing::TestParamInfo<ebpf::Engine>& p) {
  return p.param == ebpf::Engine::kJit ? "Jit" : "Interpreter";
}

inline std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (unsigned char c : bytes) {
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

}  // namespace zs::script::test
