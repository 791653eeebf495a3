// Token bucket exercise: the specification, step by step.
//
// Every time is integer nanoseconds on a clock the test controls, so each
// expected value below is exact.

#include "rate_limiter/token_bucket.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

using rl::Decision;
using rl::Nanos;
using rl::Quota;
using rl::TokenBucket;

constexpr Nanos kSecond = rl::kNanosPerSecond;
constexpr Nanos kMilli = rl::kNanosPerMilli;

// Quota "limit tokens per period" with the given burst.
constexpr Quota Rate(std::int64_t limit, Nanos period, std::int64_t burst) {
  return Quota{limit, period, burst};
}

TEST(TokenBucketTest, NewBucketIsFullAtTimeZero) {
  TokenBucket bucket(Rate(1, kSecond, 1));

  const Decision first = bucket.Decide(0);
  EXPECT_TRUE(first.allowed) << "a new bucket starts full, so the first "
                                "request at t=0 must be allowed";
  EXPECT_EQ(first.limit, 1) << "Decision.limit must be the burst (1)";
  EXPECT_EQ(first.remaining, 0)
      << "after taking the only token, remaining must be 0";
  EXPECT_EQ(first.retry_after, 0) << "an allowed request has retry_after 0";
}

TEST(TokenBucketTest, NewBucketIsFullAtAnyStartTime) {
  for (const Nanos start :
       {Nanos{-5 * kSecond}, Nanos{7}, Nanos{1'000'000 * kSecond}}) {
    TokenBucket bucket(Rate(1, kSecond, 3));
    for (int i = 1; i <= 3; ++i) {
      EXPECT_TRUE(bucket.Decide(start).allowed)
          << "a new bucket first used at t=" << start
          << " ns must allow its whole burst of 3; request " << i
          << " was rejected";
    }
    EXPECT_FALSE(bucket.Decide(start).allowed)
        << "at t=" << start << " ns the 4th request exceeds the burst of 3";
  }
}

TEST(TokenBucketTest, BurstIsTheCapNotBurstPlusOne) {
  TokenBucket bucket(Rate(5, kSecond, 5));

  for (int i = 1; i <= 5; ++i) {
    EXPECT_TRUE(bucket.Decide(0).allowed)
        << "5/s with burst 5: request " << i << " of 5 at t=0 must be allowed";
  }
  EXPECT_FALSE(bucket.Decide(0).allowed)
      << "5/s with burst 5: the 6th request at t=0 must be rejected";

  // Two idle seconds would refill 10 tokens, but the bucket holds only 5.
  const Nanos later = 2 * kSecond;
  EXPECT_EQ(bucket.Peek(later, 0).remaining, 5)
      << "after 2 s idle the bucket must hold exactly the burst (5), not more";
  for (int i = 1; i <= 5; ++i) {
    EXPECT_TRUE(bucket.Decide(later).allowed)
        << "after 2 s idle, request " << i << " of 5 must be allowed";
  }
  EXPECT_FALSE(bucket.Decide(later).allowed)
      << "after 2 s idle exactly 5 requests are allowed, not 6: "
         "the refill must stop at the burst";
}

TEST(TokenBucketTest, OlderTimestampMintsNoTokens) {
  TokenBucket bucket(Rate(1, kSecond, 1));

  EXPECT_TRUE(bucket.Decide(10 * kSecond).allowed)
      << "1/s, burst 1: the first request at t=10 s must be allowed";

  const Decision older = bucket.Decide(9 * kSecond);
  EXPECT_FALSE(older.allowed)
      << "a request stamped t=9 s, older than the t=10 s already seen, "
         "must be rejected: the bucket is empty";
  EXPECT_EQ(older.retry_after, kSecond)
      << "an older timestamp counts as the latest time seen (10 s), so the "
         "wait is 1 s, not 2 s";

  EXPECT_FALSE(bucket.Decide(10 * kSecond).allowed)
      << "after a request stamped t=9 s, a request at t=10 s must still be "
         "rejected; moving the last-seen time back to 9 s mints a token";
  EXPECT_TRUE(bucket.Decide(11 * kSecond).allowed)
      << "one full second after t=10 s, one token is back";
}

TEST(TokenBucketTest, RefillIsExactAtTenPerThirteenSeconds) {
  TokenBucket bucket(Rate(10, 13 * kSecond, 1));
  ASSERT_TRUE(bucket.Decide(0).allowed)
      << "a new bucket must allow one request";

  // One token takes 13 s / 10 = 1.3 s exactly.
  const Nanos one_token = 1300 * kMilli;
  EXPECT_FALSE(bucket.Decide(one_token - 1).allowed)
      << "10 per 13 s: 1 ns before 1.3 s the token is not back yet";
  EXPECT_TRUE(bucket.Decide(one_token).allowed)
      << "10 per 13 s: exactly 1.3 s after emptying, one token must be back";
}

TEST(TokenBucketTest, RefillIsExactAtOnePerHour) {
  const Nanos hour = 3600 * kSecond;
  TokenBucket bucket(Rate(1, hour, 1));
  ASSERT_TRUE(bucket.Decide(0).allowed)
      << "a new bucket must allow one request";

  EXPECT_FALSE(bucket.Decide(hour - 1).allowed)
      << "1 per hour: 1 ns before the hour is up the token is not back yet";
  EXPECT_TRUE(bucket.Decide(hour).allowed)
      << "1 per hour: exactly one hour after emptying, one token must be back";
}

TEST(TokenBucketTest, RefillDoesNotDriftOverAMillionSeconds) {
  TokenBucket bucket(Rate(1, 3 * kSecond, 1));
  ASSERT_TRUE(bucket.Decide(0).allowed)
      << "a new bucket must allow one request";

  for (Nanos t = 3 * kSecond; t <= 1'000'000 * kSecond; t += 3 * kSecond) {
    ASSERT_FALSE(bucket.Decide(t - 1).allowed)
        << "1 per 3 s: at t=" << t
        << " ns minus 1 ns the token is not back yet";
    ASSERT_TRUE(bucket.Decide(t).allowed)
        << "1 per 3 s: at exactly t=" << t << " ns a token must be back";
  }
}

TEST(TokenBucketTest, RefillIsExactForFractionalInterval) {
  // 7 per second: one token every 142,857,142.857... ns.
  TokenBucket bucket(Rate(7, kSecond, 1));
  ASSERT_TRUE(bucket.Decide(0).allowed)
      << "a new bucket must allow one request";

  const Decision early = bucket.Decide(0);
  EXPECT_EQ(early.retry_after, 142'857'143)
      << "7/s: the wait for one token is 1 s / 7 rounded up to the next "
         "nanosecond (142857143 ns)";
  EXPECT_FALSE(bucket.Decide(142'857'142).allowed)
      << "7/s: at 142857142 ns the bucket holds 999999994/1000000000 of a "
         "token, not a whole one";
  EXPECT_TRUE(bucket.Decide(142'857'143).allowed)
      << "7/s: at 142857143 ns one whole token is back";
}

TEST(TokenBucketTest, LongIdleDoesNotOverflow) {
  const std::int64_t billion = 1'000'000'000;
  TokenBucket bucket(Rate(billion, kSecond, billion));
  ASSERT_TRUE(bucket.Decide(0, billion).allowed)
      << "a new bucket with burst 10^9 must allow a request costing 10^9";

  const Nanos thirty_days = Nanos{30} * 24 * 3600 * kSecond;
  const Decision after_idle = bucket.Decide(thirty_days);
  EXPECT_TRUE(after_idle.allowed)
      << "after 30 days idle at 10^9 tokens/s, one request must be allowed";
  EXPECT_EQ(after_idle.remaining, billion - 1)
      << "after 30 days idle the bucket holds exactly the burst (10^9), "
         "so 10^9 - 1 remain after one request";
  EXPECT_EQ(after_idle.retry_after, 0)
      << "an allowed request has retry_after 0";
  EXPECT_EQ(after_idle.reset_after, 1)
      << "one token at 10^9 tokens/s refills in exactly 1 ns";
}

TEST(TokenBucketTest, WaitCountsPartialRefill) {
  TokenBucket bucket(Rate(1, kSecond, 1));
  ASSERT_TRUE(bucket.Decide(0).allowed)
      << "a new bucket must allow one request";

  const Decision early = bucket.Decide(200 * kMilli);
  EXPECT_FALSE(early.allowed) << "1/s: at t=200 ms the token is not back yet";
  EXPECT_EQ(early.retry_after, 800 * kMilli)
      << "1/s: at t=200 ms, 0.2 of a token has refilled, so the wait is "
         "exactly 800 ms, not 1 s";
  EXPECT_TRUE(bucket.Decide(200 * kMilli + early.retry_after).allowed)
      << "a client that waits exactly retry_after must be allowed";
}

TEST(TokenBucketTest, DecisionReportsRemainingAndReset) {
  TokenBucket bucket(Rate(5, kSecond, 5));

  const Decision first = bucket.Decide(0, 2);
  EXPECT_TRUE(first.allowed) << "5/s, burst 5: a cost of 2 fits a full bucket";
  EXPECT_EQ(first.limit, 5) << "Decision.limit must be the burst (5)";
  EXPECT_EQ(first.remaining, 3) << "5 tokens minus a cost of 2 leaves 3";
  EXPECT_EQ(first.reset_after, 400 * kMilli)
      << "2 missing tokens at 5/s refill in 400 ms";

  const Decision full = bucket.Peek(400 * kMilli, 0);
  EXPECT_EQ(full.remaining, 5) << "after 400 ms the bucket is full again";
  EXPECT_EQ(full.reset_after, 0) << "a full bucket has reset_after 0";
}

TEST(TokenBucketTest, CostAboveBurstNeverFits) {
  TokenBucket bucket(Rate(5, kSecond, 5));

  const Decision too_big = bucket.Decide(0, 6);
  EXPECT_FALSE(too_big.allowed) << "a cost of 6 can never fit a burst of 5";
  EXPECT_EQ(too_big.retry_after, rl::kNever)
      << "a cost above the burst must report retry_after == kNever, because "
         "waiting cannot help";
  EXPECT_EQ(too_big.remaining, 5)
      << "a rejected request takes nothing: 5 tokens must remain";
  EXPECT_TRUE(bucket.Decide(0, 5).allowed)
      << "after the rejected cost of 6, a cost of 5 must still fit";
}

TEST(TokenBucketTest, PeekConsumesNothing) {
  TokenBucket bucket(Rate(1, kSecond, 2));

  for (int i = 1; i <= 3; ++i) {
    const Decision peek = bucket.Peek(0);
    EXPECT_TRUE(peek.allowed)
        << "Peek " << i << " on a full bucket must say allowed";
    EXPECT_EQ(peek.remaining, 1)
        << "Peek reports what Decide would leave (1), but takes nothing";
  }
  EXPECT_TRUE(bucket.Decide(0).allowed)
      << "after three Peeks, Decide 1 of 2 must be allowed";
  EXPECT_TRUE(bucket.Decide(0).allowed)
      << "after three Peeks, Decide 2 of 2 must be allowed";
  EXPECT_FALSE(bucket.Peek(0).allowed)
      << "Peek on an empty bucket must say rejected";
}

TEST(TokenBucketTest, CostZeroIsAQuery) {
  TokenBucket bucket(Rate(1, kSecond, 2));
  ASSERT_TRUE(bucket.Decide(0).allowed)
      << "a new bucket must allow one request";

  const Decision query = bucket.Decide(0, 0);
  EXPECT_TRUE(query.allowed) << "a cost of 0 is always allowed";
  EXPECT_EQ(query.remaining, 1) << "a cost of 0 takes nothing: 1 token remains";
  EXPECT_TRUE(bucket.Decide(0).allowed)
      << "the last token is still there after a cost of 0";
}

}  // namespace
