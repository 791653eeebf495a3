// Fixed window exercise: the specification, step by step.
//
// Windows are [k * period, (k + 1) * period). Every time is integer
// nanoseconds on a clock the test controls, so each expected value below is
// exact.

#include "rate_limiter/fixed_window.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

using rl::Decision;
using rl::FixedWindow;
using rl::Nanos;
using rl::Quota;

constexpr Nanos kSecond = rl::kNanosPerSecond;
constexpr Nanos kMilli = rl::kNanosPerMilli;

// Quota "limit requests per period"; window algorithms ignore the burst.
constexpr Quota Window(std::int64_t limit, Nanos period) {
  return Quota{limit, period, limit};
}

TEST(FixedWindowTest, NewKeyIsFullAtTimeZero) {
  FixedWindow window(Window(3, kSecond));

  const Decision first = window.Decide(0);
  EXPECT_TRUE(first.allowed)
      << "a new key starts with an empty window, so the first request at t=0 "
         "must be allowed";
  EXPECT_EQ(first.limit, 3) << "Decision.limit must be the quota's limit (3)";
  EXPECT_EQ(first.remaining, 2) << "3 per window minus 1 request leaves 2";
  EXPECT_EQ(first.retry_after, 0) << "an allowed request has retry_after 0";
  EXPECT_EQ(first.reset_after, kSecond)
      << "the window [0 s, 1 s) ends 1 s after t=0, and then the count resets";
}

TEST(FixedWindowTest, AdmitsLimitNotLimitPlusOne) {
  FixedWindow window(Window(3, kSecond));

  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(window.Decide(5 * kSecond).allowed)
        << "3 per second: request " << i
        << " of 3 at the same time t=5 s "
           "must be allowed";
  }
  const Decision fourth = window.Decide(5 * kSecond);
  EXPECT_FALSE(fourth.allowed)
      << "3 per second: the 4th request in one window must be rejected; "
         "equal timestamps each count";
  EXPECT_EQ(fourth.remaining, 0) << "a full window has remaining 0";
  EXPECT_EQ(fourth.retry_after, kSecond)
      << "at t=5 s the window [5 s, 6 s) has 1 s left, so the wait is 1 s";
}

TEST(FixedWindowTest, CountResetsAtTheBoundary) {
  FixedWindow window(Window(3, kSecond));

  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(window.Decide(999 * kMilli).allowed)
        << "request " << i
        << " of 3 at t=999 ms, in window [0 s, 1 s), "
           "must be allowed";
  }
  const Decision full = window.Decide(999 * kMilli);
  EXPECT_FALSE(full.allowed) << "the 4th request at t=999 ms must be rejected";
  EXPECT_EQ(full.retry_after, kMilli)
      << "at t=999 ms the next window starts in exactly 1 ms";

  // The known weakness: 3 more right after the boundary, 6 within 2 ms.
  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(window.Decide(kSecond).allowed)
        << "request " << i
        << " of 3 at t=1 s starts a new window [1 s, 2 s) "
           "and must be allowed";
  }
  EXPECT_FALSE(window.Decide(kSecond).allowed)
      << "the 4th request at t=1 s must be rejected";
}

TEST(FixedWindowTest, RejectedRequestCountsNothing) {
  FixedWindow window(Window(5, kSecond));

  EXPECT_TRUE(window.Decide(0, 3).allowed) << "a cost of 3 fits a limit of 5";

  const Decision rejected = window.Decide(0, 3);
  EXPECT_FALSE(rejected.allowed) << "another cost of 3 would make 6 > 5";
  EXPECT_EQ(rejected.remaining, 2)
      << "a rejected request counts nothing, so 5 - 3 = 2 must remain";

  EXPECT_TRUE(window.Decide(0, 2).allowed)
      << "after the rejected cost of 3, a cost of 2 must still fit (3 + 2 = 5)";
}

TEST(FixedWindowTest, OlderTimestampDoesNotReset) {
  FixedWindow window(Window(2, kSecond));

  EXPECT_TRUE(window.Decide(1500 * kMilli).allowed)
      << "request 1 of 2 at t=1.5 s";
  EXPECT_TRUE(window.Decide(1500 * kMilli).allowed)
      << "request 2 of 2 at t=1.5 s";

  const Decision older = window.Decide(500 * kMilli);
  EXPECT_FALSE(older.allowed)
      << "a request stamped t=0.5 s, older than the t=1.5 s already seen, "
         "counts as t=1.5 s: the window [1 s, 2 s) is full, so it is "
         "rejected; going back to window [0 s, 1 s) would reset the count";
  EXPECT_EQ(older.retry_after, 500 * kMilli)
      << "the wait is measured from the latest time seen (1.5 s): 500 ms";
}

TEST(FixedWindowTest, WindowsBeforeTimeZeroLineUp) {
  FixedWindow window(Window(1, kSecond));

  EXPECT_TRUE(window.Decide(-1500 * kMilli).allowed)
      << "t=-1.5 s is in window [-2 s, -1 s); its first request is allowed";
  const Decision same_window = window.Decide(-1200 * kMilli);
  EXPECT_FALSE(same_window.allowed)
      << "t=-1.2 s is in the same window [-2 s, -1 s), which is full";
  EXPECT_EQ(same_window.retry_after, 200 * kMilli)
      << "from t=-1.2 s the next window starts at -1 s, 200 ms later";
  EXPECT_TRUE(window.Decide(-kSecond).allowed)
      << "t=-1 s starts window [-1 s, 0 s); its first request is allowed";
  EXPECT_FALSE(window.Decide(-1).allowed)
      << "t=-1 ns is still in window [-1 s, 0 s), which is full; the window "
         "index must be floor(now / period), which is -1 here, not 0";
  EXPECT_TRUE(window.Decide(0).allowed)
      << "t=0 starts window [0 s, 1 s); its first request is allowed";
}

TEST(FixedWindowTest, CostAboveLimitNeverFits) {
  FixedWindow window(Window(5, kSecond));

  const Decision too_big = window.Decide(0, 6);
  EXPECT_FALSE(too_big.allowed) << "a cost of 6 can never fit a limit of 5";
  EXPECT_EQ(too_big.retry_after, rl::kNever)
      << "a cost above the limit must report retry_after == kNever, because "
         "waiting cannot help";
  EXPECT_EQ(too_big.remaining, 5)
      << "a rejected request counts nothing: 5 remain";
  EXPECT_TRUE(window.Decide(0, 5).allowed)
      << "after the rejected cost of 6, a cost of 5 must still fit";
}

TEST(FixedWindowTest, PeekConsumesNothing) {
  FixedWindow window(Window(2, kSecond));

  for (int i = 1; i <= 3; ++i) {
    const Decision peek = window.Peek(0);
    EXPECT_TRUE(peek.allowed)
        << "Peek " << i << " on an empty window must say allowed";
    EXPECT_EQ(peek.remaining, 1)
        << "Peek reports what Decide would leave (1), but counts nothing";
  }
  EXPECT_TRUE(window.Decide(0).allowed)
      << "after three Peeks, Decide 1 of 2 must be allowed";
  EXPECT_TRUE(window.Decide(0).allowed)
      << "after three Peeks, Decide 2 of 2 must be allowed";
  EXPECT_FALSE(window.Peek(0).allowed)
      << "Peek on a full window must say rejected";
}

TEST(FixedWindowTest, CostZeroIsAQuery) {
  FixedWindow window(Window(2, kSecond));
  ASSERT_TRUE(window.Decide(0).allowed) << "a new key must allow one request";

  const Decision query = window.Decide(250 * kMilli, 0);
  EXPECT_TRUE(query.allowed) << "a cost of 0 is always allowed";
  EXPECT_EQ(query.remaining, 1) << "a cost of 0 counts nothing: 1 remains";
  EXPECT_EQ(query.reset_after, 750 * kMilli)
      << "at t=250 ms the window [0 s, 1 s) resets in 750 ms";
  EXPECT_TRUE(window.Decide(0).allowed)
      << "the second request is still allowed";
}

}  // namespace
