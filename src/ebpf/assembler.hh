// Text assembler for the eBPF syntax of the public bpf_conformance suite (its bpf_assembler.cc
// grammar; see shared/reference/ebpf-runtime.md §5b): `mov %r0, 1`, `ldxw %r1, [%r2+4]`,
// `lock fetch add32 [%r10-8], %r1`, labels, `call local f`. Used by tests, the conformance runner
// and the fuzzers; not on the request path. Does not verify: out-of-range registers up to %r15
// assemble (negative tests need them) and the verifier rejects them later.
#pragma once

#include <string_view>
#include <vector>

#include "base/result.hh"
#include "ebpf/isa.hh"

namespace zs::ebpf {

// Assembles one program. Lines may hold one instruction or one `label:`; text after `#` is a
// comment. The first `exit` also defines the label `exit`. Jump targets are labels or +N/-N.
// Errors say which line failed and why ("line 3: invalid register '%r50'").
Result<std::vector<Insn>> assemble(std::string_view text);

}  // namespace zs::ebpf
