// Exercise tests for KeyedStore: the per-key store with sharded locks, LRU
// eviction and all-or-nothing multi-limit decisions.
//
// Times are plain nanosecond values passed to the store; no test reads a
// real clock. A watchdog ends the program if one test runs longer than
// 20 s, so a deadlock fails the exercise instead of hanging it.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "rate_limiter/keyed_store.h"
#include "rate_limiter/quota.h"

namespace {

constexpr rl::Nanos kSecond = rl::kNanosPerSecond;
constexpr rl::Nanos kMinute = 60 * kSecond;
constexpr rl::Nanos kHour = 60 * kMinute;

constexpr rl::Algorithm kAllAlgorithms[] = {
    rl::Algorithm::kFixedWindow, rl::Algorithm::kSlidingLog,
    rl::Algorithm::kSlidingCounter, rl::Algorithm::kTokenBucket,
    rl::Algorithm::kGcra};

// Watchdog ends the program when it lives longer than `limit`.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit)
      : thread_([this, limit] { Watch(limit); }) {}

  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    done_changed_.notify_one();
    thread_.join();
  }

 private:
  void Watch(std::chrono::seconds limit) {
    std::unique_lock<std::mutex> lock(mu_);
    if (done_changed_.wait_for(lock, limit, [this] { return done_; })) return;

    const testing::TestInfo* test =
        testing::UnitTest::GetInstance()->current_test_info();
    std::fprintf(stderr,
                 "%s did not finish within %lld s. A thread is probably "
                 "waiting forever for a mutex: std::mutex is not recursive, "
                 "so code that holds a shard's lock must not call a method "
                 "that locks it again, and DecideAll must lock its shards "
                 "in ascending index order.\n",
                 test != nullptr ? test->name() : "A test",
                 static_cast<long long>(limit.count()));
    std::fflush(stderr);
    std::_Exit(1);
  }

  std::mutex mu_;
  std::condition_variable done_changed_;
  bool done_ = false;
  std::thread thread_;  // Last, so it starts after the fields it reads.
};

class KeyedStoreTest : public testing::Test {
 protected:
  // api allows 5 per second with a burst of 5.
  const rl::Limit api_{"api", rl::Algorithm::kTokenBucket,
                       rl::Quota::PerSecond(5)};

 private:
  Watchdog watchdog_{std::chrono::seconds(20)};
};

// Left returns how many unit-cost requests `key` could still make under
// `limit` at `now`, without consuming any.
std::int64_t Left(rl::KeyedStore& store, std::string_view key,
                  const rl::Limit& limit, rl::Nanos now) {
  rl::Decision d = store.Peek(key, limit, now);
  return d.allowed ? d.remaining + 1 : 0;
}

TEST_F(KeyedStoreTest, NewKeyStartsFull) {
  rl::KeyedStore store;

  rl::Decision first = store.Decide("203.0.113.7", api_, 0);
  EXPECT_TRUE(first.allowed)
      << "the first request of a new key must be allowed: a new key starts "
         "full";
  EXPECT_EQ(first.remaining, 4)
      << "a new key under 5 per second starts with 5, so after one request "
         "4 must remain";
  EXPECT_EQ(store.size(), 1u) << "Decide on a new key must create one entry";

  rl::Decision late = store.Decide("198.51.100.2", api_, 1'000'000 * kSecond);
  EXPECT_TRUE(late.allowed)
      << "a key first seen at t = 1,000,000 s must also start full";
  EXPECT_EQ(late.remaining, 4)
      << "a key first seen at t = 1,000,000 s must have 4 left after one "
         "request";
}

TEST_F(KeyedStoreTest, PeekNeitherConsumesNorCreates) {
  rl::KeyedStore store;

  for (int i = 0; i < 10; ++i) {
    rl::Decision peeked = store.Peek("alice", api_, 0);
    ASSERT_TRUE(peeked.allowed)
        << "Peek on a new key must show it allowed (peek #" << i + 1 << ")";
    ASSERT_EQ(peeked.remaining, 4)
        << "Peek must show 4 remaining after the peeked request, every time, "
           "because Peek consumes nothing (peek #"
        << i + 1 << ")";
  }
  EXPECT_EQ(store.size(), 0u) << "Peek must not create an entry";

  rl::Decision decided = store.Decide("alice", api_, 0);
  EXPECT_EQ(decided.remaining, 4)
      << "after 10 peeks the first Decide must still leave 4 of 5";
}

TEST_F(KeyedStoreTest, KeysAreIndependent) {
  rl::KeyedStore store;

  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(store.Decide("alice", api_, 0).allowed)
        << "request " << i << " of 5 for alice must be allowed";
  }
  EXPECT_FALSE(store.Decide("alice", api_, 0).allowed)
      << "alice's sixth request in the same instant must be rejected";

  rl::Decision bob = store.Decide("bob", api_, 0);
  EXPECT_TRUE(bob.allowed)
      << "bob must be allowed: alice using up her quota must not touch his";
  EXPECT_EQ(bob.remaining, 4)
      << "bob's first request must leave him 4 of 5, whatever alice did";
  EXPECT_EQ(store.size(), 2u) << "two keys must make two entries";
}

TEST_F(KeyedStoreTest, LimitsAreIndependentForOneKey) {
  rl::KeyedStore store;
  rl::Limit login{"login", rl::Algorithm::kFixedWindow,
                  rl::Quota{2, kMinute, 2}};

  ASSERT_TRUE(store.Decide("alice", login, 0).allowed)
      << "alice's first login must be allowed";
  ASSERT_TRUE(store.Decide("alice", login, 0).allowed)
      << "alice's second login must be allowed (2 per minute)";
  EXPECT_FALSE(store.Decide("alice", login, 0).allowed)
      << "alice's third login in the same minute must be rejected";

  rl::Decision api_call = store.Decide("alice", api_, 0);
  EXPECT_TRUE(api_call.allowed)
      << "the same key under another limit (\"api\") must have its own "
         "state: alice's logins must not use up her API quota";
  EXPECT_EQ(api_call.remaining, 4)
      << "alice's first API call must leave 4 of 5";
  EXPECT_EQ(store.size(), 2u)
      << "one key under two limits must make two entries";
}

TEST_F(KeyedStoreTest, OverrideGivesKeyItsOwnQuota) {
  rl::KeyedStore store;
  store.SetOverride("api", "premium", rl::Quota::PerSecond(20));

  for (int i = 1; i <= 20; ++i) {
    ASSERT_TRUE(store.Decide("premium", api_, 0).allowed)
        << "request " << i << " of 20 for the premium key must be allowed: "
        << "its override is 20 per second";
  }
  rl::Decision over = store.Decide("premium", api_, 0);
  EXPECT_FALSE(over.allowed)
      << "the premium key's 21st request must be rejected";
  EXPECT_EQ(over.limit, 20)
      << "decisions for the premium key must report its own limit, 20";

  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(store.Decide("basic", api_, 0).allowed)
        << "request " << i << " of 5 for a key without override must be "
        << "allowed";
  }
  EXPECT_FALSE(store.Decide("basic", api_, 0).allowed)
      << "a key without override must keep the limit's quota: its sixth "
         "request must be rejected";
}

TEST_F(KeyedStoreTest, OverrideStartsKeyFull) {
  rl::KeyedStore store;
  for (int i = 0; i < 5; ++i) store.Decide("alice", api_, 0);
  ASSERT_FALSE(store.Decide("alice", api_, 0).allowed)
      << "alice must be out of quota after 5 requests";

  store.SetOverride("api", "alice", rl::Quota::PerSecond(8));

  rl::Decision after = store.Decide("alice", api_, 0);
  EXPECT_TRUE(after.allowed)
      << "SetOverride must drop alice's old state, so she starts full under "
         "her new quota";
  EXPECT_EQ(after.remaining, 7)
      << "under her new quota of 8, alice's first request must leave 7";
}

TEST_F(KeyedStoreTest, OverrideAppliesOnlyToItsLimit) {
  rl::KeyedStore store;
  rl::Limit login{"login", rl::Algorithm::kFixedWindow,
                  rl::Quota{2, kMinute, 2}};
  store.SetOverride("api", "alice", rl::Quota::PerSecond(20));

  rl::Decision d = store.Decide("alice", login, 0);
  EXPECT_EQ(d.limit, 2)
      << "an override set for limit \"api\" must not change alice's "
         "\"login\" limit of 2";
}

// A client has a group limit of 10 per minute and a route limit of 3 per
// minute. Five calls: 3 allowed, 2 rejected, and the group then has 7 left,
// not 5, because a rejected request consumes nothing from any limit.
TEST_F(KeyedStoreTest, RejectedDecideAllConsumesNothing) {
  for (rl::Algorithm algorithm : kAllAlgorithms) {
    for (bool route_first : {false, true}) {
      SCOPED_TRACE(std::string("algorithm ") +
                   std::string(rl::AlgorithmName(algorithm)) +
                   (route_first ? ", route limit listed first"
                                : ", group limit listed first"));
      rl::KeyedStore store;
      rl::Limit group{"group", algorithm, rl::Quota{10, kMinute, 10}};
      rl::Limit route{"route", algorithm, rl::Quota{3, kMinute, 3}};
      std::vector<rl::LimitRequest> requests = {{"client-1", &group},
                                                {"client-1", &route}};
      if (route_first) std::swap(requests[0], requests[1]);
      const std::size_t route_index = route_first ? 0 : 1;
      const std::size_t group_index = route_first ? 1 : 0;
      const rl::Nanos now = 10 * kSecond;

      for (int call = 1; call <= 3; ++call) {
        rl::MultiDecision result = store.DecideAll(requests, now);
        ASSERT_TRUE(result.allowed)
            << "call " << call << " of 5 must be allowed: the route allows 3";
        ASSERT_EQ(result.decisions.size(), 2u)
            << "DecideAll must return one decision per request";
      }
      for (int call = 4; call <= 5; ++call) {
        rl::MultiDecision result = store.DecideAll(requests, now);
        ASSERT_FALSE(result.allowed)
            << "call " << call << " of 5 must be rejected: the route limit "
            << "of 3 per minute is used up";
        ASSERT_EQ(result.decisions.size(), 2u)
            << "DecideAll must return one decision per request, also when "
               "rejecting";
        EXPECT_EQ(result.deciding, route_index)
            << "the route limit rejected the call, so `deciding` must be its "
               "index";
        EXPECT_TRUE(result.decisions[group_index].allowed)
            << "the group decision must show what the group alone would "
               "answer: allowed, since it has quota left";
        EXPECT_FALSE(result.decisions[route_index].allowed)
            << "the route decision must show the rejection";
      }

      EXPECT_TRUE(store.Peek("client-1", group, now, 7).allowed)
          << "the group limit must have 7 left: 3 allowed calls took 3 of "
             "10, and the 2 rejected calls must take nothing";
      EXPECT_FALSE(store.Peek("client-1", group, now, 8).allowed)
          << "the group limit must have exactly 7 left, not 8 or more: the 3 "
             "allowed calls must have consumed from it";
    }
  }
}

TEST_F(KeyedStoreTest, AllowedDecideAllConsumesFromEvery) {
  rl::KeyedStore store;
  rl::Limit group{"group", rl::Algorithm::kGcra, rl::Quota{10, kMinute, 10}};
  rl::Limit route{"route", rl::Algorithm::kGcra, rl::Quota{3, kMinute, 3}};
  std::vector<rl::LimitRequest> requests = {{"client-1", &group},
                                            {"client-1", &route}};

  rl::MultiDecision result = store.DecideAll(requests, 0);
  ASSERT_TRUE(result.allowed) << "the first call must be allowed";
  ASSERT_EQ(result.decisions.size(), 2u)
      << "DecideAll must return one decision per request";
  EXPECT_EQ(result.decisions[0].remaining, 9)
      << "the group decision must show 9 of 10 left after the call";
  EXPECT_EQ(result.decisions[1].remaining, 2)
      << "the route decision must show 2 of 3 left after the call";
  EXPECT_EQ(result.deciding, 1u)
      << "when allowed, `deciding` must be the limit with the fewest "
         "remaining: the route, index 1";
  EXPECT_EQ(Left(store, "client-1", group, 0), 9)
      << "an allowed call must consume from the group limit";
  EXPECT_EQ(Left(store, "client-1", route, 0), 2)
      << "an allowed call must consume from the route limit";
}

// The same (key, limit) listed twice in one call is one request of the
// summed cost: two listings of cost 2 against a burst of 3 need 4.
TEST_F(KeyedStoreTest, RepeatedPairCostsAddUp) {
  rl::KeyedStore store;
  rl::Limit small{"small", rl::Algorithm::kTokenBucket,
                  rl::Quota::PerSecond(3)};
  std::vector<rl::LimitRequest> twice = {{"alice", &small, 2},
                                         {"alice", &small, 2}};

  rl::MultiDecision rejected = store.DecideAll(twice, 0);
  EXPECT_FALSE(rejected.allowed)
      << "two listings of cost 2 need 4 tokens together, and the bucket "
         "holds 3, so the call must be rejected";
  EXPECT_EQ(Left(store, "alice", small, 0), 3)
      << "the rejected call must consume nothing, not even the first "
         "listing's 2 tokens";

  rl::Limit large{"large", rl::Algorithm::kTokenBucket,
                  rl::Quota::PerSecond(5)};
  std::vector<rl::LimitRequest> twice_large = {{"alice", &large, 2},
                                               {"alice", &large, 2}};
  rl::MultiDecision allowed = store.DecideAll(twice_large, 0);
  EXPECT_TRUE(allowed.allowed)
      << "two listings of cost 2 fit in a bucket of 5, so the call must be "
         "allowed";
  EXPECT_EQ(Left(store, "alice", large, 0), 1)
      << "the allowed call must take 2 + 2 = 4 of 5 tokens, leaving 1";
}

TEST_F(KeyedStoreTest, EvictionBoundsSize) {
  rl::KeyedStoreOptions options;
  options.shards = 4;
  options.max_keys = 100;
  rl::KeyedStore store(options);

  for (int i = 0; i < 10'000; ++i) {
    store.Decide("client-" + std::to_string(i), api_, 0);
    std::size_t size = store.size();
    ASSERT_LE(size, 100u) << "after " << i + 1 << " new keys the store holds "
                          << size << " entries; it must never hold more than "
                          << "max_keys (100)";
  }
  EXPECT_GT(store.size(), 0u) << "eviction must not empty the whole store";
}

// With room for two entries, a third key must push out the idle entry (full
// again) rather than the least recently used one that is still in use.
TEST_F(KeyedStoreTest, IdleEntryEvictedBeforeBusyOne) {
  rl::KeyedStoreOptions options;
  options.shards = 1;
  options.max_keys = 2;
  rl::KeyedStore store(options);
  rl::Limit hourly{"hourly", rl::Algorithm::kTokenBucket,
                   rl::Quota{5, kHour, 5}};

  for (int i = 0; i < 5; ++i) store.Decide("busy", hourly, 0);
  store.Decide("idle", api_, 0);
  // At t = 10 s "idle" (5 per second) is full again; "busy" (5 per hour) is
  // still used up, and it is the least recently used entry.
  store.Decide("newcomer", api_, 10 * kSecond);

  EXPECT_LE(store.size(), 2u) << "the store must keep at most max_keys (2)";
  EXPECT_FALSE(store.Decide("busy", hourly, 10 * kSecond).allowed)
      << "\"busy\" used its 5 per hour 10 s ago, so it must be rejected. "
         "It was allowed, so its entry was evicted and came back full: evict "
         "an idle entry (one that is full again) before a busy one";

  rl::Decision idle = store.Decide("idle", api_, 10 * kSecond);
  EXPECT_TRUE(idle.allowed) << "an evicted idle key must come back allowed";
  EXPECT_EQ(idle.remaining, 4)
      << "an evicted idle key must come back full: 4 of 5 left after one "
         "request";
}

TEST_F(KeyedStoreTest, ConcurrentDecideCountsExactly) {
  rl::KeyedStore store;
  rl::Limit hourly{"hourly", rl::Algorithm::kTokenBucket,
                   rl::Quota{5000, kHour, 5000}};
  ASSERT_TRUE(store.Decide("warm-up", hourly, 0).allowed)
      << "a single Decide must work before the threads start";

  constexpr int kThreads = 8;
  constexpr int kPerThread = 1000;
  std::atomic<int> allowed{0};
  std::atomic<int> exceptions{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      try {
        for (int i = 0; i < kPerThread; ++i) {
          if (store.Decide("shared", hourly, 0).allowed) ++allowed;
        }
      } catch (...) {
        ++exceptions;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  ASSERT_EQ(exceptions.load(), 0)
      << "Decide must not throw when called from several threads";
  EXPECT_EQ(allowed.load(), 5000)
      << "8 threads x 1000 requests on one key with 5000 per hour must allow "
         "exactly 5000; any other count means two threads changed the same "
         "entry without holding its shard's lock";
}

TEST_F(KeyedStoreTest, ConcurrentDecideAllAcrossShards) {
  rl::KeyedStore store;
  rl::Limit hourly{"hourly", rl::Algorithm::kGcra, rl::Quota{200, kHour, 200}};
  constexpr int kKeys = 16;
  std::vector<std::string> keys;
  for (int k = 0; k < kKeys; ++k) keys.push_back("client-" + std::to_string(k));

  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::atomic<int>> allowed_per_key(kKeys);
  std::atomic<int> exceptions{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kPerThread; ++i) {
          int a = i % kKeys;
          int b = (a + 1 + (i / kKeys + t) % (kKeys - 1)) % kKeys;
          // Half the threads list the pair in the other order.
          if (t % 2 == 1) std::swap(a, b);
          rl::LimitRequest requests[] = {{keys[a], &hourly},
                                         {keys[b], &hourly}};
          if (store.DecideAll(requests, 0).allowed) {
            ++allowed_per_key[a];
            ++allowed_per_key[b];
          }
        }
      } catch (...) {
        ++exceptions;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  ASSERT_EQ(exceptions.load(), 0)
      << "DecideAll must not throw when called from several threads";
  for (int k = 0; k < kKeys; ++k) {
    int allowed = allowed_per_key[k].load();
    EXPECT_EQ(allowed + Left(store, keys[k], hourly, 0), 200)
        << keys[k] << " was in " << allowed << " allowed calls, so exactly "
        << 200 - allowed << " of its 200 must be left; another count means "
        << "a call consumed without all its shards locked, or a rejected "
        << "call consumed";
  }
}

}  // namespace
