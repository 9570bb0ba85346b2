// ZS_ASSERT: checks invariants whose failure means a bug in zeroserve itself, never bad input.
// It stays on in release builds: serving on from a broken invariant is worse than a crash.
// Input errors are Result values (result.hh), never assertions.
#pragma once

namespace zs::detail {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line);
}

#define ZS_ASSERT(cond) \
  ((cond) ? static_cast<void>(0) : ::zs::detail::assert_fail(#cond, __FILE__, __LINE__))
