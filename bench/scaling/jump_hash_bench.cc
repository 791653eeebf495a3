// Benchmark of JumpHash: nanoseconds per lookup of an already hashed key
// among 10, 100 and 1000 buckets. Target: under 20 ns. Linked against the
// learner's file (bench_scaling_jump_hash_learner) and the reference.
#include <benchmark/benchmark.h>

#include <stdexcept>

#include "lookup_keys.h"
#include "scaling/jump_hash.h"

namespace {

void BM_JumpHashLookup(benchmark::State& state) {
  const auto buckets = static_cast<std::int32_t>(state.range(0));
  try {
    benchmark::DoNotOptimize(scaling::JumpHash(1, buckets));
  } catch (const std::logic_error& error) {
    state.SkipWithError(error.what());
    return;
  }

  const std::vector<std::uint64_t>& keys = scaling_bench::LookupKeys();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(scaling::JumpHash(keys[i], buckets));
    i = (i + 1) & (scaling_bench::kLookupKeys - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JumpHashLookup)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace
