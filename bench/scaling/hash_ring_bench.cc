// Benchmark of HashRing::NodeForHash: nanoseconds per lookup of an already
// hashed key on a ring of 10, 100 and 1000 nodes with 100 virtual nodes
// each. Target: under 100 ns at 1000 nodes (100,000 points). Linked against
// the learner's file (bench_scaling_hash_ring_learner) and the reference.
#include <benchmark/benchmark.h>

#include <stdexcept>

#include "lookup_keys.h"
#include "scaling/hash_ring.h"

namespace {

void BM_HashRingLookup(benchmark::State& state) {
  scaling::HashRing ring(/*virtual_nodes=*/100);
  try {
    for (std::int64_t n = 0; n < state.range(0); ++n) {
      ring.AddNode(scaling_bench::NodeName(n));
    }
    benchmark::DoNotOptimize(ring.NodeForHash(1));
  } catch (const std::logic_error& error) {
    state.SkipWithError(error.what());
    return;
  }

  const std::vector<std::uint64_t>& keys = scaling_bench::LookupKeys();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ring.NodeForHash(keys[i]));
    i = (i + 1) & (scaling_bench::kLookupKeys - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["points"] = static_cast<double>(ring.points().size());
}
BENCHMARK(BM_HashRingLookup)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace
