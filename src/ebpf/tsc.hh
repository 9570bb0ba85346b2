// Time for preemption and CPU caps: the x86 time-stamp counter, calibrated once per process
// against the steady clock. Reading it costs ~10 ns (vs ~30 ns for clock_gettime), and the slice
// check needs no other clock. Assumes an invariant TSC (every x86-64 CPU of the last decade).
#pragma once

#include <chrono>
#include <cstdint>

namespace zs::ebpf::tsc {

uint64_t now();
// Ticks per second, measured on first use (takes ~2 ms once, thread-safe).
uint64_t frequency();
uint64_t from_duration(std::chrono::nanoseconds d);

}  // namespace zs::ebpf::tsc
