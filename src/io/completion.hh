// The one completion interface: every io_uring SQE's user_data points at a Completion, and the
// event loop calls its `on_complete` for each CQE. Completions are embedded in their owner (an
// awaitable in a coroutine frame, a listener, the loop itself), so submitting I/O allocates nothing.
#pragma once

#include <cstdint>

namespace zs::io {

struct Completion {
  // Called on the loop thread with the CQE's res and flags. A multishot operation calls it once
  // per CQE; IORING_CQE_F_MORE in `flags` says whether more will follow.
  using Handler = void (*)(Completion* self, int32_t res, uint32_t flags);
  Handler on_complete;
};

}  // namespace zs::io
