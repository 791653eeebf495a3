// Tests of the redis_sliding_log exercise: labs/rate_limiter/redis_sliding_log.lua.
//
// Each test starts its own redis-server on a loopback port and decides
// through RedisStore, which runs your script with EVALSHA. The tests pass
// the time explicitly (in microseconds, as ARGV[1]), so every expected
// value is exact.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "labkit/testing/redis_server.h"
#include "rate_limiter/redis_store.h"

namespace rl {

using namespace std::string_view_literals;
namespace {

constexpr Nanos kSecond = kNanosPerSecond;
constexpr Nanos kMilli = kNanosPerMilli;
constexpr Nanos kMicro = 1000;
// kT0 is a Unix time, 2023-11-14, in nanoseconds.
constexpr Nanos kT0 = 1'700'000'040 * kSecond;

class RedisSlidingLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start()) << redis_.error();
    std::string error;
    store_ = RedisStore::Create(
        {.url = redis_.url(), .use_caller_time = true}, &error);
    ASSERT_NE(store_, nullptr) << error;
  }

  // Decide decides one request under `limit` at time `now` and checks that
  // the script ran without an error.
  Decision Decide(const Limit& limit, std::string_view key, Nanos now,
                  std::int64_t cost = 1) {
    LimitRequest request{key, &limit, cost};
    RedisDecision d = store_->DecideAllWithOutcome({&request, 1}, now);
    EXPECT_EQ(RedisOutcomeName(d.outcome), "decided"sv)
        << "the script failed instead of deciding: " << d.error;
    return d.decision.decisions.at(0);
  }

  long long LogSize(const Limit& limit, std::string_view key) {
    return redis_.Command({"ZCARD", RedisKey("rl:", limit.name, key)}).integer;
  }

  labkit::testing::RedisServer redis_;
  std::unique_ptr<RedisStore> store_;
};

Limit ThreePerSecond() {
  return Limit{"api", Algorithm::kSlidingLog, Quota::PerSecond(3)};
}

TEST_F(RedisSlidingLogTest, AllowsUpToTheLimit) {
  Limit limit = ThreePerSecond();
  for (int i = 0; i < 3; ++i) {
    Decision d = Decide(limit, "client", kT0);
    EXPECT_TRUE(d.allowed) << "request " << i + 1
                           << " of 3 in a fresh window must be allowed";
    EXPECT_EQ(d.remaining, 2 - i)
        << "after request " << i + 1 << " of 3, remaining must be "
        << 2 - i;
  }
  Decision fourth = Decide(limit, "client", kT0);
  EXPECT_FALSE(fourth.allowed)
      << "a 4th request within one period must be rejected (limit 3)";
  EXPECT_EQ(fourth.remaining, 0) << "a full log has 0 remaining";
}

TEST_F(RedisSlidingLogTest, EntriesLeaveExactlyOnePeriodLater) {
  Limit limit = ThreePerSecond();
  Decide(limit, "client", kT0);
  Decide(limit, "client", kT0 + 200 * kMilli);
  Decide(limit, "client", kT0 + 400 * kMilli);

  EXPECT_FALSE(Decide(limit, "client", kT0 + kSecond - kMicro).allowed)
      << "1 microsecond before the first entry is one period old, the log "
         "still holds 3 entries, so the request must be rejected";
  EXPECT_TRUE(Decide(limit, "client", kT0 + kSecond).allowed)
      << "an entry exactly one period old is outside the window "
         "(now - period, now]: drop scores <= now - period";
}

TEST_F(RedisSlidingLogTest, RejectionSaysHowLongToWait) {
  Limit limit = ThreePerSecond();
  Decision first = Decide(limit, "client", kT0);
  EXPECT_EQ(first.retry_after, 0) << "an allowed request has retry_after 0";
  EXPECT_EQ(first.reset_after, kSecond)
      << "after an entry at now, the log is empty one period later";
  Decide(limit, "client", kT0 + 200 * kMilli);
  Decide(limit, "client", kT0 + 400 * kMilli);

  Decision rejected = Decide(limit, "client", kT0 + 500 * kMilli);
  EXPECT_FALSE(rejected.allowed) << "the 4th request within 1 s";
  EXPECT_EQ(rejected.retry_after, 500 * kMilli)
      << "at +500 ms the oldest entry (+0 ms) leaves at +1000 ms, so "
         "retry_after must be 500000 microseconds";
  EXPECT_EQ(rejected.reset_after, 900 * kMilli)
      << "the newest entry (+400 ms) leaves at +1400 ms, so reset_after "
         "must be 900000 microseconds";
}

TEST_F(RedisSlidingLogTest, EqualTimestampsEachCount) {
  Limit limit = ThreePerSecond();
  int allowed = 0;
  for (int i = 0; i < 5; ++i) {
    allowed += Decide(limit, "client", kT0).allowed;
  }
  EXPECT_EQ(allowed, 3)
      << "5 requests at the same microsecond must count as 5, so only 3 are "
         "allowed: give every entry a unique member (use ARGV[2])";
  EXPECT_EQ(LogSize(limit, "client"), 3)
      << "the log must hold one entry per allowed request";
}

TEST_F(RedisSlidingLogTest, CostCountsEveryUnit) {
  Limit limit = ThreePerSecond();
  Decision two = Decide(limit, "client", kT0, 2);
  EXPECT_TRUE(two.allowed) << "a cost of 2 fits in a limit of 3";
  EXPECT_EQ(two.remaining, 1) << "a cost of 2 leaves 1 of 3";
  EXPECT_EQ(LogSize(limit, "client"), 2) << "a cost of 2 logs 2 entries";
  EXPECT_FALSE(Decide(limit, "client", kT0, 2).allowed)
      << "a second cost of 2 would make 4 entries, over the limit of 3";

  Decision too_big = Decide(limit, "other", kT0, 4);
  EXPECT_FALSE(too_big.allowed) << "a cost of 4 never fits a limit of 3";
  EXPECT_EQ(too_big.retry_after, kNever)
      << "a cost above the limit must return retry_after -1 (never)";
}

TEST_F(RedisSlidingLogTest, RejectedRequestLogsNothing) {
  Limit limit = ThreePerSecond();
  for (int i = 0; i < 6; ++i) {
    Decide(limit, "client", kT0 + i * 100 * kMilli);
  }
  EXPECT_EQ(LogSize(limit, "client"), 3)
      << "3 allowed and 3 rejected requests must leave 3 entries: a "
         "rejected request writes nothing";
  EXPECT_TRUE(Decide(limit, "client", kT0 + kSecond).allowed)
      << "one period after the first request, a slot is free again; a log "
         "that recorded rejected requests would still be full";
}

TEST_F(RedisSlidingLogTest, KeyExpiresAfterOnePeriod) {
  Limit limit = ThreePerSecond();
  Decide(limit, "client", kT0);
  long long ttl =
      redis_.Command({"PTTL", RedisKey("rl:", "api", "client")}).integer;
  EXPECT_GT(ttl, 0) << "the log's key must have an expiry (PEXPIRE), or "
                       "idle clients stay in Redis forever; PTTL was "
                    << ttl;
  EXPECT_LE(ttl, 1000) << "the key must expire within one period (1000 ms) "
                          "of its newest entry; PTTL was "
                       << ttl;
}

TEST_F(RedisSlidingLogTest, RejectedRequestConsumesNoOtherLimit) {
  Limit group{"group", Algorithm::kSlidingLog, Quota{10, 60 * kSecond, 10}};
  Limit route{"route", Algorithm::kSlidingLog, Quota{3, 60 * kSecond, 3}};
  const LimitRequest both[] = {{"client", &group, 1}, {"client", &route, 1}};

  int allowed = 0;
  for (int i = 0; i < 5; ++i) {
    RedisDecision d = store_->DecideAllWithOutcome(both, kT0);
    ASSERT_EQ(RedisOutcomeName(d.outcome), "decided"sv)
        << "the script failed instead of deciding: " << d.error;
    allowed += d.decision.allowed;
    if (!d.decision.allowed) {
      EXPECT_TRUE(d.decision.decisions[0].allowed)
          << "call " << i + 1 << ": the group limit alone would allow it, "
          << "so its allowed flag must be 1";
      EXPECT_FALSE(d.decision.decisions[1].allowed)
          << "call " << i + 1 << ": the route limit of 3 rejects it";
    }
  }
  EXPECT_EQ(allowed, 3) << "a route limit of 3 allows 3 of 5 calls";
  EXPECT_EQ(LogSize(group, "client"), 3)
      << "the group log must hold 3 entries, not 5: when one limit rejects, "
         "write nothing to any key";
}

TEST_F(RedisSlidingLogTest, UsesServerTimeWhenNoTimeIsGiven) {
  std::string error;
  auto store = RedisStore::Create({.url = redis_.url()}, &error);
  ASSERT_NE(store, nullptr) << error;
  Limit limit = ThreePerSecond();
  LimitRequest request{"client", &limit, 1};

  RedisDecision d = store->DecideAllWithOutcome({&request, 1}, 0);
  ASSERT_EQ(RedisOutcomeName(d.outcome), "decided"sv)
      << "the script failed instead of deciding: " << d.error;
  EXPECT_TRUE(d.decision.allowed)
      << "with ARGV[1] == '', read the time from redis.call('TIME')";
}

}  // namespace
}  // namespace rl
