// Sliding log exercise: the specification, step by step.
//
// A request at `now` is judged against the window (now - period, now]: an
// entry logged exactly one period ago has just left it. Every time is
// integer nanoseconds on a clock the test controls, so each expected value
// below is exact.

#include "rate_limiter/sliding_log.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

using rl::Decision;
using rl::Nanos;
using rl::Quota;
using rl::SlidingLog;

constexpr Nanos kSecond = rl::kNanosPerSecond;
constexpr Nanos kMilli = rl::kNanosPerMilli;

// Quota "limit requests per period"; window algorithms ignore the burst.
constexpr Quota Window(std::int64_t limit, Nanos period) {
  return Quota{limit, period, limit};
}

TEST(SlidingLogTest, NewKeyIsFullAtTimeZero) {
  SlidingLog log(Window(3, kSecond));

  const Decision first = log.Decide(0);
  EXPECT_TRUE(first.allowed) << "a new key has an empty log, so the first "
                                "request at t=0 must be allowed";
  EXPECT_EQ(first.limit, 3) << "Decision.limit must be the quota's limit (3)";
  EXPECT_EQ(first.remaining, 2) << "3 per window minus 1 request leaves 2";
  EXPECT_EQ(first.retry_after, 0) << "an allowed request has retry_after 0";
  EXPECT_EQ(first.reset_after, kSecond)
      << "the request logged at t=0 leaves the window 1 s later";
}

TEST(SlidingLogTest, EqualTimestampsEachCount) {
  SlidingLog log(Window(3, kSecond));

  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(log.Decide(7 * kSecond).allowed)
        << "request " << i << " of 3 at the same time t=7 s must be allowed";
  }
  const Decision fourth = log.Decide(7 * kSecond);
  EXPECT_FALSE(fourth.allowed)
      << "3 requests at the same timestamp count as 3, not 1, so the 4th at "
         "t=7 s must be rejected";
  EXPECT_EQ(fourth.remaining, 0) << "a full log has remaining 0";
  EXPECT_EQ(fourth.retry_after, kSecond)
      << "the oldest entry (t=7 s) leaves the window at t=8 s, 1 s later";
}

TEST(SlidingLogTest, NeverMoreThanLimitInAnyWindow) {
  SlidingLog log(Window(3, kSecond));

  EXPECT_TRUE(log.Decide(0).allowed) << "request at t=0 (1 of 3)";
  EXPECT_TRUE(log.Decide(500 * kMilli).allowed)
      << "request at t=500 ms (2 of 3)";
  EXPECT_TRUE(log.Decide(999 * kMilli).allowed)
      << "request at t=999 ms (3 of 3)";

  // Unlike a fixed window, the start of a new second does not reset the
  // count: at t=1 s the window (0 s, 1 s] still contains 500 ms and 999 ms.
  EXPECT_TRUE(log.Decide(kSecond).allowed)
      << "at t=1 s the entry from t=0 has left the window (0 s, 1 s], so one "
         "request is allowed";
  const Decision next = log.Decide(kSecond);
  EXPECT_FALSE(next.allowed)
      << "at t=1 s the window (0 s, 1 s] holds 500 ms, 999 ms and 1 s: full";
  EXPECT_EQ(next.retry_after, 500 * kMilli)
      << "the oldest live entry (500 ms) leaves the window at 1.5 s, 500 ms "
         "later";
}

TEST(SlidingLogTest, EntryOnePeriodOldHasExpired) {
  SlidingLog log(Window(1, kSecond));
  ASSERT_TRUE(log.Decide(0).allowed) << "a new key must allow one request";

  const Decision early = log.Decide(kSecond - 1);
  EXPECT_FALSE(early.allowed)
      << "at t=1 s - 1 ns the entry from t=0 is still inside the window";
  EXPECT_EQ(early.retry_after, 1)
      << "the entry from t=0 leaves the window in exactly 1 ns";
  EXPECT_TRUE(log.Decide(kSecond).allowed)
      << "at t=1 s the entry from t=0 is exactly one period old, so it is "
         "outside the window (0 s, 1 s] and the request is allowed";
}

TEST(SlidingLogTest, RejectedRequestIsNotLogged) {
  SlidingLog log(Window(2, kSecond));

  EXPECT_TRUE(log.Decide(0).allowed) << "request at t=0 (1 of 2)";
  EXPECT_TRUE(log.Decide(500 * kMilli).allowed)
      << "request at t=500 ms (2 of 2)";
  EXPECT_FALSE(log.Decide(600 * kMilli).allowed)
      << "request at t=600 ms must be rejected: the window is full";

  EXPECT_TRUE(log.Decide(kSecond).allowed)
      << "at t=1 s only the entry from 500 ms is live; the rejected request "
         "at 600 ms must not have been logged";
}

TEST(SlidingLogTest, OlderTimestampCountsAsLatest) {
  SlidingLog log(Window(2, kSecond));

  EXPECT_TRUE(log.Decide(10 * kSecond).allowed) << "request at t=10 s (1 of 2)";
  EXPECT_TRUE(log.Decide(9200 * kMilli).allowed)
      << "a request stamped t=9.2 s, older than t=10 s, counts as t=10 s "
         "(2 of 2)";

  const Decision next = log.Decide(10300 * kMilli);
  EXPECT_FALSE(next.allowed)
      << "at t=10.3 s both entries, logged at the latest time seen (10 s), "
         "are live; an entry logged at 9.2 s would wrongly have expired";
  EXPECT_EQ(next.retry_after, 700 * kMilli)
      << "both entries leave the window at 11 s, 700 ms after t=10.3 s";

  const Decision older = log.Decide(9 * kSecond);
  EXPECT_EQ(older.retry_after, 700 * kMilli)
      << "a request stamped t=9 s counts as the latest time seen (10.3 s), "
         "so the wait is still 700 ms";
}

TEST(SlidingLogTest, RetryAfterWaitsForEnoughEntries) {
  SlidingLog log(Window(3, kSecond));
  ASSERT_TRUE(log.Decide(0).allowed) << "request at t=0";
  ASSERT_TRUE(log.Decide(200 * kMilli).allowed) << "request at t=200 ms";
  ASSERT_TRUE(log.Decide(400 * kMilli).allowed) << "request at t=400 ms";

  const Decision costly = log.Decide(500 * kMilli, 2);
  EXPECT_FALSE(costly.allowed) << "a cost of 2 does not fit a full log";
  EXPECT_EQ(costly.retry_after, 700 * kMilli)
      << "a cost of 2 needs the two oldest entries (0 and 200 ms) gone; the "
         "one at 200 ms leaves at 1.2 s, 700 ms after t=500 ms";
  EXPECT_TRUE(log.Decide(500 * kMilli + costly.retry_after, 2).allowed)
      << "a client that waits exactly retry_after must be allowed";
}

TEST(SlidingLogTest, CostAboveLimitNeverFits) {
  SlidingLog log(Window(5, kSecond));

  const Decision too_big = log.Decide(0, 6);
  EXPECT_FALSE(too_big.allowed) << "a cost of 6 can never fit a limit of 5";
  EXPECT_EQ(too_big.retry_after, rl::kNever)
      << "a cost above the limit must report retry_after == kNever, because "
         "waiting cannot help";
  EXPECT_EQ(too_big.remaining, 5)
      << "a rejected request logs nothing: 5 remain";
  EXPECT_TRUE(log.Decide(0, 5).allowed)
      << "after the rejected cost of 6, a cost of 5 must still fit";
}

TEST(SlidingLogTest, PeekConsumesNothing) {
  SlidingLog log(Window(2, kSecond));

  for (int i = 1; i <= 3; ++i) {
    const Decision peek = log.Peek(0);
    EXPECT_TRUE(peek.allowed)
        << "Peek " << i << " on an empty log must say allowed";
    EXPECT_EQ(peek.remaining, 1)
        << "Peek reports what Decide would leave (1), but logs nothing";
  }
  EXPECT_TRUE(log.Decide(0).allowed)
      << "after three Peeks, Decide 1 of 2 must be allowed";
  EXPECT_TRUE(log.Decide(0).allowed)
      << "after three Peeks, Decide 2 of 2 must be allowed";
  EXPECT_FALSE(log.Peek(0).allowed) << "Peek on a full log must say rejected";
}

TEST(SlidingLogTest, CostZeroIsAQuery) {
  SlidingLog log(Window(2, kSecond));
  ASSERT_TRUE(log.Decide(0).allowed) << "a new key must allow one request";

  const Decision query = log.Decide(250 * kMilli, 0);
  EXPECT_TRUE(query.allowed) << "a cost of 0 is always allowed";
  EXPECT_EQ(query.remaining, 1) << "a cost of 0 logs nothing: 1 remains";
  EXPECT_EQ(query.reset_after, 750 * kMilli)
      << "at t=250 ms the entry from t=0 leaves the window in 750 ms";
  EXPECT_TRUE(log.Decide(250 * kMilli).allowed)
      << "the second request is still allowed";
}

}  // namespace
