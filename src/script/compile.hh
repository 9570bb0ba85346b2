// Compiles a C script to an eBPF object at pack time (or when serving a standalone .c file):
// `clang -O2 -target bpf -mcpu=v3 -c` against the embedded SDK header (sdk/zeroserve.h),
// exactly as docs/manual.md documents, so authors can reproduce it by hand. Runs clang as a
// child process; never used on the request path.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hh"

namespace zs::script {

// The SDK header text, embedded at build time (what --dump-sdk prints).
std::string_view sdk_header();

// Compiles the C file at `source_path` and returns the object file's bytes. A compile error
// returns "compile failed:" and clang's diagnostics (display_name:line:col: error: ...); the
// caller prefixes the file's name. The compiler is $ZEROSERVE_CLANG, else `clang` on PATH.
Result<std::string> compile_c_script(const std::string& source_path, std::string_view display_name);

}  // namespace zs::script
