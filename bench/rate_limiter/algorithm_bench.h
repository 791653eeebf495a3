// The benchmarks every rate-limiting algorithm shares: nanoseconds per
// Decide and per Peek for one key, on an injected clock and on the real one.
//
// Each exercise's benchmark source instantiates these templates for its
// algorithm, and the build links that one source twice: against the
// learner's file (bench_rate_limiter_<exercise>_learner) and against the
// reference (bench_rate_limiter_<exercise>_reference).
//
// Every benchmark uses kBenchQuota, one request per microsecond with a burst
// of one million, and reports two counters:
//   items_per_second  decisions per second on one thread
//   allowed           the fraction of decisions that were allowed, so a
//                     learner can see which path (allow or reject) was timed
//
// Injected clock: `now` starts at 1 s and moves forward by the benchmark's
// argument, step_ns, before each call. With step_ns = 1000 (the emission
// interval) every request is allowed. With step_ns = 100 the client sends ten
// times faster than the rate, so once the first burst of one million is
// spent, nine in ten are rejected.
//
// Real clock: `now` is labkit::SteadyClock::Now() through a Clock&, as in the
// HTTP service, so the time includes one clock read.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <stdexcept>

#include "labkit/clock.h"
#include "rate_limiter/quota.h"

namespace rl_bench {

inline constexpr rl::Quota kBenchQuota = rl::Quota::PerSecond(1'000'000);
inline constexpr rl::Nanos kStartTime = rl::kNanosPerSecond;

// Implemented returns false, after marking the benchmark as skipped with the
// starter's message, when Decide (and Peek, if `peek` is set) still throws
// "not implemented yet".
template <typename Algorithm>
bool Implemented(benchmark::State& state, bool peek) {
  try {
    Algorithm probe(kBenchQuota);
    benchmark::DoNotOptimize(probe.Decide(kStartTime));
    if (peek) benchmark::DoNotOptimize(probe.Peek(kStartTime));
    return true;
  } catch (const std::logic_error& error) {
    state.SkipWithError(error.what());
    return false;
  }
}

// ReportCounters sets items_per_second and the allowed fraction.
inline void ReportCounters(benchmark::State& state, std::int64_t allowed) {
  state.SetItemsProcessed(state.iterations());
  state.counters["allowed"] = benchmark::Counter(
      static_cast<double>(allowed) / static_cast<double>(state.iterations()));
}

template <typename Algorithm>
void BM_DecideInjectedClock(benchmark::State& state) {
  if (!Implemented<Algorithm>(state, /*peek=*/false)) return;
  Algorithm limiter(kBenchQuota);
  const rl::Nanos step = state.range(0);
  rl::Nanos now = kStartTime;
  std::int64_t allowed = 0;

  for (auto _ : state) {
    now += step;
    rl::Decision decision = limiter.Decide(now);
    benchmark::DoNotOptimize(decision);
    allowed += decision.allowed;
  }
  ReportCounters(state, allowed);
}

template <typename Algorithm>
void BM_DecideSteadyClock(benchmark::State& state) {
  if (!Implemented<Algorithm>(state, /*peek=*/false)) return;
  Algorithm limiter(kBenchQuota);
  labkit::SteadyClock steady;
  const labkit::Clock& clock = steady;
  std::int64_t allowed = 0;

  for (auto _ : state) {
    rl::Decision decision = limiter.Decide(clock.Now());
    benchmark::DoNotOptimize(decision);
    allowed += decision.allowed;
  }
  ReportCounters(state, allowed);
}

// Peek is timed on a limiter that has just allowed a full burst, so it
// computes a real refill or expiry instead of reading a fresh state.
template <typename Algorithm>
Algorithm DrainedLimiter(rl::Nanos now) {
  Algorithm limiter(kBenchQuota);
  for (std::int64_t i = 0; i < kBenchQuota.burst; ++i) {
    benchmark::DoNotOptimize(limiter.Decide(now));
  }
  return limiter;
}

template <typename Algorithm>
void BM_PeekInjectedClock(benchmark::State& state) {
  if (!Implemented<Algorithm>(state, /*peek=*/true)) return;
  const Algorithm limiter = DrainedLimiter<Algorithm>(kStartTime);
  const rl::Nanos step = state.range(0);
  rl::Nanos now = kStartTime;
  std::int64_t allowed = 0;

  for (auto _ : state) {
    now += step;
    rl::Decision decision = limiter.Peek(now);
    benchmark::DoNotOptimize(decision);
    allowed += decision.allowed;
  }
  ReportCounters(state, allowed);
}

template <typename Algorithm>
void BM_PeekSteadyClock(benchmark::State& state) {
  if (!Implemented<Algorithm>(state, /*peek=*/true)) return;
  labkit::SteadyClock steady;
  const labkit::Clock& clock = steady;
  const Algorithm limiter = DrainedLimiter<Algorithm>(clock.Now());
  std::int64_t allowed = 0;

  for (auto _ : state) {
    rl::Decision decision = limiter.Peek(clock.Now());
    benchmark::DoNotOptimize(decision);
    allowed += decision.allowed;
  }
  ReportCounters(state, allowed);
}

}  // namespace rl_bench

// RL_ALGORITHM_BENCHMARKS(Algorithm) registers the four benchmarks above for
// one algorithm class, with step_ns 1000 (all allowed) and 100 (nine in ten
// rejected) for the injected clock. BENCHMARK_TEMPLATE pastes the function
// name into an identifier, so the names are brought in unqualified.
#define RL_ALGORITHM_BENCHMARKS(Algorithm)                     \
  using rl_bench::BM_DecideInjectedClock;                      \
  using rl_bench::BM_DecideSteadyClock;                        \
  using rl_bench::BM_PeekInjectedClock;                        \
  using rl_bench::BM_PeekSteadyClock;                          \
  BENCHMARK_TEMPLATE(BM_DecideInjectedClock, Algorithm)        \
      ->ArgName("step_ns")                                     \
      ->Arg(1000)                                              \
      ->Arg(100);                                              \
  BENCHMARK_TEMPLATE(BM_DecideSteadyClock, Algorithm);         \
  BENCHMARK_TEMPLATE(BM_PeekInjectedClock, Algorithm)          \
      ->ArgName("step_ns")                                     \
      ->Arg(1000)                                              \
      ->Arg(100);                                              \
  BENCHMARK_TEMPLATE(BM_PeekSteadyClock, Algorithm)
