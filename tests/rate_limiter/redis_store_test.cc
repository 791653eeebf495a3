// Integration tests of RedisStore against a real redis-server.
//
// Most tests pass the time explicitly (RedisStoreOptions::use_caller_time),
// so every expected value is exact; the TTL and outage tests use the
// server's own TIME.
#include "rate_limiter/redis_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "labkit/testing/redis_server.h"

namespace rl {

using namespace std::string_view_literals;
namespace {

using labkit::testing::RedisReply;
using labkit::testing::RedisServer;
using std::chrono::milliseconds;

constexpr Nanos kSecond = kNanosPerSecond;
constexpr Nanos kMilli = kNanosPerMilli;
constexpr Nanos kMicro = 1000;
// kT0 is a Unix time (seconds) divisible by 60, so every window of 1 s, 2 s,
// 3 s, 5 s, 10 s or 60 s starts there.
constexpr Nanos kT0 = 1'700'000'040 * kSecond;

// NameOf is a local copy of the algorithm names, so these tests depend only
// on the Redis store.
std::string NameOf(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kFixedWindow:
      return "fixed_window";
    case Algorithm::kSlidingLog:
      return "sliding_log";
    case Algorithm::kSlidingCounter:
      return "sliding_counter";
    case Algorithm::kTokenBucket:
      return "token_bucket";
    case Algorithm::kGcra:
      return "gcra";
  }
  return "unknown";
}

Limit MakeLimit(std::string name, Algorithm algorithm, Quota quota) {
  return Limit{std::move(name), algorithm, quota};
}

class RedisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis_.Start()) << redis_.error(); }

  // MakeStore returns a store on this test's server with `options`, or
  // with the caller's time when no options are given.
  std::unique_ptr<RedisStore> MakeStore(RedisStoreOptions options) {
    options.url = redis_.url();
    std::string error;
    std::unique_ptr<RedisStore> store = RedisStore::Create(options, &error);
    EXPECT_NE(store, nullptr) << error;
    return store;
  }
  std::unique_ptr<RedisStore> MakeStore() {
    return MakeStore({.use_caller_time = true});
  }

  static RedisDecision Decide(RedisStore& store, const Limit& limit,
                              std::string_view key, Nanos now,
                              std::int64_t cost = 1) {
    LimitRequest request{key, &limit, cost};
    return store.DecideAllWithOutcome({&request, 1}, now);
  }

  // WaitUntilDecided retries until the store decides through Redis again,
  // for up to 5 s, and returns the last outcome.
  static RedisOutcome WaitUntilDecided(RedisStore& store, const Limit& limit) {
    RedisOutcome outcome = RedisOutcome::kUnavailable;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      outcome = Decide(store, limit, "recovery", kT0).outcome;
      if (outcome == RedisOutcome::kDecided) {
        break;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    return outcome;
  }

  RedisServer redis_;
};

// --- URL and options -------------------------------------------------------

TEST(ParseRedisUrl, AcceptsHostPortAndDatabase) {
  std::string error;
  auto full = ParseRedisUrl("redis://10.0.0.7:7000/2", &error);
  ASSERT_TRUE(full.has_value()) << error;
  EXPECT_EQ(full->host, "10.0.0.7");
  EXPECT_EQ(full->port, 7000);
  EXPECT_EQ(full->db, 2);

  auto defaults = ParseRedisUrl("redis://localhost", &error);
  ASSERT_TRUE(defaults.has_value()) << error;
  EXPECT_EQ(defaults->host, "localhost");
  EXPECT_EQ(defaults->port, 6379) << "the port defaults to 6379";
  EXPECT_EQ(defaults->db, 0) << "the database defaults to 0";
}

TEST(RedisStoreCreate, BadUrlErrorNamesTheValue) {
  struct Case {
    std::string url;
    std::string expected;
  };
  const Case cases[] = {
      {"http://127.0.0.1:6379", "must start with redis://"},
      {"redis://127.0.0.1:notaport", "port \"notaport\""},
      {"redis://127.0.0.1:70000", "port \"70000\""},
      {"redis://127.0.0.1:", "port \"\""},
      {"redis://", "host is missing"},
      {"redis://:secret@127.0.0.1:6379", "credentials"},
      {"redis://127.0.0.1:6379/x", "database \"x\""},
  };
  for (const Case& c : cases) {
    std::string error;
    auto store = RedisStore::Create({.url = c.url}, &error);
    EXPECT_EQ(store, nullptr) << c.url << " must be rejected";
    EXPECT_NE(error.find("\"" + c.url + "\""), std::string::npos)
        << "the error must quote the URL " << c.url << "; got: " << error;
    EXPECT_NE(error.find(c.expected), std::string::npos)
        << "the error for " << c.url << " must say " << c.expected
        << "; got: " << error;
  }
}

TEST(RedisStoreCreate, RejectsNonPositiveTimeout) {
  std::string error;
  auto store = RedisStore::Create({.command_timeout = milliseconds(0)},
                                  &error);
  EXPECT_EQ(store, nullptr);
  EXPECT_NE(error.find("command_timeout is 0 ms"), std::string::npos)
      << error;
}

TEST(RedisStoreCreate, NameIsTheUrl) {
  std::string error;
  auto store = RedisStore::Create({.url = "redis://127.0.0.1:1"}, &error);
  ASSERT_NE(store, nullptr) << error;
  EXPECT_EQ(store->Name(), "redis://127.0.0.1:1");
}

// --- Each algorithm's contract ---------------------------------------------

TEST_F(RedisStoreTest, FixedWindowCountsPerWindow) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kFixedWindow, Quota::PerSecond(3));
  const Nanos at = kT0 + 100 * kMilli;

  for (int i = 0; i < 3; ++i) {
    RedisDecision d = Decide(*store, limit, "k", at);
    ASSERT_EQ(RedisOutcomeName(d.outcome), "decided"sv) << d.error;
    EXPECT_TRUE(d.decision.allowed) << "request " << i + 1 << " of 3";
    EXPECT_EQ(d.decision.decisions[0].remaining, 2 - i);
    EXPECT_EQ(d.decision.decisions[0].limit, 3);
  }
  RedisDecision fourth = Decide(*store, limit, "k", at);
  EXPECT_FALSE(fourth.decision.allowed) << "the 4th request in a window of 3";
  EXPECT_EQ(fourth.decision.decisions[0].retry_after, 900 * kMilli)
      << "the window ends 900 ms later";
  EXPECT_EQ(fourth.decision.decisions[0].reset_after, 900 * kMilli);

  EXPECT_TRUE(Decide(*store, limit, "k", kT0 + kSecond).decision.allowed)
      << "a new window starts with a zero count";
}

TEST_F(RedisStoreTest, FixedWindowAdmitsTwiceTheLimitAcrossABoundary) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kFixedWindow, Quota::PerSecond(3));

  int allowed = 0;
  for (int i = 0; i < 3; ++i) {
    allowed += Decide(*store, limit, "k", kT0 + 900 * kMilli).decision.allowed;
    allowed += Decide(*store, limit, "k", kT0 + kSecond).decision.allowed;
  }
  EXPECT_EQ(allowed, 6) << "a fixed window admits 2 * limit within 100 ms "
                           "that straddle a window boundary";
}

TEST_F(RedisStoreTest, SlidingLogExpiresEntriesAfterOnePeriod) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kSlidingLog, Quota::PerSecond(3));

  for (Nanos offset : {0 * kMilli, 200 * kMilli, 400 * kMilli}) {
    RedisDecision d = Decide(*store, limit, "k", kT0 + offset);
    ASSERT_EQ(RedisOutcomeName(d.outcome), "decided"sv) << d.error;
    EXPECT_TRUE(d.decision.allowed) << "request at +" << offset / kMilli
                                    << " ms";
  }
  RedisDecision rejected = Decide(*store, limit, "k", kT0 + 500 * kMilli);
  EXPECT_FALSE(rejected.decision.allowed) << "a 4th request within 1 s";
  EXPECT_EQ(rejected.decision.decisions[0].retry_after, 500 * kMilli)
      << "the oldest entry (+0 ms) leaves the window at +1000 ms";
  EXPECT_EQ(rejected.decision.decisions[0].reset_after, 900 * kMilli)
      << "the newest entry (+400 ms) leaves the window at +1400 ms";

  EXPECT_FALSE(Decide(*store, limit, "k", kT0 + kSecond - kMicro)
                   .decision.allowed)
      << "1 us before the oldest entry is one period old, it still counts";
  EXPECT_TRUE(Decide(*store, limit, "k", kT0 + kSecond).decision.allowed)
      << "an entry exactly one period old has left the window";
}

TEST_F(RedisStoreTest, SlidingLogCapsEverySpanOfOnePeriod) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kSlidingLog, Quota::PerSecond(3));

  int allowed = 0;
  for (int i = 0; i < 3; ++i) {
    allowed += Decide(*store, limit, "k", kT0 + 900 * kMilli).decision.allowed;
    allowed += Decide(*store, limit, "k", kT0 + kSecond).decision.allowed;
  }
  EXPECT_EQ(allowed, 3) << "the sliding log admits at most the limit in any "
                           "span of one period, even across a boundary";
}

TEST_F(RedisStoreTest, GcraBurstIsTheCap) {
  auto store = MakeStore();
  for (Algorithm algorithm : {Algorithm::kGcra, Algorithm::kTokenBucket}) {
    Limit limit = MakeLimit("api", algorithm, Quota::PerSecond(5));
    std::string key = NameOf(algorithm);

    for (int i = 0; i < 5; ++i) {
      RedisDecision d = Decide(*store, limit, key, kT0);
      ASSERT_EQ(RedisOutcomeName(d.outcome), "decided"sv) << d.error;
      EXPECT_TRUE(d.decision.allowed) << key << ": request " << i + 1;
      EXPECT_EQ(d.decision.decisions[0].remaining, 4 - i) << key;
      EXPECT_EQ(d.decision.decisions[0].limit, 5) << key;
    }
    EXPECT_FALSE(Decide(*store, limit, key, kT0).decision.allowed)
        << key << ": the 6th request at once exceeds the burst of 5";

    int allowed = 0;
    for (int i = 0; i < 6; ++i) {
      allowed += Decide(*store, limit, key, kT0 + 3 * kSecond).decision.allowed;
    }
    EXPECT_EQ(allowed, 5)
        << key << ": after 2 s idle the bucket holds exactly the burst (5)";
  }
}

TEST_F(RedisStoreTest, GcraWaitCountsPartialRefill) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kGcra, Quota::PerSecond(1));

  ASSERT_TRUE(Decide(*store, limit, "k", kT0).decision.allowed);
  RedisDecision d = Decide(*store, limit, "k", kT0 + 200 * kMilli);
  EXPECT_FALSE(d.decision.allowed);
  EXPECT_EQ(d.decision.decisions[0].retry_after, 800 * kMilli)
      << "200 ms after emptying a 1/s bucket, the wait is exactly 800 ms";
  EXPECT_TRUE(Decide(*store, limit, "k", kT0 + kSecond).decision.allowed)
      << "a client that waits the advertised time is allowed";
}

TEST_F(RedisStoreTest, GcraTimeGoingBackMintsNothing) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kGcra, Quota::PerSecond(1));

  EXPECT_TRUE(Decide(*store, limit, "k", kT0 + 10 * kSecond).decision.allowed);
  EXPECT_FALSE(Decide(*store, limit, "k", kT0 + 9 * kSecond).decision.allowed)
      << "an older timestamp finds the bucket empty";
  EXPECT_FALSE(Decide(*store, limit, "k", kT0 + 10 * kSecond).decision.allowed)
      << "after an older timestamp, t = 10 s must still be rejected";
}

TEST_F(RedisStoreTest, GcraLongIdleDoesNotOverflow) {
  auto store = MakeStore();
  const std::int64_t billion = 1'000'000'000;
  Limit limit = MakeLimit("api", Algorithm::kGcra,
                          Quota{billion, kSecond, billion});

  ASSERT_TRUE(Decide(*store, limit, "k", kT0).decision.allowed);
  RedisDecision d =
      Decide(*store, limit, "k", kT0 + 30LL * 24 * 3600 * kSecond);
  ASSERT_EQ(RedisOutcomeName(d.outcome), "decided"sv) << d.error;
  EXPECT_TRUE(d.decision.allowed) << "after 30 days idle";
  EXPECT_EQ(d.decision.decisions[0].remaining, billion - 1)
      << "a full bucket of 10^9 minus this request";
}

TEST_F(RedisStoreTest, GcraRefillIsExact) {
  auto store = MakeStore();

  // 10 per 13 s: one token every 1.3 s.
  Limit odd = MakeLimit("odd", Algorithm::kGcra, Quota{10, 13 * kSecond, 1});
  ASSERT_TRUE(Decide(*store, odd, "k", kT0).decision.allowed);
  RedisDecision early = Decide(*store, odd, "k", kT0 + 1300 * kMilli - kMicro);
  EXPECT_FALSE(early.decision.allowed) << "1 us before 1.3 s";
  EXPECT_EQ(early.decision.decisions[0].retry_after, kMicro);
  EXPECT_TRUE(Decide(*store, odd, "k", kT0 + 1300 * kMilli).decision.allowed)
      << "exactly 1.3 s after emptying, one token is back";

  // 1 per hour.
  Limit hourly = MakeLimit("hourly", Algorithm::kGcra, Quota{1, 3600 * kSecond, 1});
  ASSERT_TRUE(Decide(*store, hourly, "k", kT0).decision.allowed);
  EXPECT_FALSE(
      Decide(*store, hourly, "k", kT0 + 3600 * kSecond - kMicro).decision.allowed);
  EXPECT_TRUE(Decide(*store, hourly, "k", kT0 + 3600 * kSecond).decision.allowed)
      << "exactly one hour later";

  // 1 per 3 s, every 3 s: at 3 s, 6 s, 9 s ... and again near 10^6 s,
  // where a floating-point refill would have drifted. Each refill is
  // rejected 1 us early and allowed exactly on time.
  Limit slow = MakeLimit("slow", Algorithm::kGcra, Quota{1, 3 * kSecond, 1});
  constexpr std::int64_t kLastStep = 1'000'000 / 3;
  int wrong = 0;
  std::int64_t first_wrong = 0;
  for (std::int64_t first_step : {std::int64_t{1}, kLastStep - 999}) {
    // Empty the bucket one step before the chain of refills starts.
    ASSERT_TRUE(Decide(*store, slow, "k", kT0 + (first_step - 1) * 3 * kSecond)
                    .decision.allowed);
    for (std::int64_t k = first_step; k < first_step + 1000; ++k) {
      Nanos refill = kT0 + k * 3 * kSecond;
      bool early = Decide(*store, slow, "k", refill - kMicro).decision.allowed;
      bool on_time = Decide(*store, slow, "k", refill).decision.allowed;
      if ((early || !on_time) && wrong++ == 0) {
        first_wrong = k * 3;
      }
    }
  }
  EXPECT_EQ(wrong, 0) << "1 per 3 s must refill exactly every 3 s; first "
                         "wrong refill at "
                      << first_wrong << " s";
}

// --- Cases from public bug reports ----------------------------------------

TEST_F(RedisStoreTest, FixedWindowRepairsKeyWithoutTtl) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kFixedWindow, Quota::PerSecond(3));
  const Nanos at = kT0 + 500 * kMilli;
  const std::string window_key =
      RedisKey("rl:", "api", "k") + ":" + std::to_string(kT0 / kSecond);

  // A count above the limit with no expiry, as left by an INCR whose EXPIRE
  // never ran.
  ASSERT_TRUE(redis_.Command({"SET", window_key, "100"}).ok);
  ASSERT_EQ(redis_.Command({"PTTL", window_key}).integer, -1);

  RedisDecision d = Decide(*store, limit, "k", at);
  ASSERT_EQ(RedisOutcomeName(d.outcome), "decided"sv) << d.error;
  EXPECT_FALSE(d.decision.allowed) << "100 counted requests exceed the limit";
  long long ttl = redis_.Command({"PTTL", window_key}).integer;
  EXPECT_GT(ttl, 0) << "the decision must give the stale key an expiry";
  EXPECT_LE(ttl, 500) << "the expiry must end with the window, 500 ms away";

  EXPECT_TRUE(Decide(*store, limit, "k", kT0 + kSecond).decision.allowed)
      << "the next window is allowed";
  std::this_thread::sleep_for(milliseconds(600));
  EXPECT_EQ(redis_.Command({"EXISTS", window_key}).integer, 0)
      << "the repaired key must have expired on the server";
  EXPECT_TRUE(Decide(*store, limit, "k", at).decision.allowed)
      << "once the stale key expired, its window admits requests again";
}

TEST_F(RedisStoreTest, FixedWindowRepairKeepsTheCount) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kFixedWindow, Quota::PerSecond(3));
  const std::string window_key =
      RedisKey("rl:", "api", "k") + ":" + std::to_string(kT0 / kSecond);
  ASSERT_TRUE(redis_.Command({"SET", window_key, "100"}).ok);

  RedisDecision d = Decide(*store, limit, "k", kT0 + 500 * kMilli);
  ASSERT_EQ(RedisOutcomeName(d.outcome), "decided"sv) << d.error;
  EXPECT_FALSE(d.decision.allowed) << "100 counted requests exceed the limit";
  EXPECT_EQ(redis_.Command({"GET", window_key}).text, "100")
      << "the rejected request must leave the stale count at 100";
}

// A request over two limits reads every count before writing, so it takes
// another path than a request over one limit.
TEST_F(RedisStoreTest, FixedWindowTwoLimitsRepairKeyWithoutTtl) {
  auto store = MakeStore();
  Limit group = MakeLimit("group", Algorithm::kFixedWindow,
                          Quota::PerSecond(10));
  Limit route = MakeLimit("route", Algorithm::kFixedWindow,
                          Quota::PerSecond(3));
  const std::string route_key =
      RedisKey("rl:", "route", "k") + ":" + std::to_string(kT0 / kSecond);
  ASSERT_TRUE(redis_.Command({"SET", route_key, "100"}).ok);

  const LimitRequest both[] = {{"k", &group, 1}, {"k", &route, 1}};
  RedisDecision d = store->DecideAllWithOutcome(both, kT0 + 500 * kMilli);
  ASSERT_EQ(RedisOutcomeName(d.outcome), "decided"sv) << d.error;
  EXPECT_FALSE(d.decision.allowed) << "the route key counts 100 of 3";
  long long ttl = redis_.Command({"PTTL", route_key}).integer;
  EXPECT_GT(ttl, 0) << "the decision must give the stale key an expiry";
  EXPECT_LE(ttl, 500) << "the expiry must end with the window, 500 ms away";
  EXPECT_EQ(redis_.Command({"GET", route_key}).text, "100")
      << "the rejected request must leave the stale count at 100";
}

TEST_F(RedisStoreTest, FixedWindowRejectedLeavesCountUnchanged) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kFixedWindow,
                          Quota{5, 60 * kSecond, 5});
  const std::string window_key =
      RedisKey("rl:", "api", "k") + ":" + std::to_string(kT0 / (60 * kSecond));
  const Nanos at = kT0 + 10 * kSecond;

  ASSERT_TRUE(Decide(*store, limit, "k", at, 4).decision.allowed)
      << "a cost of 4 fits in a limit of 5";
  long long ttl_before = redis_.Command({"PTTL", window_key}).integer;
  ASSERT_GT(ttl_before, 0) << "the first request must give its key an expiry";

  RedisDecision rejected = Decide(*store, limit, "k", at, 2);
  ASSERT_EQ(RedisOutcomeName(rejected.outcome), "decided"sv)
      << rejected.error;
  EXPECT_FALSE(rejected.decision.allowed) << "4 + 2 exceeds the limit of 5";
  EXPECT_EQ(rejected.decision.decisions[0].remaining, 1)
      << "a rejected request reports what was left before it: 1 of 5";
  EXPECT_EQ(rejected.decision.decisions[0].retry_after, 50 * kSecond)
      << "the window ends 50 s later";
  EXPECT_EQ(redis_.Command({"GET", window_key}).text, "4")
      << "the rejected cost of 2 must not stay counted";
  long long ttl_after = redis_.Command({"PTTL", window_key}).integer;
  EXPECT_GT(ttl_after, 0) << "the rejected request must keep the expiry";
  EXPECT_LE(ttl_after, 50'000) << "the expiry must end with the window";

  RedisDecision last = Decide(*store, limit, "k", at, 1);
  EXPECT_TRUE(last.decision.allowed) << "a cost of 1 still fits: 4 + 1 = 5";
  EXPECT_EQ(last.decision.decisions[0].remaining, 0)
      << "the window is full after 4 + 1";
}

TEST_F(RedisStoreTest, FixedWindowCostAboveLimitNeverFits) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kFixedWindow, Quota::PerSecond(3));

  RedisDecision d = Decide(*store, limit, "k", kT0, 4);
  ASSERT_EQ(RedisOutcomeName(d.outcome), "decided"sv) << d.error;
  EXPECT_FALSE(d.decision.allowed) << "a cost of 4 exceeds a limit of 3";
  EXPECT_EQ(d.decision.decisions[0].retry_after, kNever)
      << "waiting cannot help a cost above the limit";
  EXPECT_EQ(d.decision.decisions[0].remaining, 3)
      << "the rejected request consumed nothing";
  EXPECT_EQ(redis_.Command({"EXISTS", RedisKey("rl:", "api", "k") + ":" +
                                          std::to_string(kT0 / kSecond)})
                .integer,
            0)
      << "a request that can never fit must not create a key";
}

TEST_F(RedisStoreTest, SlidingLogCountsEqualTimestamps) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kSlidingLog, Quota::PerSecond(3));

  int allowed = 0;
  for (int i = 0; i < 5; ++i) {
    allowed += Decide(*store, limit, "k", kT0).decision.allowed;
  }
  EXPECT_EQ(allowed, 3) << "5 requests at one timestamp count as 5";
  EXPECT_EQ(redis_.Command({"ZCARD", RedisKey("rl:", "api", "k")}).integer, 3)
      << "the log holds one entry per allowed request";

  EXPECT_TRUE(Decide(*store, limit, "k2", kT0, 2).decision.allowed);
  EXPECT_FALSE(Decide(*store, limit, "k2", kT0, 2).decision.allowed)
      << "a cost of 2 logs 2 entries, so a second cost of 2 exceeds 3";
}

class RedisStoreAlgorithmTest
    : public RedisStoreTest,
      public ::testing::WithParamInterface<Algorithm> {};

TEST_P(RedisStoreAlgorithmTest, RejectedRequestConsumesNothing) {
  auto store = MakeStore();
  Limit group = MakeLimit("group", GetParam(), Quota{10, 60 * kSecond, 10});
  Limit route = MakeLimit("route", GetParam(), Quota{3, 60 * kSecond, 3});
  const LimitRequest both[] = {{"client", &group, 1}, {"client", &route, 1}};

  int allowed = 0;
  for (int i = 0; i < 5; ++i) {
    RedisDecision d = store->DecideAllWithOutcome(both, kT0);
    ASSERT_EQ(RedisOutcomeName(d.outcome), "decided"sv) << d.error;
    allowed += d.decision.allowed;
    if (!d.decision.allowed) {
      EXPECT_TRUE(d.decision.decisions[0].allowed)
          << "the group limit alone would allow call " << i + 1;
      EXPECT_FALSE(d.decision.decisions[1].allowed);
      EXPECT_EQ(d.decision.deciding, 1u) << "the route limit decided";
    }
  }
  EXPECT_EQ(allowed, 3) << "the route limit of 3 allows 3 of 5 calls";

  RedisDecision group_only = Decide(*store, group, "client", kT0);
  EXPECT_TRUE(group_only.decision.allowed);
  EXPECT_EQ(group_only.decision.decisions[0].remaining, 6)
      << "the group had 7 left, not 5: the 2 rejected calls consumed nothing";
}

TEST_P(RedisStoreAlgorithmTest, EveryKeyHasATtl) {
  auto store = MakeStore({});  // the server's own TIME
  Limit a = MakeLimit("a", GetParam(), Quota{5, 2 * kSecond, 5});
  Limit b = MakeLimit("b", GetParam(), Quota{2, 2 * kSecond, 2});
  const LimitRequest both[] = {{"client", &a, 1}, {"client", &b, 1}};
  for (int i = 0; i < 4; ++i) {
    RedisDecision d = store->DecideAllWithOutcome(both, 0);
    ASSERT_EQ(RedisOutcomeName(d.outcome), "decided"sv) << d.error;
    Decide(*store, a, "other", 0);
  }

  RedisReply keys = redis_.Command({"KEYS", "rl:*"});
  ASSERT_TRUE(keys.ok) << keys.error;
  EXPECT_GE(keys.elements.size(), 3u) << "a:client, b:client and a:other";
  for (const std::string& key : keys.elements) {
    long long ttl = redis_.Command({"PTTL", key}).integer;
    EXPECT_GT(ttl, 0) << key << " must have an expiry";
    EXPECT_LE(ttl, 2000) << key << " must not outlive its 2 s period";
  }
}

TEST_P(RedisStoreAlgorithmTest, TwoStoresShareOneLimitExactly) {
  auto first = MakeStore();
  auto second = MakeStore();
  Limit limit = MakeLimit("shared", GetParam(), Quota{50, 60 * kSecond, 50});

  std::atomic<int> allowed{0};
  std::atomic<int> undecided{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    RedisStore& store = t % 2 == 0 ? *first : *second;
    threads.emplace_back([&] {
      for (int i = 0; i < 40; ++i) {
        RedisDecision d = Decide(store, limit, "client", kT0);
        allowed += d.decision.allowed;
        undecided += d.outcome != RedisOutcome::kDecided;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(undecided.load(), 0);
  EXPECT_EQ(allowed.load(), 50)
      << "320 attempts through two stores share one limit of 50";
}

INSTANTIATE_TEST_SUITE_P(Scripts, RedisStoreAlgorithmTest,
                         ::testing::Values(Algorithm::kFixedWindow,
                                           Algorithm::kSlidingLog,
                                           Algorithm::kGcra,
                                           Algorithm::kTokenBucket),
                         [](const auto& info) {
                           return NameOf(info.param);
                         });

// --- Scripts, outages and errors --------------------------------------------

TEST_F(RedisStoreTest, ReloadsScriptsAfterScriptFlush) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kGcra, Quota::PerSecond(1));
  ASSERT_TRUE(Decide(*store, limit, "k", kT0).decision.allowed);
  const std::int64_t loads = store->stats().script_loads;

  ASSERT_TRUE(redis_.Command({"SCRIPT", "FLUSH"}).ok);
  RedisDecision d = Decide(*store, limit, "k", kT0);
  EXPECT_EQ(RedisOutcomeName(d.outcome), "decided"sv)
      << "NOSCRIPT must be answered by loading the script again: " << d.error;
  EXPECT_FALSE(d.decision.allowed) << "the key's state survived the flush";
  EXPECT_EQ(store->stats().script_loads, loads + 1)
      << "exactly one SCRIPT LOAD after the flush";
}

TEST_F(RedisStoreTest, FailOpenWhileServerIsDown) {
  auto store = MakeStore({.failure_policy = FailurePolicy::kFailOpen,
                          .use_caller_time = true});
  Limit limit = MakeLimit("api", Algorithm::kGcra, Quota::PerSecond(1));
  ASSERT_EQ(RedisOutcomeName(Decide(*store, limit, "k", kT0).outcome), "decided"sv);

  redis_.Stop();
  for (int i = 0; i < 3; ++i) {
    RedisDecision d = Decide(*store, limit, "k", kT0);
    EXPECT_EQ(RedisOutcomeName(d.outcome), "unavailable"sv);
    EXPECT_TRUE(d.decision.allowed) << "fail open allows while Redis is down";
  }

  ASSERT_TRUE(redis_.Start()) << redis_.error();
  EXPECT_EQ(RedisOutcomeName(WaitUntilDecided(*store, limit)), "decided"sv)
      << "the store must reconnect once Redis is back";
}

TEST_F(RedisStoreTest, FailClosedWhileServerIsDown) {
  auto store = MakeStore({.failure_policy = FailurePolicy::kFailClosed,
                          .unavailable_retry_after = milliseconds(1500),
                          .use_caller_time = true});
  Limit limit = MakeLimit("api", Algorithm::kSlidingLog, Quota::PerSecond(1));
  ASSERT_EQ(RedisOutcomeName(Decide(*store, limit, "k", kT0).outcome), "decided"sv);

  redis_.Stop();
  RedisDecision d = Decide(*store, limit, "k2", kT0);
  EXPECT_EQ(RedisOutcomeName(d.outcome), "unavailable"sv);
  EXPECT_FALSE(d.decision.allowed) << "fail closed rejects while Redis is down";
  EXPECT_EQ(d.decision.decisions[0].retry_after, 1500 * kMilli)
      << "the rejection advertises unavailable_retry_after";
  EXPECT_GE(store->stats().unavailable, 1);

  ASSERT_TRUE(redis_.Start()) << redis_.error();
  EXPECT_EQ(RedisOutcomeName(WaitUntilDecided(*store, limit)), "decided"sv)
      << "the store must reconnect once Redis is back";
  EXPECT_TRUE(Decide(*store, limit, "k2", kT0).decision.allowed)
      << "the restarted server is empty, so k2 starts full";
}

TEST_F(RedisStoreTest, CommandTimeoutIsBounded) {
  auto store = MakeStore({.command_timeout = milliseconds(100),
                          .failure_policy = FailurePolicy::kFailClosed,
                          .use_caller_time = true});
  Limit limit = MakeLimit("api", Algorithm::kGcra, Quota::PerSecond(100));
  ASSERT_EQ(RedisOutcomeName(Decide(*store, limit, "k", kT0).outcome), "decided"sv);

  // Hold every client's commands for 1 s, as a stalled server would.
  ASSERT_TRUE(redis_.Command({"CLIENT", "PAUSE", "1000", "ALL"}).ok);
  auto start = std::chrono::steady_clock::now();
  RedisDecision d = Decide(*store, limit, "k", kT0);
  auto elapsed = std::chrono::duration_cast<milliseconds>(
      std::chrono::steady_clock::now() - start);

  EXPECT_EQ(RedisOutcomeName(d.outcome), "unavailable"sv) << d.error;
  EXPECT_NE(d.error.find("timed out"), std::string::npos) << d.error;
  EXPECT_FALSE(d.decision.allowed) << "fail closed";
  EXPECT_GE(elapsed.count(), 90) << "it waited for the command timeout";
  EXPECT_LT(elapsed.count(), 100 + 400)
      << "a 100 ms command timeout must bound the decision (400 ms margin)";

  EXPECT_EQ(RedisOutcomeName(WaitUntilDecided(*store, limit)), "decided"sv)
      << "the store must recover once the pause ends";
}

TEST_F(RedisStoreTest, ScriptErrorRejectsEvenWhenFailingOpen) {
  auto store = MakeStore({.failure_policy = FailurePolicy::kFailOpen,
                          .use_caller_time = true});
  Limit limit = MakeLimit("api", Algorithm::kGcra, Quota::PerSecond(5));

  // A string where the script expects a hash makes HMGET fail in Lua.
  ASSERT_TRUE(redis_.Command({"SET", RedisKey("rl:", "api", "k"), "x"}).ok);
  RedisDecision d = Decide(*store, limit, "k", kT0);
  EXPECT_EQ(RedisOutcomeName(d.outcome), "script_error"sv)
      << "a script error is not an outage";
  EXPECT_FALSE(d.decision.allowed) << "a failing script must never allow";
  EXPECT_NE(d.error.find("WRONGTYPE"), std::string::npos) << d.error;
  EXPECT_EQ(store->stats().script_errors, 1);
  EXPECT_EQ(store->stats().unavailable, 0);
}

TEST_F(RedisStoreTest, UnsupportedRequestsAreRejectedWithReason) {
  auto store = MakeStore();
  Limit counter =
      MakeLimit("counter", Algorithm::kSlidingCounter, Quota::PerSecond(5));
  Limit window = MakeLimit("window", Algorithm::kFixedWindow, Quota::PerSecond(5));
  Limit bucket = MakeLimit("bucket", Algorithm::kGcra, Quota::PerSecond(5));
  Limit odd = MakeLimit("odd", Algorithm::kGcra, Quota{5, 1500, 5});

  RedisDecision d = Decide(*store, counter, "k", kT0);
  EXPECT_EQ(RedisOutcomeName(d.outcome), "invalid_request"sv);
  EXPECT_FALSE(d.decision.allowed);
  EXPECT_NE(d.error.find("sliding_counter"), std::string::npos) << d.error;

  const LimitRequest mixed[] = {{"k", &window, 1}, {"k", &bucket, 1}};
  d = store->DecideAllWithOutcome(mixed, kT0);
  EXPECT_EQ(RedisOutcomeName(d.outcome), "invalid_request"sv);
  EXPECT_NE(d.error.find("\"window\" (fixed_window)"), std::string::npos)
      << d.error;
  EXPECT_NE(d.error.find("\"bucket\" (gcra)"), std::string::npos) << d.error;

  d = Decide(*store, odd, "k", kT0);
  EXPECT_EQ(RedisOutcomeName(d.outcome), "invalid_request"sv);
  EXPECT_NE(d.error.find("period 1500 ns"), std::string::npos) << d.error;

  d = Decide(*store, bucket, "k", kT0, 0);
  EXPECT_EQ(RedisOutcomeName(d.outcome), "invalid_request"sv);
  EXPECT_NE(d.error.find("cost 0"), std::string::npos) << d.error;
}

TEST_F(RedisStoreTest, DecideManyKeepsOrderInOnePipeline) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kSlidingLog, Quota{5, 60 * kSecond, 5});
  ASSERT_EQ(RedisOutcomeName(Decide(*store, limit, "warm-up", kT0).outcome),
            "decided"sv);
  const std::int64_t round_trips = store->stats().round_trips;

  std::vector<LimitRequest> requests(8, LimitRequest{"k", &limit, 1});
  std::vector<RedisDecision> results = store->DecideMany(requests, kT0);
  ASSERT_EQ(results.size(), 8u);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(RedisOutcomeName(results[i].outcome), "decided"sv) << results[i].error;
    EXPECT_EQ(results[i].decision.allowed, i < 5)
        << "request " << i + 1 << " of 8 against a limit of 5, in order";
  }
  EXPECT_EQ(store->stats().round_trips, round_trips + 1)
      << "8 requests in one pipeline cost one round trip";
}

// Fixed-window and GCRA decisions of one pipeline run in one batched script
// call. Each decision must still see the ones before it, keys must not mix,
// and a reply must reach the request it belongs to.
TEST_F(RedisStoreTest, DecideManyBatchesInOrder) {
  for (Algorithm algorithm : {Algorithm::kFixedWindow, Algorithm::kGcra}) {
    SCOPED_TRACE(NameOf(algorithm));
    auto store = MakeStore();
    Limit limit = MakeLimit("batch-" + NameOf(algorithm), algorithm,
                            Quota{5, 60 * kSecond, 5});
    ASSERT_EQ(RedisOutcomeName(Decide(*store, limit, "warm-up", kT0).outcome),
              "decided"sv);
    const std::int64_t round_trips = store->stats().round_trips;

    // 16 requests alternate between keys "a" and "b"; the last asks for 3.
    std::vector<LimitRequest> requests;
    for (int i = 0; i < 16; ++i) {
      requests.push_back(LimitRequest{i % 2 == 0 ? "a" : "b", &limit, 1});
    }
    requests.push_back(LimitRequest{"c", &limit, 3});
    std::vector<RedisDecision> results = store->DecideMany(requests, kT0);
    ASSERT_EQ(results.size(), requests.size());
    for (int i = 0; i < 16; ++i) {
      ASSERT_EQ(RedisOutcomeName(results[i].outcome), "decided"sv)
          << results[i].error;
      const int nth_of_key = i / 2 + 1;
      EXPECT_EQ(results[i].decision.allowed, nth_of_key <= 5)
          << "request " << nth_of_key << " of key " << requests[i].key
          << " against a limit of 5";
      if (nth_of_key <= 5) {
        EXPECT_EQ(results[i].decision.decisions[0].remaining, 5 - nth_of_key)
            << "request " << nth_of_key << " of key " << requests[i].key;
      }
    }
    EXPECT_TRUE(results[16].decision.allowed) << "key c is new";
    EXPECT_EQ(results[16].decision.decisions[0].remaining, 2)
        << "key c's one request of cost 3 leaves 2 of 5";
    EXPECT_EQ(store->stats().round_trips, round_trips + 1)
        << "17 requests in one pipeline cost one round trip";
  }
}

// A request that lists the same fixed-window limit twice counts both costs.
TEST_F(RedisStoreTest, FixedWindowRepeatedLimitCountsBoth) {
  auto store = MakeStore();
  Limit limit = MakeLimit("api", Algorithm::kFixedWindow,
                          Quota{5, 60 * kSecond, 5});
  const LimitRequest twice[] = {{"k", &limit, 1}, {"k", &limit, 2}};
  RedisDecision d = store->DecideAllWithOutcome(twice, kT0);
  ASSERT_EQ(RedisOutcomeName(d.outcome), "decided"sv) << d.error;
  ASSERT_TRUE(d.decision.allowed);

  RedisDecision after = Decide(*store, limit, "k", kT0);
  ASSERT_EQ(RedisOutcomeName(after.outcome), "decided"sv) << after.error;
  EXPECT_EQ(after.decision.decisions[0].remaining, 1)
      << "1 + 2 counted before, 1 now: 1 of 5 left";
}

// --- Concurrency (also run under ThreadSanitizer) ---------------------------

class RedisStoreConcurrency : public RedisStoreTest {};

TEST_F(RedisStoreConcurrency, ManyThreadsSharePipelines) {
  auto store = MakeStore();
  Limit shared = MakeLimit("shared", Algorithm::kGcra, Quota{1000, 3600 * kSecond, 1000});
  Limit own = MakeLimit("own", Algorithm::kSlidingLog, Quota{150, 3600 * kSecond, 150});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;

  std::atomic<int> shared_allowed{0};
  std::atomic<int> undecided{0};
  std::vector<int> own_allowed(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string key = "thread-" + std::to_string(t);
      for (int i = 0; i < kPerThread; ++i) {
        RedisDecision a = Decide(*store, shared, "everyone", kT0);
        RedisDecision b = Decide(*store, own, key, kT0);
        shared_allowed += a.decision.allowed;
        own_allowed[t] += b.decision.allowed;
        undecided += (a.outcome != RedisOutcome::kDecided) +
                     (b.outcome != RedisOutcome::kDecided);
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }

  EXPECT_EQ(undecided.load(), 0);
  EXPECT_EQ(shared_allowed.load(), 1000)
      << "1600 attempts on one key with a burst of 1000";
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(own_allowed[t], 150) << "thread " << t << "'s own key";
  }
  RedisStoreStats stats = store->stats();
  EXPECT_EQ(stats.calls, 2 * kThreads * kPerThread);
  EXPECT_LT(stats.round_trips, stats.calls)
      << "concurrent callers must share round trips";
}

}  // namespace
}  // namespace rl
