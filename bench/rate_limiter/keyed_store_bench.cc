// Benchmarks of rl::KeyedStore, the in-process store of the reference:
// decisions per second over one million client keys on one and two
// threads, with keys drawn uniformly or from a Zipf distribution, and
// DecideAll with two limits per request.
//
// Keys and their order are generated before timing, so the loop times the
// store alone: hashing the key, locking its shard, finding or creating the
// entry, and one GCRA decision. Time is an injected clock that moves forward
// 1 us per decision on each thread.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "rate_limiter/keyed_store.h"
#include "rate_limiter/limiter.h"
#include "rate_limiter/quota.h"

namespace {

constexpr std::size_t kKeys = 1'000'000;
// kDrawn is the length of each precomputed key sequence. A thread starts at
// its own offset and wraps around.
constexpr std::size_t kDrawn = std::size_t{1} << 22;
// kZipfExponent is the skew of the Zipf draw: 0.99, YCSB's ZIPFIAN_CONSTANT.
constexpr double kZipfExponent = 0.99;
constexpr rl::Nanos kStep = 1'000;  // injected time per decision, per thread

// kNeverFull refills one request per 10 s and has a burst of 10^8. A key
// is decided about once per simulated second here, so after its first
// request its bucket never fills again and never runs dry. The store drops
// an entry that is full again (it equals a new one), so a quota that refills
// between two requests would time eviction and re-creation instead of the
// lookup of a resident entry.
constexpr rl::Quota kNeverFull{1, 10 * rl::kNanosPerSecond, 100'000'000};
const rl::Limit kPerClient{"client", rl::Algorithm::kGcra, kNeverFull};
const rl::Limit kPerRoute{"route", rl::Algorithm::kTokenBucket, kNeverFull};

const std::vector<std::string>& Keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    k.reserve(kKeys);
    for (std::size_t i = 0; i < kKeys; ++i) {
      k.push_back("client-" + std::to_string(i));
    }
    return k;
  }();
  return keys;
}

std::vector<std::uint32_t> UniformDraw() {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::uint32_t> pick(0, kKeys - 1);
  std::vector<std::uint32_t> draw(kDrawn);
  for (auto& index : draw) index = pick(rng);
  return draw;
}

// ZipfDraw draws key i with probability proportional to 1 / (i + 1)^s, by
// inverting the cumulative distribution with a binary search.
std::vector<std::uint32_t> ZipfDraw() {
  std::vector<double> cumulative(kKeys);
  double total = 0;
  for (std::size_t i = 0; i < kKeys; ++i) {
    total += 1.0 / std::pow(static_cast<double>(i + 1), kZipfExponent);
    cumulative[i] = total;
  }
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> unit(0.0, total);
  std::vector<std::uint32_t> draw(kDrawn);
  for (auto& index : draw) {
    auto it = std::lower_bound(cumulative.begin(), cumulative.end(), unit(rng));
    index = static_cast<std::uint32_t>(
        std::min<std::size_t>(it - cumulative.begin(), kKeys - 1));
  }
  return draw;
}

const std::vector<std::uint32_t>& Draw(bool zipf) {
  static const std::vector<std::uint32_t> uniform = UniformDraw();
  static const std::vector<std::uint32_t> zipfian = ZipfDraw();
  return zipf ? zipfian : uniform;
}

// FullStore returns a store shared by every run, holding an entry for each
// of the one million keys (room for twice that, so nothing is evicted).
rl::KeyedStore& FullStore() {
  static rl::KeyedStore* store = [] {
    auto* s = new rl::KeyedStore({.shards = 64, .max_keys = 2 * kKeys});
    for (const std::string& key : Keys()) {
      benchmark::DoNotOptimize(s->Decide(key, kPerClient, 0));
    }
    return s;
  }();
  return *store;
}

void ReportCounters(benchmark::State& state, std::int64_t allowed) {
  state.SetItemsProcessed(state.iterations());
  state.counters["allowed"] = benchmark::Counter(
      static_cast<double>(allowed) / static_cast<double>(state.iterations()),
      benchmark::Counter::kAvgThreads);
}

// BM_KeyedStoreDecide: range(0) is 1 for Zipf keys, 0 for uniform keys.
void BM_KeyedStoreDecide(benchmark::State& state) {
  rl::KeyedStore& store = FullStore();
  const std::vector<std::string>& keys = Keys();
  const std::vector<std::uint32_t>& draw = Draw(state.range(0) == 1);
  std::size_t next = (state.thread_index() * kDrawn) / 2;
  rl::Nanos now = rl::kNanosPerSecond;
  std::int64_t allowed = 0;

  for (auto _ : state) {
    now += kStep;
    rl::Decision decision = store.Decide(keys[draw[next]], kPerClient, now);
    benchmark::DoNotOptimize(decision);
    allowed += decision.allowed;
    next = (next + 1) % kDrawn;
  }
  ReportCounters(state, allowed);
}
BENCHMARK(BM_KeyedStoreDecide)
    ->ArgName("zipf")
    ->Arg(0)
    ->Arg(1)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

// BM_KeyedStoreDecideFewKeys: the same decision over range(0) keys that all
// stay in cache. The peers script compares this number with its npm peer,
// which runs over the same number of keys.
void BM_KeyedStoreDecideFewKeys(benchmark::State& state) {
  const std::size_t key_count = state.range(0);
  rl::KeyedStore store;
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < key_count; ++i) {
    keys.push_back("client-" + std::to_string(i));
  }
  rl::Nanos now = rl::kNanosPerSecond;
  std::size_t next = 0;
  std::int64_t allowed = 0;

  for (auto _ : state) {
    now += kStep;
    rl::Decision decision = store.Decide(keys[next], kPerClient, now);
    benchmark::DoNotOptimize(decision);
    allowed += decision.allowed;
    if (++next == key_count) next = 0;
  }
  ReportCounters(state, allowed);
}
BENCHMARK(BM_KeyedStoreDecideFewKeys)->ArgName("keys")->Arg(1000);

// BM_KeyedStoreDecideAll: one request checked against a per-client GCRA
// limit and a per-route token bucket (three routes), all or nothing.
void BM_KeyedStoreDecideAll(benchmark::State& state) {
  rl::KeyedStore& store = FullStore();
  const std::vector<std::string>& keys = Keys();
  const std::vector<std::uint32_t>& draw = Draw(state.range(0) == 1);
  const std::string routes[] = {"GET /items", "POST /items", "GET /users"};
  std::size_t next = (state.thread_index() * kDrawn) / 2;
  rl::Nanos now = rl::kNanosPerSecond;
  std::int64_t allowed = 0;

  for (auto _ : state) {
    now += kStep;
    const rl::LimitRequest requests[] = {
        {.key = keys[draw[next]], .limit = &kPerClient},
        {.key = routes[next % 3], .limit = &kPerRoute},
    };
    rl::MultiDecision decision = store.DecideAll(requests, now);
    benchmark::DoNotOptimize(decision);
    allowed += decision.allowed;
    next = (next + 1) % kDrawn;
  }
  ReportCounters(state, allowed);
}
BENCHMARK(BM_KeyedStoreDecideAll)
    ->ArgName("zipf")
    ->Arg(0)
    ->Arg(1)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

}  // namespace
