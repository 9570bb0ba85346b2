// TSC calibration: sleep ~2 ms between two (steady_clock, rdtsc) samples; good to ~1%, which is
// plenty for 2 ms slices and second-scale CPU caps.
#include "ebpf/tsc.hh"

#include <x86intrin.h>

#include <thread>

namespace zs::ebpf::tsc {

uint64_t now() { return __rdtsc(); }

uint64_t frequency() {
  static const uint64_t hz = [] {
    using Clock = std::chrono::steady_clock;
    auto t0 = Clock::now();
    uint64_t c0 = __rdtsc();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    auto t1 = Clock::now();
    uint64_t c1 = __rdtsc();
    double secs = std::chrono::duration<double>(t1 - t0).count();
    double f = static_cast<double>(c1 - c0) / secs;
    return f > 1e6 ? static_cast<uint64_t>(f) : uint64_t{1'000'000'000};
  }();
  return hz;
}

uint64_t from_duration(std::chrono::nanoseconds d) {
  return static_cast<uint64_t>(static_cast<double>(d.count()) * 1e-9 *
                               static_cast<double>(frequency()));
}

}  // namespace zs::ebpf::tsc
