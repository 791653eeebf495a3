// Login throughput at the default argon2id cost (auth::Argon2Params{}: the
// OWASP minimum, 19 MiB and 2 iterations): PasswordHasher::Login with the
// right password, on a pool of 1 and 2 worker threads.
//
// Each iteration submits one login per worker thread and waits for all of
// them, so items_per_second is logins per second of wall time at that pool
// size. The timer is real time because the work runs on the pool's threads,
// not on the benchmark's.
//
// Run: ninja -C <build> bench_auth && <build>/bench/bench_auth
//      --benchmark_filter=BM_Login
#include <benchmark/benchmark.h>

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "auth/password.h"

namespace {

constexpr const char* kPassword = "correct horse battery staple";

void BM_Login(benchmark::State& state) {
  const auto threads = static_cast<std::size_t>(state.range(0));
  auth::PasswordHasherOptions options;
  options.threads = threads;
  auth::Result<std::unique_ptr<auth::PasswordHasher>> hasher =
      auth::PasswordHasher::Create(options);
  if (!hasher.ok()) {
    state.SkipWithError(hasher.error().message.c_str());
    return;
  }
  auth::Result<std::string> hash = hasher.value()->Hash(kPassword).get();
  if (!hash.ok()) {
    state.SkipWithError(hash.error().message.c_str());
    return;
  }

  for (auto _ : state) {
    std::vector<std::future<auth::Result<auth::LoginOutcome>>> logins;
    for (std::size_t i = 0; i < threads; ++i) {
      logins.push_back(hasher.value()->Login(hash.value(), kPassword));
    }
    for (auto& login : logins) {
      auth::Result<auth::LoginOutcome> outcome = login.get();
      if (!outcome.ok()) state.SkipWithError(outcome.error().message.c_str());
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(threads));
  state.counters["memory_kib"] = hasher.value()->params().memory_kib;
  state.counters["argon2_iterations"] = hasher.value()->params().iterations;
}
BENCHMARK(BM_Login)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
