// Reader for bpf_conformance `.data` files (format: shared/reference/ebpf-runtime.md §5a) and
// the shared "run one test on one engine" logic used by the CTest runner and the fuzz corpus
// tools. Test memory goes into the instance's writable scratch region; R1 = its guest address
// (0 without memory), R2 = its length; helper 5 returns its first argument (uBPF's "unwind").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hh"
#include "ebpf/isa.hh"
#include "ebpf/runtime.hh"

namespace zs::ebpf::conformance {

struct TestCase {
  bool skipped = false;        // unknown directive, or neither result nor error
  std::string asm_text;
  std::vector<Insn> raw;       // from `-- raw`; replaces the asm when present
  bool has_raw = false;
  std::vector<uint8_t> mem;
  std::optional<uint64_t> result;
  std::optional<std::string> error;
};

TestCase parse(const std::string& text);

enum class Verdict { kPass, kSkipped, kAsmError, kVerifyError, kFault, kWrongResult, kNoError };

struct RunResult {
  Verdict verdict = Verdict::kPass;
  std::string detail;  // error text, or "expected X got Y"
};

// The program of a test (raw or assembled), or the assembler's error.
Result<std::vector<Insn>> program_of(const TestCase& t);

// A helper table with the conformance helpers (id 5).
std::shared_ptr<const HelperTable> conformance_helpers();

// Assembles/verifies/runs `t` on `engine` and compares with its expectation.
RunResult run(const TestCase& t, Engine engine);

const char* verdict_name(Verdict v);

}  // namespace zs::ebpf::conformance
