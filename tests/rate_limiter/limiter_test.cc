// Tests of Limiter, the run-time choice among the five algorithms, and of
// the algorithm names used in configuration.

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rate_limiter/limiter.h"

namespace {

using testing::HasSubstr;

constexpr rl::Nanos kSecond = rl::kNanosPerSecond;
constexpr rl::Nanos kHour = 3600 * kSecond;

std::string MessageOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "(no std::invalid_argument thrown)";
}

TEST(LimiterTest, AlgorithmNamesRoundTrip) {
  for (rl::Algorithm algorithm :
       {rl::Algorithm::kFixedWindow, rl::Algorithm::kSlidingLog,
        rl::Algorithm::kSlidingCounter, rl::Algorithm::kTokenBucket,
        rl::Algorithm::kGcra}) {
    std::string_view name = rl::AlgorithmName(algorithm);
    std::optional<rl::Algorithm> parsed = rl::ParseAlgorithm(name);
    ASSERT_TRUE(parsed.has_value()) << name;
    EXPECT_EQ(*parsed, algorithm) << name;

    rl::Limiter limiter(algorithm, rl::Quota::PerSecond(3));
    EXPECT_EQ(limiter.algorithm(), algorithm) << name;
    EXPECT_EQ(limiter.quota(), rl::Quota::PerSecond(3)) << name;
  }
  EXPECT_EQ(rl::AlgorithmName(rl::Algorithm::kSlidingCounter),
            "sliding_counter");
  EXPECT_EQ(rl::AlgorithmName(rl::Algorithm::kGcra), "gcra");
}

TEST(LimiterTest, UnknownNameNotParsed) {
  EXPECT_FALSE(rl::ParseAlgorithm("leaky_bucket").has_value());
  EXPECT_FALSE(rl::ParseAlgorithm("").has_value());
  EXPECT_FALSE(rl::ParseAlgorithm("GCRA").has_value())
      << "names are lower case, as in the configuration";
}

TEST(LimiterTest, InvalidQuotaRejected) {
  EXPECT_THAT(MessageOf([] {
                rl::Limiter limiter(rl::Algorithm::kTokenBucket,
                                    rl::Quota{5, kSecond, 0});
              }),
              HasSubstr("invalid quota {limit 5, period 1000000000 ns, "
                        "burst 0}"));
  EXPECT_THAT(MessageOf([] {
                rl::Limiter limiter(rl::Algorithm::kGcra,
                                    rl::Quota{1'000'000'000'000, kHour, 1});
              }),
              HasSubstr("must fit in 64 bits"));
}

TEST(LimiterTest, InvalidAlgorithmRejected) {
  EXPECT_THAT(MessageOf([] {
                rl::Limiter limiter(static_cast<rl::Algorithm>(42),
                                    rl::Quota::PerSecond(1));
              }),
              HasSubstr("invalid algorithm value 42"));
}

TEST(LimiterTest, DecideAndPeekForward) {
  rl::Limiter limiter(rl::Algorithm::kSlidingLog, rl::Quota::PerSecond(2));
  EXPECT_EQ(limiter.Peek(0).remaining, 1);
  EXPECT_TRUE(limiter.Decide(0).allowed);
  EXPECT_TRUE(limiter.Decide(0).allowed);
  EXPECT_FALSE(limiter.Decide(0).allowed);
  EXPECT_FALSE(limiter.Peek(0).allowed);
}

}  // namespace
