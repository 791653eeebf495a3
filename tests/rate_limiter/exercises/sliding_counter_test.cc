// Sliding window counter exercise: the specification, step by step.
//
// With `elapsed` the time since the current window started, a request of
// `cost` is allowed when
//
//   previous * (period - elapsed) / period + current + cost <= limit.
//
// Every time is integer nanoseconds on a clock the test controls, so each
// expected value below is exact.

#include "rate_limiter/sliding_counter.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

using rl::Decision;
using rl::Nanos;
using rl::Quota;
using rl::SlidingCounter;

constexpr Nanos kSecond = rl::kNanosPerSecond;
constexpr Nanos kMilli = rl::kNanosPerMilli;

// Quota "limit requests per period"; window algorithms ignore the burst.
constexpr Quota Window(std::int64_t limit, Nanos period) {
  return Quota{limit, period, limit};
}

TEST(SlidingCounterTest, NewKeyIsFullAtTimeZero) {
  SlidingCounter counter(Window(3, kSecond));

  const Decision first = counter.Decide(0);
  EXPECT_TRUE(first.allowed)
      << "a new key has no counts, so the first request at t=0 must be allowed";
  EXPECT_EQ(first.limit, 3) << "Decision.limit must be the quota's limit (3)";
  EXPECT_EQ(first.remaining, 2) << "3 per window minus 1 request leaves 2";
  EXPECT_EQ(first.retry_after, 0) << "an allowed request has retry_after 0";
}

TEST(SlidingCounterTest, AdmitsLimitInOneWindow) {
  SlidingCounter counter(Window(3, kSecond));

  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(counter.Decide(5 * kSecond).allowed)
        << "request " << i << " of 3 at the same time t=5 s must be allowed";
  }
  EXPECT_FALSE(counter.Decide(5 * kSecond).allowed)
      << "3 requests at the same timestamp count as 3, so the 4th at t=5 s "
         "must be rejected";
}

TEST(SlidingCounterTest, PreviousWindowIsWeighted) {
  SlidingCounter counter(Window(10, kSecond));
  for (int i = 1; i <= 10; ++i) {
    ASSERT_TRUE(counter.Decide(500 * kMilli).allowed)
        << "request " << i << " of 10 in window [0 s, 1 s) must be allowed";
  }

  // At t=1.25 s, 75% of the previous window is still inside the sliding
  // window: estimate = 10 * 0.75 + current = 7.5 + current.
  const Nanos now = 1250 * kMilli;
  EXPECT_EQ(counter.Peek(now, 0).remaining, 2)
      << "at t=1.25 s the previous window weighs 10 * 0.75 = 7.5, so "
         "10 - 8 = 2 whole requests remain";
  EXPECT_TRUE(counter.Decide(now).allowed)
      << "estimate 7.5 + 1 = 8.5 <= 10: allowed";
  EXPECT_TRUE(counter.Decide(now).allowed)
      << "estimate 7.5 + 2 = 9.5 <= 10: allowed";

  const Decision third = counter.Decide(now);
  EXPECT_FALSE(third.allowed)
      << "estimate 7.5 + 3 = 10.5 > 10: rejected; a fixed window that ignores "
         "the previous window would allow it";
  EXPECT_EQ(third.retry_after, 50 * kMilli)
      << "the third request fits once 10 * (1 s - elapsed) / 1 s + 3 <= 10, "
         "at elapsed = 300 ms, which is 50 ms after t=1.25 s";
  EXPECT_TRUE(counter.Decide(now + third.retry_after).allowed)
      << "a client that waits exactly retry_after must be allowed";
}

TEST(SlidingCounterTest, RetryAfterRoundsUpToTheNanosecond) {
  SlidingCounter counter(Window(3, kSecond));
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(counter.Decide(0).allowed) << "request " << i << " of 3 at t=0";
  }

  // At t=1 s the previous window (3 requests) still weighs 3. One request
  // fits once 3 * (1 s - elapsed) <= 2 * 1 s: elapsed >= 333,333,333.33 ns.
  const Decision early = counter.Decide(kSecond);
  EXPECT_FALSE(early.allowed) << "at t=1 s the previous window still weighs 3";
  EXPECT_EQ(early.retry_after, 333'333'334)
      << "the exact instant is 1 s / 3 after t=1 s, rounded up to the next "
         "nanosecond: 333333334 ns";
  EXPECT_FALSE(counter.Decide(kSecond + 333'333'333).allowed)
      << "at elapsed 333333333 ns the estimate is still just above 2 + 1";
  EXPECT_TRUE(counter.Decide(kSecond + 333'333'334).allowed)
      << "at elapsed 333333334 ns the estimate is just below 2 + 1: allowed";
}

TEST(SlidingCounterTest, RetryAfterCanSpanIntoNextWindow) {
  SlidingCounter counter(Window(2, kSecond));
  ASSERT_TRUE(counter.Decide(500 * kMilli).allowed)
      << "request 1 of 2 at t=0.5 s";
  ASSERT_TRUE(counter.Decide(500 * kMilli).allowed)
      << "request 2 of 2 at t=0.5 s";

  // This window's 2 requests become the previous window at t=1 s and must
  // decay to 1 before another request fits: at t=1.5 s.
  const Decision third = counter.Decide(500 * kMilli);
  EXPECT_FALSE(third.allowed) << "the window already holds 2 of 2";
  EXPECT_EQ(third.retry_after, kSecond)
      << "the 3rd request fits at t=1.5 s, when the previous window's 2 "
         "requests weigh 2 * 0.5 = 1: a wait of 1 s";
  EXPECT_FALSE(counter.Decide(1500 * kMilli - 1).allowed)
      << "1 ns before t=1.5 s the estimate is still above 1 + 1";
  EXPECT_TRUE(counter.Decide(1500 * kMilli).allowed)
      << "at t=1.5 s the estimate is 1 + 1 = 2 <= 2: allowed";
}

TEST(SlidingCounterTest, IdleGapForgetsOldCounts) {
  SlidingCounter counter(Window(10, kSecond));
  for (int i = 1; i <= 10; ++i) {
    ASSERT_TRUE(counter.Decide(0).allowed)
        << "request " << i << " of 10 at t=0";
  }

  // Window [1 s, 2 s) saw nothing, so at t=2 s the previous window is empty.
  for (int i = 1; i <= 10; ++i) {
    EXPECT_TRUE(counter.Decide(2 * kSecond).allowed)
        << "after an idle window, request " << i
        << " of 10 at t=2 s must be "
           "allowed; the previous window is [1 s, 2 s), which is empty, not "
           "[0 s, 1 s)";
  }
  EXPECT_FALSE(counter.Decide(2 * kSecond).allowed)
      << "the 11th request at t=2 s must be rejected";
}

TEST(SlidingCounterTest, OlderTimestampDoesNotReset) {
  SlidingCounter counter(Window(2, kSecond));
  EXPECT_TRUE(counter.Decide(1500 * kMilli).allowed)
      << "request 1 of 2 at t=1.5 s";
  EXPECT_TRUE(counter.Decide(1500 * kMilli).allowed)
      << "request 2 of 2 at t=1.5 s";

  const Decision older = counter.Decide(500 * kMilli);
  EXPECT_FALSE(older.allowed)
      << "a request stamped t=0.5 s, older than the t=1.5 s already seen, "
         "counts as t=1.5 s and must be rejected; going back to window "
         "[0 s, 1 s) would reset the counts";
  EXPECT_EQ(older.retry_after, kSecond)
      << "measured from the latest time seen (1.5 s), the request fits at "
         "t=2.5 s, when this window's 2 requests weigh 2 * 0.5 = 1";
}

TEST(SlidingCounterTest, WindowsBeforeTimeZeroLineUp) {
  SlidingCounter counter(Window(1, kSecond));

  EXPECT_TRUE(counter.Decide(-1500 * kMilli).allowed)
      << "t=-1.5 s is in window [-2 s, -1 s); its first request is allowed";
  EXPECT_FALSE(counter.Decide(-1200 * kMilli).allowed)
      << "t=-1.2 s is in the same window [-2 s, -1 s), which is full";

  const Decision half_weight = counter.Decide(-500 * kMilli);
  EXPECT_FALSE(half_weight.allowed)
      << "at t=-0.5 s the previous window [-2 s, -1 s) still weighs 0.5";
  EXPECT_EQ(half_weight.retry_after, 500 * kMilli)
      << "from t=-0.5 s the previous window stops counting at t=0, 500 ms "
         "later";

  EXPECT_TRUE(counter.Decide(0).allowed)
      << "at t=0 the window is [0 s, 1 s) and the previous one, [-1 s, 0 s), "
         "is empty; the window index must be floor(now / period), which is "
         "-1 for t=-0.5 s, not 0";
}

TEST(SlidingCounterTest, CostAboveLimitNeverFits) {
  SlidingCounter counter(Window(5, kSecond));

  const Decision too_big = counter.Decide(0, 6);
  EXPECT_FALSE(too_big.allowed) << "a cost of 6 can never fit a limit of 5";
  EXPECT_EQ(too_big.retry_after, rl::kNever)
      << "a cost above the limit must report retry_after == kNever, because "
         "waiting cannot help";
  EXPECT_EQ(too_big.remaining, 5)
      << "a rejected request counts nothing: 5 remain";
  EXPECT_TRUE(counter.Decide(0, 5).allowed)
      << "after the rejected cost of 6, a cost of 5 must still fit";
}

TEST(SlidingCounterTest, PeekConsumesNothing) {
  SlidingCounter counter(Window(2, kSecond));

  for (int i = 1; i <= 3; ++i) {
    const Decision peek = counter.Peek(0);
    EXPECT_TRUE(peek.allowed)
        << "Peek " << i << " on a new key must say allowed";
    EXPECT_EQ(peek.remaining, 1)
        << "Peek reports what Decide would leave (1), but counts nothing";
  }
  EXPECT_TRUE(counter.Decide(0).allowed)
      << "after three Peeks, Decide 1 of 2 must be allowed";
  EXPECT_TRUE(counter.Decide(0).allowed)
      << "after three Peeks, Decide 2 of 2 must be allowed";
  EXPECT_FALSE(counter.Peek(0).allowed)
      << "Peek on a full window must say rejected";
}

TEST(SlidingCounterTest, DecisionReportsReset) {
  SlidingCounter counter(Window(4, kSecond));

  const Decision first = counter.Decide(250 * kMilli);
  EXPECT_EQ(first.reset_after, 1750 * kMilli)
      << "a request at t=0.25 s counts in window [0 s, 1 s) and then weighs "
         "on window [1 s, 2 s) until t=2 s: reset after 1.75 s";

  const Decision query = counter.Decide(1500 * kMilli, 0);
  EXPECT_TRUE(query.allowed) << "a cost of 0 is always allowed";
  EXPECT_EQ(query.remaining, 3)
      << "at t=1.5 s the previous window weighs 1 * 0.5, which takes one "
         "whole request: 4 - 1 = 3 remain";
  EXPECT_EQ(query.reset_after, 500 * kMilli)
      << "at t=1.5 s the previous window stops counting at t=2 s";
}

}  // namespace
