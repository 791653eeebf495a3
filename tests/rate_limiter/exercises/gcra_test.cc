// GCRA exercise: the specification, step by step.
//
// GCRA must behave exactly like a token bucket with the same quota: same
// allowed requests, same waits. Every time is integer nanoseconds on a clock
// the test controls, so each expected value below is exact.

#include "rate_limiter/gcra.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

using rl::Decision;
using rl::Gcra;
using rl::Nanos;
using rl::Quota;

constexpr Nanos kSecond = rl::kNanosPerSecond;
constexpr Nanos kMilli = rl::kNanosPerMilli;

// Quota "limit requests per period" with the given burst.
constexpr Quota Rate(std::int64_t limit, Nanos period, std::int64_t burst) {
  return Quota{limit, period, burst};
}

TEST(GcraTest, NewKeyIsFullAtTimeZero) {
  Gcra gcra(Rate(1, kSecond, 1));

  const Decision first = gcra.Decide(0);
  EXPECT_TRUE(first.allowed)
      << "a new key starts with its whole burst, so the first request at t=0 "
         "must be allowed";
  EXPECT_EQ(first.limit, 1) << "Decision.limit must be the burst (1)";
  EXPECT_EQ(first.remaining, 0)
      << "after the only request of the burst, remaining must be 0";
  EXPECT_EQ(first.retry_after, 0) << "an allowed request has retry_after 0";
}

TEST(GcraTest, NewKeyIsFullAtAnyStartTime) {
  for (const Nanos start :
       {Nanos{-5 * kSecond}, Nanos{7}, Nanos{1'000'000 * kSecond}}) {
    Gcra gcra(Rate(1, kSecond, 3));
    for (int i = 1; i <= 3; ++i) {
      EXPECT_TRUE(gcra.Decide(start).allowed)
          << "a new key first used at t=" << start
          << " ns must allow its whole burst of 3; request " << i
          << " was rejected";
    }
    EXPECT_FALSE(gcra.Decide(start).allowed)
        << "at t=" << start << " ns the 4th request exceeds the burst of 3";
  }
}

TEST(GcraTest, BurstIsTheCapNotBurstPlusOne) {
  Gcra gcra(Rate(5, kSecond, 5));

  for (int i = 1; i <= 5; ++i) {
    EXPECT_TRUE(gcra.Decide(0).allowed)
        << "5/s with burst 5: request " << i << " of 5 at t=0 must be allowed";
  }
  EXPECT_FALSE(gcra.Decide(0).allowed)
      << "5/s with burst 5: the 6th request at t=0 must be rejected; a new "
         "TAT more than burst * T (1 s) ahead of now is over the limit";

  const Nanos later = 2 * kSecond;
  for (int i = 1; i <= 5; ++i) {
    EXPECT_TRUE(gcra.Decide(later).allowed)
        << "after 2 s idle, request " << i << " of 5 must be allowed";
  }
  EXPECT_FALSE(gcra.Decide(later).allowed)
      << "after 2 s idle exactly 5 requests are allowed, not 6";
}

TEST(GcraTest, OlderTimestampMintsNothing) {
  Gcra gcra(Rate(1, kSecond, 1));

  EXPECT_TRUE(gcra.Decide(10 * kSecond).allowed)
      << "1/s, burst 1: the first request at t=10 s must be allowed";

  const Decision older = gcra.Decide(9 * kSecond);
  EXPECT_FALSE(older.allowed)
      << "a request stamped t=9 s, older than the t=10 s already seen, "
         "must be rejected";
  EXPECT_EQ(older.retry_after, kSecond)
      << "an older timestamp counts as the latest time seen (10 s), so the "
         "wait is 1 s, not 2 s";

  EXPECT_FALSE(gcra.Decide(10 * kSecond).allowed)
      << "after a request stamped t=9 s, a request at t=10 s must still be "
         "rejected";
  EXPECT_TRUE(gcra.Decide(11 * kSecond).allowed)
      << "one emission interval (1 s) after t=10 s, a request is allowed again";
}

TEST(GcraTest, RateIsExactAtTenPerThirteenSeconds) {
  Gcra gcra(Rate(10, 13 * kSecond, 1));
  ASSERT_TRUE(gcra.Decide(0).allowed) << "a new key must allow one request";

  // The emission interval is 13 s / 10 = 1.3 s exactly.
  const Nanos interval = 1300 * kMilli;
  EXPECT_FALSE(gcra.Decide(interval - 1).allowed)
      << "10 per 13 s: 1 ns before 1.3 s the next request is still too early";
  EXPECT_TRUE(gcra.Decide(interval).allowed)
      << "10 per 13 s: exactly 1.3 s after the first request the next one "
         "must be allowed";
}

TEST(GcraTest, RateIsExactAtOnePerHour) {
  const Nanos hour = 3600 * kSecond;
  Gcra gcra(Rate(1, hour, 1));
  ASSERT_TRUE(gcra.Decide(0).allowed) << "a new key must allow one request";

  EXPECT_FALSE(gcra.Decide(hour - 1).allowed)
      << "1 per hour: 1 ns before the hour is up the next request is too early";
  EXPECT_TRUE(gcra.Decide(hour).allowed)
      << "1 per hour: exactly one hour later the next request must be allowed";
}

TEST(GcraTest, RateDoesNotDriftOverAMillionSeconds) {
  Gcra gcra(Rate(1, 3 * kSecond, 1));
  ASSERT_TRUE(gcra.Decide(0).allowed) << "a new key must allow one request";

  for (Nanos t = 3 * kSecond; t <= 1'000'000 * kSecond; t += 3 * kSecond) {
    ASSERT_FALSE(gcra.Decide(t - 1).allowed)
        << "1 per 3 s: at t=" << t << " ns minus 1 ns the request is too early";
    ASSERT_TRUE(gcra.Decide(t).allowed)
        << "1 per 3 s: at exactly t=" << t << " ns the request must be allowed";
  }
}

TEST(GcraTest, FractionalIntervalIsNotRounded) {
  // 7 per second: T = 1 s / 7 = 142,857,142.857... ns, not a whole number.
  Gcra gcra(Rate(7, kSecond, 1));
  ASSERT_TRUE(gcra.Decide(0).allowed) << "a new key must allow one request";

  const Decision early = gcra.Decide(0);
  EXPECT_EQ(early.retry_after, 142'857'143)
      << "7/s: the wait is T = 1 s / 7 rounded up to the next nanosecond "
         "(142857143 ns)";
  EXPECT_FALSE(gcra.Decide(142'857'142).allowed)
      << "7/s: at 142857142 ns, less than T has passed; rounding T down to "
         "whole nanoseconds lets this request through";
  EXPECT_TRUE(gcra.Decide(142'857'143).allowed)
      << "7/s: at 142857143 ns, T has passed";
}

TEST(GcraTest, FractionalRateDoesNotDrift) {
  // 3 per second (T = 333,333,333.33... ns) with burst 2. After the burst at
  // t=0, request n may go once its TAT, (n + 1) * T, is within 2 * T of now:
  // from ceil((n - 1) * T). The client always asks early enough that TAT
  // stays ahead of now, so every fraction of T must be kept.
  Gcra gcra(Rate(3, kSecond, 2));
  ASSERT_TRUE(gcra.Decide(0).allowed)
      << "3/s, burst 2: request 0 at t=0 must be allowed";
  ASSERT_TRUE(gcra.Decide(0).allowed)
      << "3/s, burst 2: request 1 at t=0 must be allowed";

  for (std::int64_t n = 2; n <= 300'000; ++n) {
    const Nanos due = ((n - 1) * kSecond + 2) / 3;  // ceil((n - 1) * T)
    ASSERT_FALSE(gcra.Decide(due - 1).allowed)
        << "3/s: request " << n << " at " << due - 1
        << " ns is 1 ns too early; the schedule must not drift";
    ASSERT_TRUE(gcra.Decide(due).allowed)
        << "3/s: request " << n << " at ceil((n - 1) * T) = " << due
        << " ns must be allowed";
  }
}

TEST(GcraTest, LongIdleDoesNotOverflow) {
  const std::int64_t billion = 1'000'000'000;
  Gcra gcra(Rate(billion, kSecond, billion));
  ASSERT_TRUE(gcra.Decide(0, billion).allowed)
      << "a new key with burst 10^9 must allow a request costing 10^9";

  const Nanos thirty_days = Nanos{30} * 24 * 3600 * kSecond;
  const Decision after_idle = gcra.Decide(thirty_days);
  EXPECT_TRUE(after_idle.allowed)
      << "after 30 days idle at 10^9 requests/s, one request must be allowed";
  EXPECT_EQ(after_idle.remaining, billion - 1)
      << "after 30 days idle the whole burst (10^9) is available, so "
         "10^9 - 1 remain after one request";
  EXPECT_EQ(after_idle.retry_after, 0)
      << "an allowed request has retry_after 0";
  EXPECT_EQ(after_idle.reset_after, 1)
      << "one request at 10^9 requests/s is paid back in exactly 1 ns";
}

TEST(GcraTest, WaitCountsPartialInterval) {
  Gcra gcra(Rate(1, kSecond, 1));
  ASSERT_TRUE(gcra.Decide(0).allowed) << "a new key must allow one request";

  const Decision early = gcra.Decide(200 * kMilli);
  EXPECT_FALSE(early.allowed)
      << "1/s: at t=200 ms the next request is too early";
  EXPECT_EQ(early.retry_after, 800 * kMilli)
      << "1/s: at t=200 ms the wait is exactly 800 ms, not 1 s";
  EXPECT_TRUE(gcra.Decide(200 * kMilli + early.retry_after).allowed)
      << "a client that waits exactly retry_after must be allowed";
}

TEST(GcraTest, DecisionReportsRemainingAndReset) {
  Gcra gcra(Rate(5, kSecond, 5));

  const Decision first = gcra.Decide(0, 2);
  EXPECT_TRUE(first.allowed) << "5/s, burst 5: a cost of 2 fits a new key";
  EXPECT_EQ(first.limit, 5) << "Decision.limit must be the burst (5)";
  EXPECT_EQ(first.remaining, 3) << "a burst of 5 minus a cost of 2 leaves 3";
  EXPECT_EQ(first.reset_after, 400 * kMilli)
      << "a cost of 2 at 5/s is paid back in 400 ms";

  const Decision full = gcra.Peek(400 * kMilli, 0);
  EXPECT_EQ(full.remaining, 5)
      << "after 400 ms the whole burst is available again";
  EXPECT_EQ(full.reset_after, 0)
      << "with the whole burst available, reset_after is 0";
}

TEST(GcraTest, CostAboveBurstNeverFits) {
  Gcra gcra(Rate(5, kSecond, 5));

  const Decision too_big = gcra.Decide(0, 6);
  EXPECT_FALSE(too_big.allowed) << "a cost of 6 can never fit a burst of 5";
  EXPECT_EQ(too_big.retry_after, rl::kNever)
      << "a cost above the burst must report retry_after == kNever, because "
         "waiting cannot help";
  EXPECT_EQ(too_big.remaining, 5)
      << "a rejected request changes nothing: 5 must remain";
  EXPECT_TRUE(gcra.Decide(0, 5).allowed)
      << "after the rejected cost of 6, a cost of 5 must still fit";
}

TEST(GcraTest, PeekConsumesNothing) {
  Gcra gcra(Rate(1, kSecond, 2));

  for (int i = 1; i <= 3; ++i) {
    const Decision peek = gcra.Peek(0);
    EXPECT_TRUE(peek.allowed)
        << "Peek " << i << " on a new key must say allowed";
    EXPECT_EQ(peek.remaining, 1)
        << "Peek reports what Decide would leave (1), but changes nothing";
  }
  EXPECT_TRUE(gcra.Decide(0).allowed)
      << "after three Peeks, Decide 1 of 2 must be allowed";
  EXPECT_TRUE(gcra.Decide(0).allowed)
      << "after three Peeks, Decide 2 of 2 must be allowed";
  EXPECT_FALSE(gcra.Peek(0).allowed)
      << "Peek with the burst used up must say rejected";
}

TEST(GcraTest, CostZeroIsAQuery) {
  Gcra gcra(Rate(1, kSecond, 2));
  ASSERT_TRUE(gcra.Decide(0).allowed) << "a new key must allow one request";

  const Decision query = gcra.Decide(0, 0);
  EXPECT_TRUE(query.allowed) << "a cost of 0 is always allowed";
  EXPECT_EQ(query.remaining, 1) << "a cost of 0 takes nothing: 1 remains";
  EXPECT_TRUE(gcra.Decide(0).allowed)
      << "the second request of the burst is still allowed";
}

}  // namespace
