// bpf-conformance-plugin: lets the public bpf_conformance runner drive our runtime (plugin
// protocol, research doc §5e). stdin: the program as hex bytes (raw instructions, or an ELF
// object with --elf); first non-option argument: test memory as hex bytes. R1 = memory address
// in the writable scratch region (0 without memory), R2 = its length. Success: r0 in hex on
// stdout, exit 0. Failure (bad input, verifier rejection, fault): message on stderr, exit 1.
// `--engine interpreter|jit` (default jit). Faults are reported, never delivered as signals.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/conformance_data.hh"
#include "ebpf/elf_loader.hh"
#include "ebpf/runtime.hh"

namespace {

using namespace zs::ebpf;
using zs::Error;
using zs::Result;

bool parse_hex(std::string_view text, std::vector<uint8_t>& out) {
  int nibble = -1;
  for (char c : text) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (nibble >= 0) return false;  // a lone nibble
      continue;
    } else {
      return false;
    }
    if (nibble < 0) {
      nibble = v;
    } else {
      out.push_back(static_cast<uint8_t>(nibble << 4 | v));
      nibble = -1;
    }
  }
  return nibble < 0;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Engine engine = Engine::kJit;
  bool elf = false;
  std::string memory_hex;
  bool have_memory = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--engine" && i + 1 < argc) {
      std::string_view e = argv[++i];
      if (e == "interpreter") engine = Engine::kInterpreter;
      else if (e == "jit") engine = Engine::kJit;
      else return fail("unknown engine '" + std::string(e) + "' (interpreter or jit)");
    } else if (a == "--elf") {
      elf = true;
    } else if (a.substr(0, 2) == "--") {
      continue;  // other runner options are ignored
    } else if (!have_memory) {
      memory_hex = std::string(a);
      have_memory = true;
    }
  }
  std::string input;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, stdin)) input.append(buf, n);
  std::vector<uint8_t> program, memory;
  if (!parse_hex(input, program)) return fail("program is not hex bytes");
  if (!parse_hex(memory_hex, memory)) return fail("memory is not hex bytes");

  Result<std::shared_ptr<const Program>> prog = Error("no program");
  if (elf) {
    prog = load_elf(program, conformance::conformance_helpers());
  } else {
    if (program.empty() || program.size() % kInsnSize != 0)
      return fail("program size is not a positive multiple of 8");
    ProgramImage image;
    for (size_t i = 0; i < program.size() / kInsnSize; ++i) image.insns.push_back(insn_at(program, i));
    prog = Program::create(std::move(image), conformance::conformance_helpers());
  }
  if (!prog) return fail(prog.error().message());
  auto exec = Executable::create(*prog, ExecutableOptions{engine, true});
  if (!exec) return fail(exec.error().message());
  auto inst = Instance::create(*exec);
  if (!inst) return fail(inst.error().message());
  Instance& in = **inst;
  uint64_t args[2] = {0, memory.size()};
  if (!memory.empty()) {
    if (memory.size() > in.scratch().size()) return fail("memory larger than the scratch region");
    std::memcpy(in.scratch().data(), memory.data(), memory.size());
    args[0] = in.scratch_addr();
  }
  Outcome o = in.start_at((*prog)->entries().front().pc, args);
  while (o.yielded()) o = in.resume();
  if (!o.finished()) return fail(o.reason + " at insn " + std::to_string(o.pc));
  std::printf("%llx\n", static_cast<unsigned long long>(o.r0));
  return 0;
}
