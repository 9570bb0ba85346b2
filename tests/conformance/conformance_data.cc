// Parser rules mirror bpf_conformance's bpf_test_parser.cc (research doc §5a): `#` starts a
// comment, a line with `--` picks the section by substring, the last line of result/error
// counts. One deliberate extension: a `-- raw` section made only of two-digit hex tokens is read
// as bytes (the negative/unused-* files are written that way).
#include "conformance/conformance_data.hh"

#include <cstring>
#include <sstream>

#include "ebpf/assembler.hh"

namespace zs::ebpf::conformance {
namespace {

enum class Section { kNone, kAsm, kResult, kMem, kRaw, kIgnored, kError };

uint64_t parse_u64(const std::string& s) {
  bool hex = s.find("0x") != std::string::npos || s.find("0X") != std::string::npos;
  return std::stoull(s, nullptr, hex ? 16 : 10);
}

bool is_byte_token(const std::string& t) {
  return t.size() == 2 && std::isxdigit(static_cast<unsigned char>(t[0])) &&
         std::isxdigit(static_cast<unsigned char>(t[1]));
}

uint64_t helper_unwind(uint64_t r1, uint64_t, uint64_t, uint64_t, uint64_t, InvocationContext&) {
  return r1;
}

}  // namespace

TestCase parse(const std::string& text) {
  TestCase t;
  Section sec = Section::kNone;
  std::vector<std::string> raw_tokens, result_lines, error_lines;
  std::string mem_text;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (auto h = line.find('#'); h != std::string::npos) line.erase(h);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (line.find("--") != std::string::npos) {
      if (line.find("asm") != std::string::npos) sec = Section::kAsm;
      else if (line.find("result") != std::string::npos) sec = Section::kResult;
      else if (line.find("mem") != std::string::npos) sec = Section::kMem;
      else if (line.find("raw") != std::string::npos) sec = Section::kRaw;
      else if (line.find("no register offset") != std::string::npos) sec = Section::kIgnored;
      else if (line.find(" c") != std::string::npos) sec = Section::kIgnored;
      else if (line.find("error") != std::string::npos) sec = Section::kError;
      else t.skipped = true;
      if (sec == Section::kRaw) t.has_raw = true;
      if (sec == Section::kError) t.error = "";
      continue;
    }
    switch (sec) {
      case Section::kAsm: t.asm_text += line + "\n"; break;
      case Section::kResult: result_lines.push_back(line); break;
      case Section::kError: error_lines.push_back(line); break;
      case Section::kMem: mem_text += line + " "; break;
      case Section::kRaw: {
        std::istringstream ws(line);
        for (std::string tok; ws >> tok;) raw_tokens.push_back(tok);
        break;
      }
      default: break;
    }
  }
  {
    std::istringstream ms(mem_text);
    for (std::string tok; ms >> tok;)
      t.mem.push_back(static_cast<uint8_t>(std::stoul(tok, nullptr, 16)));
  }
  bool bytes = !raw_tokens.empty() && raw_tokens.size() % 8 == 0;
  for (const auto& tok : raw_tokens) bytes = bytes && is_byte_token(tok);
  if (bytes) {
    std::vector<uint8_t> b;
    for (const auto& tok : raw_tokens) b.push_back(static_cast<uint8_t>(std::stoul(tok, nullptr, 16)));
    for (size_t i = 0; i < b.size() / 8; ++i) t.raw.push_back(insn_at(b, i));
  } else {
    for (const auto& tok : raw_tokens) {
      uint64_t w = parse_u64(tok);
      Insn insn;
      std::memcpy(static_cast<void*>(&insn), &w, 8);
      t.raw.push_back(insn);
    }
  }
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t") + 1);
    return s;
  };
  if (!result_lines.empty()) t.result = parse_u64(trim(result_lines.back()));
  if (!error_lines.empty()) t.error = trim(error_lines.back());
  if (!t.result && !t.error) t.skipped = true;
  return t;
}

Result<std::vector<Insn>> program_of(const TestCase& t) {
  if (t.has_raw) return t.raw;
  return assemble(t.asm_text);
}

std::shared_ptr<const HelperTable> conformance_helpers() {
  static const std::shared_ptr<const HelperTable> table = [] {
    auto h = std::make_shared<HelperTable>();
    (void)h->add_at(5, "unwind", helper_unwind);
    return h;
  }();
  return table;
}

RunResult run(const TestCase& t, Engine engine) {
  if (t.skipped) return {Verdict::kSkipped, "no result or error, or unknown directive"};
  auto code = program_of(t);
  if (!code) return {Verdict::kAsmError, code.error().message()};
  if (code->empty()) return {Verdict::kSkipped, "no instructions"};
  ProgramImage image;
  image.insns = std::move(*code);
  auto prog = Program::create(std::move(image), conformance_helpers());
  if (!prog) return {Verdict::kVerifyError, prog.error().message()};
  auto exec = Executable::create(*prog, ExecutableOptions{engine, true});
  if (!exec) return {Verdict::kVerifyError, exec.error().message()};
  auto inst = Instance::create(*exec);
  if (!inst) return {Verdict::kFault, inst.error().message()};
  Instance& in = **inst;
  uint64_t args[2] = {0, t.mem.size()};
  if (!t.mem.empty()) {
    if (t.mem.size() > in.scratch().size()) return {Verdict::kFault, "test memory too large"};
    std::memcpy(in.scratch().data(), t.mem.data(), t.mem.size());
    args[0] = in.scratch_addr();
  }
  Outcome o = in.start_at(0, args);
  while (o.yielded()) o = in.resume();
  if (o.faulted()) {
    if (t.error) return {Verdict::kPass, o.reason};
    return {Verdict::kFault, o.reason + " at insn " + std::to_string(o.pc)};
  }
  if (!t.result) return {Verdict::kNoError, "finished with r0 = " + std::to_string(o.r0)};
  if (o.r0 != *t.result)
    return {Verdict::kWrongResult,
            "expected " + std::to_string(*t.result) + " got " + std::to_string(o.r0)};
  return {Verdict::kPass, {}};
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "pass";
    case Verdict::kSkipped: return "skipped";
    case Verdict::kAsmError: return "assembler error";
    case Verdict::kVerifyError: return "verifier error";
    case Verdict::kFault: return "fault";
    case Verdict::kWrongResult: return "wrong result";
    case Verdict::kNoError: return "no error";
  }
  return "?";
}

}  // namespace zs::ebpf::conformance
