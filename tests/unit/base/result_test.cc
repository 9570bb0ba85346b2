// Result<T> and Error: value/error access and context wrapping.
#include "base/result.hh"

#include <gtest/gtest.h>

#include <memory>

namespace zs {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return Error("odd number " + std::to_string(x));
  return x / 2;
}

TEST(Result, CarriesValueOrError) {
  auto a = half(8);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 4);
  auto b = half(3);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message(), "odd number 3");
  EXPECT_EQ(b.error().wrap("half").message(), "half: odd number 3");
}

TEST(Result, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
  ASSERT_TRUE(r);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(Result, VoidResult) {
  Result<void> ok;
  EXPECT_TRUE(ok.ok());
  Result<void> bad = Error("nope");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "nope");
}

}  // namespace
}  // namespace zs
