// Benchmarks of the other sharding schemes, in nanoseconds per lookup of an
// already hashed key at 10, 100 and 1000 nodes. The schemes are weighted
// rendezvous, a Maglev table of 65537 entries, and bounded-load assignment
// on a ring of 100 virtual nodes per node (epsilon 0.25). BM_KeyHash times hashing a
// short key. bench_scaling_hashing also links jump_hash_bench.cc and
// hash_ring_bench.cc, so one run covers every scheme.
#include <benchmark/benchmark.h>

#include <string>

#include "lookup_keys.h"
#include "scaling/bounded_load.h"
#include "scaling/hash_ring.h"
#include "scaling/maglev.h"
#include "scaling/rendezvous.h"

namespace {

using scaling_bench::kLookupKeys;
using scaling_bench::LookupKeys;
using scaling_bench::NodeName;

void BM_KeyHash(benchmark::State& state) {
  const std::string key = "user:1234567";
  for (auto _ : state) {
    benchmark::DoNotOptimize(scaling::KeyHash(key));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyHash);

void BM_RendezvousLookup(benchmark::State& state) {
  scaling::RendezvousHash nodes;
  for (std::int64_t n = 0; n < state.range(0); ++n) nodes.AddNode(NodeName(n));

  const std::vector<std::uint64_t>& keys = LookupKeys();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(nodes.NodeForHash(keys[i]));
    i = (i + 1) & (kLookupKeys - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RendezvousLookup)->Arg(10)->Arg(100)->Arg(1000);

void BM_MaglevLookup(benchmark::State& state) {
  std::vector<std::string> names;
  for (std::int64_t n = 0; n < state.range(0); ++n) names.push_back(NodeName(n));
  scaling::MaglevTable table;
  const scaling::Status status = scaling::MaglevTable::Build(
      names, scaling::MaglevTable::kDefaultTableSize, &table);
  if (!status.ok()) {
    state.SkipWithError(status.message().c_str());
    return;
  }

  const std::vector<std::uint64_t>& keys = LookupKeys();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(table.BackendForHash(keys[i]));
    i = (i + 1) & (kLookupKeys - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MaglevLookup)->Arg(10)->Arg(100)->Arg(1000);

void BM_MaglevBuild(benchmark::State& state) {
  std::vector<std::string> names;
  for (std::int64_t n = 0; n < state.range(0); ++n) names.push_back(NodeName(n));
  for (auto _ : state) {
    scaling::MaglevTable table;
    benchmark::DoNotOptimize(scaling::MaglevTable::Build(
        names, scaling::MaglevTable::kDefaultTableSize, &table));
  }
}
BENCHMARK(BM_MaglevBuild)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// Each iteration assigns one key and releases it again, so the loads stay
// level and the walk is as long as in a steady state.
void BM_BoundedLoadAssign(benchmark::State& state) {
  scaling::HashRing ring(100);
  for (std::int64_t n = 0; n < state.range(0); ++n) ring.AddNode(NodeName(n));
  scaling::BoundedLoadAssigner assigner(&ring, 0.25);
  for (std::size_t k = 0; k < 10 * kLookupKeys; ++k) {
    assigner.Assign("warm-" + std::to_string(k));
  }

  std::vector<std::string> keys;
  for (std::size_t k = 0; k < kLookupKeys; ++k) keys.push_back("key-" + std::to_string(k));
  std::size_t i = 0;
  for (auto _ : state) {
    std::optional<std::string> node = assigner.Assign(keys[i]);
    assigner.Release(*node);
    i = (i + 1) & (kLookupKeys - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BoundedLoadAssign)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace
