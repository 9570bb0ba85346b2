// Coroutine plumbing: Detached and Task resume each other by symmetric transfer, frames are
// freed exactly once, and suspension points resumed from outside (as I/O completions are)
// continue the right coroutine. Frames come from the pool (frame_pool.hh).
#include "io/task.hh"

#include <gtest/gtest.h>

#include <coroutine>
#include <string>
#include <vector>

namespace zs::io {
namespace {

// An awaitable that parks the coroutine until the test resumes it, like an I/O completion.
struct Gate {
  std::coroutine_handle<> waiter;
  int value = 0;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) noexcept { waiter = h; }
  int await_resume() const noexcept { return value; }
  void open(int v) {
    value = v;
    auto h = waiter;
    waiter = {};
    h.resume();
  }
};

struct Tracked {
  std::vector<std::string>& log;
  explicit Tracked(std::vector<std::string>& l) : log(l) { log.push_back("ctor"); }
  ~Tracked() { log.push_back("dtor"); }
};

Task<int> child(Gate& g, std::vector<std::string>& log, const char* name) {
  log.push_back(std::string(name) + ":start");
  int v = co_await g;
  log.push_back(std::string(name) + ":resumed");
  co_return v * 2;
}

Task<void> child_void(Gate& g, std::vector<std::string>& log) {
  log.push_back("void:start");
  co_await g;
  log.push_back("void:resumed");
}

Detached parent(Gate& a, Gate& b, Gate& c, std::vector<std::string>& log, int& result) {
  Tracked t(log);
  int x = co_await child(a, log, "first");
  int y = co_await child(b, log, "second");
  co_await child_void(c, log);
  result = x + y;
  log.push_back("parent:end");
}

TEST(Task, DetachedRunsChildrenInOrderAndFreesItsFrame) {
  Gate a, b, c;
  std::vector<std::string> log;
  int result = 0;
  parent(a, b, c, log, result);
  ASSERT_EQ(log, (std::vector<std::string>{"ctor", "first:start"}));
  a.open(1);
  ASSERT_EQ(log.back(), "second:start");
  b.open(2);
  ASSERT_EQ(log.back(), "void:start");
  c.open(0);
  EXPECT_EQ(result, 6);
  EXPECT_EQ(log, (std::vector<std::string>{"ctor", "first:start", "first:resumed", "second:start",
                                           "second:resumed", "void:start", "void:resumed", "parent:end",
                                           "dtor"}));
}

Task<int> leaf(int depth) {
  if (depth == 0) co_return 1;
  int below = co_await leaf(depth - 1);
  co_return below + 1;
}

Detached deep(int& out) { out = co_await leaf(500); }

TEST(Task, NestedChainsComplete) {
  int out = 0;
  deep(out);
  EXPECT_EQ(out, 501);
}

Task<void> nothing() { co_return; }

Detached sequence(int n, int& done) {
  for (int i = 0; i < n; ++i) co_await nothing();
  ++done;
}

TEST(Task, ManyShortTasksReuseFrames) {
  int done = 0;
  for (int i = 0; i < 1000; ++i) sequence(100, done);
  EXPECT_EQ(done, 1000);
}

}  // namespace
}  // namespace zs::io
