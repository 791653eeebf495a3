// Concurrency stress tests for KeyedStore, meant to run under
// ThreadSanitizer (CTest label "concurrency").
//
// Many threads decide on overlapping keys, DecideAll takes shards in
// different orders, and overrides change while others decide. Each test
// checks exact invariants afterwards. The work is a fixed number of calls,
// and a watchdog fails the program if a test runs longer than 60 s, so a
// deadlock fails instead of hanging.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <latch>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "rate_limiter/keyed_store.h"

namespace {

constexpr rl::Nanos kMilli = rl::kNanosPerMilli;
constexpr rl::Nanos kSecond = rl::kNanosPerSecond;
constexpr rl::Nanos kHour = 3600 * kSecond;

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
                 "%s did not finish within %lld s: threads are probably "
                 "deadlocked on the store's shard mutexes\n",
                 test != nullptr ? test->name() : "a test",
                 static_cast<long long>(limit.count()));
    std::fflush(stderr);
    std::_Exit(1);
  }

  std::mutex mu_;
  std::condition_variable done_changed_;
  bool done_ = false;
  std::thread thread_;  // Last, so it starts after the fields it reads.
};

class KeyedStoreStressTest : public testing::Test {
 private:
  Watchdog watchdog_{std::chrono::seconds(60)};
};

bool IsBucket(const rl::Limit& limit) {
  return limit.algorithm == rl::Algorithm::kTokenBucket ||
         limit.algorithm == rl::Algorithm::kGcra;
}

// Capacity returns how many unit-cost requests a full limit admits at one
// instant: the burst for token bucket and GCRA, the limit otherwise.
std::int64_t Capacity(const rl::Limit& limit) {
  return IsBucket(limit) ? limit.quota.burst : limit.quota.limit;
}

// Left returns how many unit-cost requests `key` could still make under
// `limit` at `now`.
std::int64_t Left(rl::KeyedStore& store, const std::string& key,
                  const rl::Limit& limit, rl::Nanos now) {
  rl::Decision d = store.Peek(key, limit, now);
  return d.allowed ? d.remaining + 1 : 0;
}

std::vector<std::string> Keys(const std::string& prefix, int count) {
  std::vector<std::string> keys;
  for (int i = 0; i < count; ++i) keys.push_back(prefix + std::to_string(i));
  return keys;
}

// Tally counts allowed requests per (limit index, key index).
using Tally = std::map<std::pair<int, int>, std::int64_t>;

// RunThreads runs body(0) ... body(count - 1) on their own threads, all
// released at once so that they overlap, and waits for them.
void RunThreads(int count, const std::function<void(int)>& body) {
  std::latch start(count);
  std::vector<std::thread> threads;
  for (int t = 0; t < count; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      body(t);
    });
  }
  for (std::thread& thread : threads) thread.join();
}

// At one instant nothing refills, so after the threads finish every
// (limit, key) must show exactly its capacity minus what was allowed. A lost
// update, a partial consume or a double consume breaks the equality.
TEST_F(KeyedStoreStressTest, DecideAllAtOneInstantCountsExactly) {
  rl::KeyedStoreOptions options;
  options.shards = 16;
  rl::KeyedStore store(options);
  const std::vector<rl::Limit> limits = {
      {"client", rl::Algorithm::kTokenBucket, rl::Quota{40, kHour, 40}},
      {"route", rl::Algorithm::kSlidingCounter, rl::Quota{150, kHour, 150}},
      {"tenant", rl::Algorithm::kGcra, rl::Quota{300, kHour, 300}},
      {"region", rl::Algorithm::kFixedWindow, rl::Quota{500, kHour, 500}},
      {"device", rl::Algorithm::kSlidingLog, rl::Quota{60, kHour, 60}},
  };
  const std::vector<std::vector<std::string>> keys = {
      Keys("client-", 32), Keys("route-", 8), Keys("tenant-", 4),
      Keys("region-", 2), Keys("device-", 24)};
  const rl::Nanos now = 5 * kSecond;
  constexpr int kThreads = 8;
  constexpr int kCallsPerThread = 12'000;

  std::vector<Tally> tallies(kThreads);
  std::atomic<int> rejected{0};
  RunThreads(kThreads, [&](int t) {
    std::minstd_rand random(t + 1);
    std::vector<int> order = {0, 1, 2, 3, 4};
    for (int call = 0; call < kCallsPerThread; ++call) {
      // Each call names one key per limit, listed in a random order, so
      // threads need the same shards in different orders.
      std::shuffle(order.begin(), order.end(), random);
      std::vector<rl::LimitRequest> requests;
      std::vector<std::pair<int, int>> named;
      for (int l : order) {
        int k = static_cast<int>(random() % keys[l].size());
        requests.push_back({keys[l][k], &limits[l]});
        named.emplace_back(l, k);
      }
      if (store.DecideAll(requests, now).allowed) {
        for (const auto& pair : named) ++tallies[t][pair];
      } else {
        ++rejected;
      }
    }
  });

  Tally allowed;
  std::int64_t calls_allowed = 0;
  for (const Tally& tally : tallies) {
    for (const auto& [pair, n] : tally) allowed[pair] += n;
  }
  for (const auto& [pair, n] : allowed) {
    if (pair.first == 0) calls_allowed += n;
  }
  EXPECT_GT(calls_allowed, 0) << "some calls must have been allowed";
  EXPECT_GT(rejected.load(), 0)
      << "demand must exceed the quotas, or the test checks nothing";
  for (std::size_t l = 0; l < limits.size(); ++l) {
    for (std::size_t k = 0; k < keys[l].size(); ++k) {
      std::int64_t n = allowed[{static_cast<int>(l), static_cast<int>(k)}];
      EXPECT_EQ(n + Left(store, keys[l][k], limits[l], now),
                Capacity(limits[l]))
          << limits[l].name << "/" << keys[l][k] << " was in " << n
          << " allowed calls, so exactly " << Capacity(limits[l]) - n
          << " must be left";
    }
  }
}

// With time moving forward, a key's allowed total is bounded by what its
// quota refills over the span, for every algorithm. Threads read the clock
// before locking, so a decision can see a time older than the last one.
TEST_F(KeyedStoreStressTest, AllowedNeverExceedsQuotaOverSpan) {
  rl::KeyedStoreOptions options;
  options.shards = 8;
  rl::KeyedStore store(options);
  const rl::Nanos period = 100 * kMilli;
  const std::vector<rl::Limit> limits = {
      {"fixed", rl::Algorithm::kFixedWindow, rl::Quota{20, period, 20}},
      {"log", rl::Algorithm::kSlidingLog, rl::Quota{20, period, 20}},
      {"counter", rl::Algorithm::kSlidingCounter, rl::Quota{20, period, 20}},
      {"bucket", rl::Algorithm::kTokenBucket, rl::Quota{20, period, 10}},
      {"gcra", rl::Algorithm::kGcra, rl::Quota{20, period, 10}},
  };
  const std::vector<std::string> keys = Keys("client-", 4);
  constexpr int kThreads = 8;
  constexpr int kCallsPerThread = 20'000;
  // Each call advances the shared clock by one step.
  const rl::Nanos step = 10'000;
  std::atomic<std::int64_t> ticks{0};

  std::vector<Tally> tallies(kThreads);
  RunThreads(kThreads, [&](int t) {
    std::minstd_rand random(t + 101);
    for (int call = 0; call < kCallsPerThread; ++call) {
      rl::Nanos now = (ticks.fetch_add(1) + 1) * step;
      int l = static_cast<int>(random() % limits.size());
      int k = static_cast<int>(random() % keys.size());
      if (call % 4 != 3) {
        if (store.Decide(keys[k], limits[l], now).allowed) ++tallies[t][{l, k}];
        continue;
      }
      // Every fourth call decides two limits at once, in either order.
      int l2 = (l + 1 + static_cast<int>(random() % 4)) % 5;
      rl::LimitRequest requests[] = {{keys[k], &limits[l]},
                                     {keys[k], &limits[l2]}};
      if (t % 2 == 1) std::swap(requests[0], requests[1]);
      if (store.DecideAll(requests, now).allowed) {
        ++tallies[t][{l, k}];
        ++tallies[t][{l2, k}];
      }
    }
  });

  const rl::Nanos span = ticks.load() * step;
  Tally allowed;
  for (const Tally& tally : tallies) {
    for (const auto& [pair, n] : tally) allowed[pair] += n;
  }
  for (std::size_t l = 0; l < limits.size(); ++l) {
    const rl::Quota& q = limits[l].quota;
    // Window algorithms admit at most `limit` per window, and the span
    // (0, span] touches at most span / period + 1 windows. Buckets start
    // with `burst` and refill limit / period per nanosecond.
    std::int64_t bound = IsBucket(limits[l])
                             ? q.burst + span * q.limit / q.period
                             : q.limit * (span / q.period + 1);
    for (std::size_t k = 0; k < keys.size(); ++k) {
      std::int64_t n = allowed[{static_cast<int>(l), static_cast<int>(k)}];
      EXPECT_LE(n, bound) << limits[l].name << "/" << keys[k] << " allowed "
                          << n << " requests over " << span << " ns; its "
                          << "quota permits at most " << bound;
      EXPECT_GE(n, Capacity(limits[l]))
          << limits[l].name << "/" << keys[k] << " allowed only " << n
          << " requests although demand far exceeded its quota";
    }
  }
}

// Overrides change while other threads decide on the same keys. Keys that
// are never overridden must still count exactly, and each overridden key
// must end up under the quota set last.
TEST_F(KeyedStoreStressTest, OverridesSetWhileDeciding) {
  rl::KeyedStoreOptions options;
  options.shards = 4;
  rl::KeyedStore store(options);
  const rl::Limit api{"api", rl::Algorithm::kTokenBucket,
                      rl::Quota{100, kHour, 100}};
  const std::vector<std::string> premium = Keys("premium-", 8);
  const std::vector<std::string> plain = Keys("plain-", 8);
  const rl::Nanos now = kSecond;
  constexpr int kDeciders = 6;
  constexpr int kCallsPerThread = 10'000;
  constexpr int kOverrideRounds = 2000;

  std::vector<std::vector<std::int64_t>> plain_allowed(
      kDeciders, std::vector<std::int64_t>(plain.size()));
  RunThreads(kDeciders + 1, [&](int t) {
    if (t == kDeciders) {
      // The last thread sets overrides. Round r gives every premium key
      // burst r + 1.
      for (int round = 0; round < kOverrideRounds; ++round) {
        for (const std::string& key : premium) {
          store.SetOverride("api", key, rl::Quota{50, kHour, round + 1});
        }
      }
      return;
    }
    std::minstd_rand random(t + 201);
    for (int call = 0; call < kCallsPerThread; ++call) {
      std::size_t p = random() % premium.size();
      std::size_t k = random() % plain.size();
      rl::LimitRequest requests[] = {{plain[k], &api}, {premium[p], &api}};
      if (t % 2 == 1) std::swap(requests[0], requests[1]);
      store.Decide(premium[p], api, now);
      if (store.DecideAll(requests, now).allowed) ++plain_allowed[t][k];
    }
  });

  for (std::size_t k = 0; k < plain.size(); ++k) {
    std::int64_t n = 0;
    for (const auto& counts : plain_allowed) n += counts[k];
    EXPECT_EQ(n + Left(store, plain[k], api, now), 100)
        << plain[k] << " was in " << n << " allowed calls, so exactly "
        << 100 - n << " of 100 must be left";
  }
  for (const std::string& key : premium) {
    EXPECT_EQ(store.Peek(key, api, now).limit, kOverrideRounds)
        << key << " must end under the override set last (burst "
        << kOverrideRounds << ")";
  }
}

// A small store under many threads and many keys. Eviction runs on nearly
// every insert, and the size bound must hold at every moment.
TEST_F(KeyedStoreStressTest, EvictionUnderContentionKeepsBound) {
  rl::KeyedStoreOptions options;
  options.shards = 8;
  options.max_keys = 64;
  rl::KeyedStore store(options);
  const rl::Limit fast{"fast", rl::Algorithm::kGcra,
                       rl::Quota{5, 10 * kMilli, 5}};
  const rl::Limit slow{"slow", rl::Algorithm::kSlidingLog,
                       rl::Quota{3, kHour, 3}};
  constexpr int kThreads = 6;
  constexpr int kCallsPerThread = 10'000;
  std::atomic<std::int64_t> ticks{0};
  std::atomic<bool> done{false};
  std::atomic<std::size_t> largest{0};

  std::thread monitor([&] {
    while (!done.load()) {
      std::size_t size = store.size();
      std::size_t seen = largest.load();
      while (size > seen && !largest.compare_exchange_weak(seen, size)) {
      }
      std::this_thread::yield();
    }
  });
  RunThreads(kThreads, [&](int t) {
    std::minstd_rand random(t + 301);
    for (int call = 0; call < kCallsPerThread; ++call) {
      rl::Nanos now = ticks.fetch_add(1) * 10'000;
      std::string key = "client-" + std::to_string(random() % 1000);
      if (call % 2 == 0) {
        store.Decide(key, fast, now);
      } else {
        rl::LimitRequest requests[] = {{key, &fast}, {key, &slow}};
        store.DecideAll(requests, now);
      }
    }
  });
  done.store(true);
  monitor.join();

  EXPECT_LE(largest.load(), 64u)
      << "the monitor saw " << largest.load() << " entries; the store must "
      << "never hold more than max_keys (64)";
  EXPECT_LE(store.size(), 64u)
      << "after the threads finish the store must hold at most 64 entries";
}

}  // namespace
