// SDK helpers: logging, time, environment, version and memory (zeroserve-behavior.md §4b rows
// 1-4 and 131-133, plus the `memcpy`/`memset` symbols clang emits for struct copies).
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "script/exec_context.hh"
#include "script/guest.hh"
#include "script/helper_groups.hh"
#include "script/request_state.hh"

namespace zs::script {
namespace {

using Ctx = ebpf::InvocationContext;

// zs_log(msg, len): appended to the script's buffer; the runner writes whole lines. Bytes that
// would garble a log line (controls except tab, non-ASCII) become '?'.
uint64_t zs_log(uint64_t msg, uint64_t len, uint64_t, uint64_t, uint64_t, Ctx& ctx) {
  auto text = guest_in(ctx, msg, len, "zs_log: message");
  if (!text) return 0;
  std::string& buf = exec_of(ctx).log_buffer();
  constexpr size_t kMaxBuffered = 64 * 1024;  // a script that never writes '\n' cannot grow it forever
  for (char c : *text) {
    if (buf.size() >= kMaxBuffered) break;
    const auto u = static_cast<unsigned char>(c);
    buf.push_back(c == '\n' || c == '\t' || (u >= 0x20 && u < 0x7f) ? c : '?');
  }
  return 0;
}

uint64_t zs_now_ms(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, Ctx&) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1'000'000;
}

uint64_t zs_version(uint64_t out, uint64_t out_len, uint64_t, uint64_t, uint64_t, Ctx& ctx) {
  return put_cstring(ctx, out, out_len, ZS_VERSION, "zs_version: out");
}

uint64_t zs_env_get(uint64_t name, uint64_t name_len, uint64_t out, uint64_t out_len, uint64_t, Ctx& ctx) {
  auto key = guest_in(ctx, name, name_len, "zs_env_get: name");
  if (!key) return 0;
  std::string k(Metadata::trim(*key));
  const char* v = k.empty() || k.find('\0') != std::string::npos ? nullptr : getenv(k.c_str());
  return put_cstring(ctx, out, out_len, v != nullptr ? v : "", "zs_env_get: out");
}

// Memory helpers: both regions are checked whole before anything is touched.
uint64_t zs_memcpy(uint64_t dst, uint64_t src, uint64_t n, uint64_t, uint64_t, Ctx& ctx) {
  auto from = guest_in(ctx, src, n, "memcpy: src");
  if (!from) return 0;
  auto to = guest_out(ctx, dst, n, "memcpy: dst");
  if (!to) return 0;
  std::memmove(to->data(), from->data(), n);
  return dst;
}

uint64_t zs_memset(uint64_t dst, uint64_t c, uint64_t n, uint64_t, uint64_t, Ctx& ctx) {
  auto to = guest_out(ctx, dst, n, "memset: dst");
  if (!to) return 0;
  std::memset(to->data(), static_cast<int>(c & 0xff), n);
  return dst;
}

uint64_t zs_memcmp(uint64_t a, uint64_t b, uint64_t n, uint64_t, uint64_t, Ctx& ctx) {
  auto x = guest_in(ctx, a, n, "zs_memcmp: a");
  if (!x) return 0;
  auto y = guest_in(ctx, b, n, "zs_memcmp: b");
  if (!y) return 0;
  for (size_t i = 0; i < n; ++i) {
    const int d = static_cast<unsigned char>((*x)[i]) - static_cast<unsigned char>((*y)[i]);
    if (d != 0) return static_cast<uint64_t>(static_cast<int64_t>(d));
  }
  return 0;
}

constexpr NamedHelper kCoreHelpers[] = {
    {"zs_log", zs_log},
    {"zs_now_ms", zs_now_ms},
    {"zs_version", zs_version},
    {"zs_env_get", zs_env_get},
    {"zs_memcpy", zs_memcpy},
    {"zs_memset", zs_memset},
    {"zs_memcmp", zs_memcmp},
    {"memcpy", zs_memcpy},
    {"memset", zs_memset},
};

}  // namespace

Result<void> add_core_helpers(ebpf::HelperTable& table) { return add_helpers(table, kCoreHelpers); }

}  // namespace zs::script
