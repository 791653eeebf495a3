// Policy::Check throughput with a large policy: 10,000 rules over 500 roles
// (in inheritance chains of 5), 20 actions and 10 resource types, every rule
// with one or two ABAC conditions, plus a few wildcard and deny rules. A
// check's cost depends on the rules of its (role, action, type), not on the
// total, which BM_CheckByRuleCount shows at 100 and 10,000 rules.
//
// Run: ninja -C <build> bench_auth && <build>/bench/bench_auth
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "auth/policy.h"

namespace {

constexpr int kRoles = 500;
constexpr int kActions = 20;
constexpr int kTypes = 10;

// MakePolicyText writes `rules` rules over the fixed roles, actions and
// types, from a fixed seed so every run checks the same policy.
std::string MakePolicyText(int rules) {
  std::string text;
  for (int r = 0; r < kRoles; ++r) {
    text += "role r" + std::to_string(r);
    if (r % 5 != 0) text += " inherits r" + std::to_string(r - 1);
    text += "\n";
  }
  text += "deny * delete t0 when resource.locked == true\n";
  text += "allow r0 * t1 when resource.tenant == subject.tenant\n";

  std::mt19937 rng(42);
  for (int i = 2; i < rules; ++i) {
    const int role = static_cast<int>(rng() % kRoles);
    const int action = static_cast<int>(rng() % kActions);
    const int type = static_cast<int>(rng() % kTypes);
    text += (i % 10 == 0 ? "deny r" : "allow r") + std::to_string(role) +
            " a" + std::to_string(action) + " t" + std::to_string(type) +
            " when resource.tenant == subject.tenant";
    if (i % 3 == 0) text += " and subject.level >= " + std::to_string(i % 7);
    text += "\n";
  }
  return text;
}

struct Fixture {
  explicit Fixture(int rules)
      : policy(auth::Policy::Parse(MakePolicyText(rules), "bench.policy")
                   .value()) {
    std::mt19937 rng(7);
    for (int i = 0; i < 1024; ++i) {
      auth::Subject subject;
      subject.id = "user" + std::to_string(i);
      subject.tenant = "acme";
      subject.roles = {"r" + std::to_string(rng() % kRoles),
                       "r" + std::to_string(rng() % kRoles)};
      subject.attributes["level"] = std::int64_t{static_cast<int>(rng() % 7)};
      subjects.push_back(std::move(subject));

      auth::Resource resource;
      resource.type = "t" + std::to_string(rng() % kTypes);
      resource.id = "doc" + std::to_string(i);
      resource.owner = "user" + std::to_string(rng() % 1024);
      resource.tenant = rng() % 4 == 0 ? "globex" : "acme";
      resource.attributes["locked"] = rng() % 8 == 0;
      resources.push_back(std::move(resource));

      auth::AccessRequest request;
      request.action = "a" + std::to_string(rng() % kActions);
      requests.push_back(std::move(request));
    }
  }

  auth::Policy policy;
  std::vector<auth::Subject> subjects;
  std::vector<auth::Resource> resources;
  std::vector<auth::AccessRequest> requests;
};

void RunChecks(benchmark::State& state, const Fixture& f) {
  std::size_t i = 0;
  std::int64_t allowed = 0;
  for (auto _ : state) {
    const std::size_t k = i++ & 1023;
    auth::AccessDecision d =
        f.policy.Check(f.subjects[k], f.resources[k], f.requests[k]);
    allowed += d.allowed;
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["allowed_share"] = benchmark::Counter(
      static_cast<double>(allowed) / static_cast<double>(state.iterations()));
}

// BM_Check10kRules: random subjects with two roles each, random actions and
// resource types, against the 10,000-rule policy.
void BM_Check10kRules(benchmark::State& state) {
  static const Fixture fixture(10'000);
  RunChecks(state, fixture);
}
BENCHMARK(BM_Check10kRules);

// BM_CheckByRuleCount: the same checks against 100 to 10,000 rules.
void BM_CheckByRuleCount(benchmark::State& state) {
  const Fixture fixture(static_cast<int>(state.range(0)));
  RunChecks(state, fixture);
}
BENCHMARK(BM_CheckByRuleCount)->Arg(100)->Arg(1'000)->Arg(10'000);

// BM_Load10kRules: parsing and indexing the 10,000-rule policy.
void BM_Load10kRules(benchmark::State& state) {
  const std::string text = MakePolicyText(10'000);
  for (auto _ : state) {
    auth::Result<auth::Policy> policy = auth::Policy::Parse(text, "bench.policy");
    benchmark::DoNotOptimize(policy);
  }
}
BENCHMARK(BM_Load10kRules)->Unit(benchmark::kMillisecond);

}  // namespace
