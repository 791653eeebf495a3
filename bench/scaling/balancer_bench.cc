// Benchmarks of the load-balancing policies and the simulator: nanoseconds
// per Choose at 10, 100 and 1000 servers (least connections scans every
// server, the power of two choices looks at two), and simulated requests
// per second of wall-clock time.
//
//   ninja -C build bench_scaling_model && build/bench/bench_scaling_model

#include <benchmark/benchmark.h>

#include <vector>

#include "scaling/balancer.h"
#include "scaling/simulator.h"

namespace {

// Outstanding returns a view of `servers` servers holding 0 to 9 requests.
std::vector<int> Outstanding(int servers) {
  scaling::SeededRandom random(7);
  std::vector<int> outstanding(servers);
  for (int& requests : outstanding) {
    requests = static_cast<int>(random.Below(10));
  }
  return outstanding;
}

void BM_Choose(benchmark::State& state, scaling::PolicyKind kind) {
  const std::vector<int> outstanding =
      Outstanding(static_cast<int>(state.range(0)));
  std::unique_ptr<scaling::Policy> policy = scaling::MakePolicy(kind);
  scaling::SeededRandom random(1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(policy->Choose(outstanding, random));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_Choose, round_robin, scaling::PolicyKind::kRoundRobin)
    ->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK_CAPTURE(BM_Choose, random, scaling::PolicyKind::kRandom)
    ->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK_CAPTURE(BM_Choose, least_connections,
                  scaling::PolicyKind::kLeastConnections)
    ->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK_CAPTURE(BM_Choose, two_choices, scaling::PolicyKind::kTwoChoices)
    ->Arg(10)->Arg(100)->Arg(1000);

// BM_Simulate runs 100,000 requests over 200 servers at 90% utilisation.
void BM_Simulate(benchmark::State& state, scaling::PolicyKind kind) {
  scaling::SimulationConfig config;
  config.servers = 200;
  config.utilisation = 0.9;
  config.requests = 100000;
  for (auto _ : state) {
    auto result = scaling::Simulate(config, kind);
    if (!result.ok()) {
      state.SkipWithError(result.error().c_str());
      break;
    }
    benchmark::DoNotOptimize(result.value().p99);
  }
  state.SetItemsProcessed(state.iterations() * config.requests);
}
BENCHMARK_CAPTURE(BM_Simulate, random, scaling::PolicyKind::kRandom)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Simulate, least_connections,
                  scaling::PolicyKind::kLeastConnections)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Simulate, two_choices, scaling::PolicyKind::kTwoChoices)
    ->Unit(benchmark::kMillisecond);

}  // namespace
