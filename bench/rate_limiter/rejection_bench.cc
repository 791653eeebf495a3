// Benchmarks of the 429 response: rl::MakeRejection (status, Retry-After,
// RateLimit-Policy and RateLimit fields, problem+json body) and the two
// header fields every allowed response carries.
#include <benchmark/benchmark.h>

#include <string>

#include "rate_limiter/quota.h"
#include "rate_limiter/rejection.h"

namespace {

const rl::Quota kQuota = rl::Quota::PerSecond(100);

// RejectedDecision returns a rejection whose wait varies with `i`, so the
// formatting of the numbers is not the same string every time.
rl::Decision RejectedDecision(std::int64_t i) {
  rl::Decision decision;
  decision.allowed = false;
  decision.limit = kQuota.burst;
  decision.remaining = 0;
  decision.retry_after = 10 * rl::kNanosPerMilli + (i % 5000) * 997'001;
  decision.reset_after = rl::kNanosPerSecond + (i % 5000) * 1'000'003;
  return decision;
}

void BM_MakeRejection(benchmark::State& state) {
  std::int64_t i = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    rl::HttpAnswer answer = rl::MakeRejection("api", kQuota,
                                              RejectedDecision(i++),
                                              "/api/items");
    bytes += answer.body.size();
    benchmark::DoNotOptimize(answer);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["body_bytes"] = benchmark::Counter(
      static_cast<double>(bytes) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_MakeRejection);

// BM_RateLimitFields: the RateLimit-Policy and RateLimit values of an
// allowed response.
void BM_RateLimitFields(benchmark::State& state) {
  std::int64_t i = 0;
  for (auto _ : state) {
    rl::Decision decision = RejectedDecision(i++);
    decision.allowed = true;
    decision.retry_after = 0;
    decision.remaining = i % 100;
    std::string policy = rl::RateLimitPolicyField("api", kQuota, decision);
    std::string field = rl::RateLimitField("api", decision);
    benchmark::DoNotOptimize(policy);
    benchmark::DoNotOptimize(field);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RateLimitFields);

}  // namespace
