// Tests of the reference KeyedStore beyond the exercise: input errors,
// configuration reload, allocation-free lookups, and the memory bound with
// two million keys. This program replaces the global operator new to count
// allocations.

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rate_limiter/keyed_store.h"

namespace {

// Every operator new in this program counts itself, so a test can check
// that a call allocates nothing.
std::atomic<std::size_t> allocations{0};

}  // namespace

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using testing::HasSubstr;

constexpr rl::Nanos kSecond = rl::kNanosPerSecond;
constexpr rl::Nanos kHour = 3600 * kSecond;

const rl::Limit kApi{"api", rl::Algorithm::kTokenBucket,
                     rl::Quota::PerSecond(5)};

std::string MessageOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "(no std::invalid_argument thrown)";
}

TEST(KeyedStoreOptionsTest, ZeroShardsRejected) {
  rl::KeyedStoreOptions options;
  options.shards = 0;
  EXPECT_THAT(MessageOf([&] { rl::KeyedStore store(options); }),
              HasSubstr("shards is 0"));
}

TEST(KeyedStoreOptionsTest, FewerKeysThanShardsRejected) {
  rl::KeyedStoreOptions options;
  options.shards = 8;
  options.max_keys = 5;
  EXPECT_THAT(MessageOf([&] { rl::KeyedStore store(options); }),
              HasSubstr("max_keys (5) is less than shards (8)"));
}

TEST(KeyedStoreInputTest, EmptyDecideAllRejected) {
  rl::KeyedStore store;
  EXPECT_THAT(MessageOf([&] { store.DecideAll({}, 0); }),
              HasSubstr("requests is empty"));
}

TEST(KeyedStoreInputTest, NullLimitRejected) {
  rl::KeyedStore store;
  rl::LimitRequest requests[] = {{"alice", &kApi}, {"alice", nullptr}};
  EXPECT_THAT(MessageOf([&] { store.DecideAll(requests, 0); }),
              HasSubstr("requests[1].limit is null"));
}

TEST(KeyedStoreInputTest, InvalidOverrideQuotaRejected) {
  rl::KeyedStore store;
  EXPECT_THAT(MessageOf([&] {
                store.SetOverride("api", "alice", rl::Quota{0, kSecond, 5});
              }),
              HasSubstr("invalid quota {limit 0, period 1000000000 ns"));
}

TEST(KeyedStoreInputTest, LimitNameWithNulRejected) {
  rl::KeyedStore store;
  rl::Limit odd{std::string("a\0b", 3), rl::Algorithm::kGcra,
                rl::Quota::PerSecond(1)};
  EXPECT_THAT(MessageOf([&] { store.Decide("alice", odd, 0); }),
              HasSubstr("invalid limit name \"a<NUL>b\""));
  EXPECT_EQ(store.size(), 0u);
}

TEST(KeyedStoreInputTest, InvalidLimitQuotaLeavesStoreUnchanged) {
  rl::KeyedStore store;
  rl::Limit broken{"broken", rl::Algorithm::kGcra, rl::Quota{5, 0, 5}};
  EXPECT_THAT(MessageOf([&] { store.Decide("alice", broken, 0); }),
              HasSubstr("invalid quota {limit 5, period 0 ns, burst 5}"));
  EXPECT_EQ(store.size(), 0u);
}

TEST(KeyedStoreTest, KeyMayContainNul) {
  rl::KeyedStore store;
  std::string with_nul("a\0b", 3);
  for (int i = 0; i < 5; ++i) store.Decide(with_nul, kApi, 0);

  EXPECT_FALSE(store.Decide(with_nul, kApi, 0).allowed);
  EXPECT_TRUE(store.Decide("a", kApi, 0).allowed)
      << "key \"a\" must not share state with key \"a\\0b\"";
  EXPECT_EQ(store.size(), 2u);
}

TEST(KeyedStoreTest, ChangedLimitStartsOver) {
  rl::KeyedStore store;
  for (int i = 0; i < 5; ++i) store.Decide("alice", kApi, 0);
  ASSERT_FALSE(store.Decide("alice", kApi, 0).allowed);

  rl::Limit reloaded = kApi;
  reloaded.quota = rl::Quota::PerSecond(8);
  rl::Decision after_quota = store.Decide("alice", reloaded, 0);
  EXPECT_TRUE(after_quota.allowed);
  EXPECT_EQ(after_quota.remaining, 7);

  reloaded.algorithm = rl::Algorithm::kFixedWindow;
  rl::Decision after_algorithm = store.Decide("alice", reloaded, 0);
  EXPECT_EQ(after_algorithm.remaining, 7)
      << "a new algorithm for the same limit name must start full";
  EXPECT_EQ(store.size(), 1u) << "the outdated entry must be replaced";
}

TEST(KeyedStoreTest, OverrideSurvivesEviction) {
  rl::KeyedStoreOptions options;
  options.shards = 1;
  options.max_keys = 2;
  rl::KeyedStore store(options);
  store.SetOverride("api", "premium", rl::Quota::PerSecond(20));
  store.Decide("premium", kApi, 0);
  for (int i = 0; i < 10; ++i) store.Decide("other-" + std::to_string(i), kApi, 0);

  EXPECT_EQ(store.Decide("premium", kApi, 0).limit, 20)
      << "eviction drops the entry but must keep the override";
}

TEST(KeyedStoreTest, TiedDecisionsPickFirst) {
  rl::KeyedStore store;
  rl::Limit a{"a", rl::Algorithm::kGcra, rl::Quota::PerSecond(3)};
  rl::Limit b{"b", rl::Algorithm::kGcra, rl::Quota::PerSecond(3)};
  rl::LimitRequest requests[] = {{"k", &a}, {"k", &b}};

  EXPECT_EQ(store.DecideAll(requests, 0).deciding, 0u);
  store.Decide("k", b, 0);
  EXPECT_EQ(store.DecideAll(requests, 0).deciding, 1u)
      << "b has fewer remaining, so it decides";
}

TEST(KeyedStoreTest, LongestWaitDecidesRejection) {
  rl::KeyedStore store;
  rl::Limit per_second{"s", rl::Algorithm::kGcra, rl::Quota::PerSecond(1)};
  rl::Limit per_hour{"h", rl::Algorithm::kGcra, rl::Quota{1, kHour, 1}};
  rl::LimitRequest requests[] = {{"k", &per_second}, {"k", &per_hour}};
  ASSERT_TRUE(store.DecideAll(requests, 0).allowed);

  rl::MultiDecision rejected = store.DecideAll(requests, 0);
  ASSERT_FALSE(rejected.allowed);
  EXPECT_EQ(rejected.deciding, 1u)
      << "both reject; the hourly limit has the longer retry_after";
}

TEST(KeyedStoreTest, KnownKeyDecidesWithoutAllocating) {
  rl::KeyedStore store;
  // Longer than any small-string buffer, so a copy would allocate.
  const std::string key = "client-0123456789abcdef0123456789abcdef";
  store.Decide(key, kApi, 0);
  store.Decide(key, kApi, kSecond);

  std::size_t before = allocations.load();
  for (int i = 0; i < 100; ++i) {
    store.Decide(key, kApi, 2 * kSecond + i);
    store.Peek(key, kApi, 2 * kSecond + i);
  }
  EXPECT_EQ(allocations.load() - before, 0u)
      << "Decide and Peek on an existing key must not allocate";

  before = allocations.load();
  store.Decide("a-key-that-is-new-to-the-store-0123456789", kApi, 3 * kSecond);
  EXPECT_GT(allocations.load() - before, 0u)
      << "a new key must allocate its entry; if not, the counter is broken";
}

// Two million distinct keys through a store capped at 100,000 entries.
TEST(KeyedStoreMemoryTest, SizeStaysWithinMaxKeys) {
  rl::KeyedStoreOptions options;
  options.max_keys = 100'000;
  rl::KeyedStore store(options);
  rl::Limit hourly{"hourly", rl::Algorithm::kTokenBucket,
                   rl::Quota{10, kHour, 10}};

  std::string key;
  for (int i = 0; i < 2'000'000; ++i) {
    key = "client-";
    key += std::to_string(i);
    store.Decide(key, hourly, i);
    if (i % 100'000 == 99'999) {
      ASSERT_LE(store.size(), 100'000u) << "after " << i + 1 << " keys";
    }
  }
  EXPECT_LE(store.size(), 100'000u);
  EXPECT_GT(store.size(), 90'000u)
      << "the cap is per shard, max_keys / shards; the store should fill "
         "most of it";
}

}  // namespace
