// Unit and property tests of the load-balancing policies and the
// discrete-event simulator: each policy's choices, queueing theory's
// closed forms (M/M/1, Pollaczek-Khinchine, Little's law), determinism,
// the ordering of the policies under skew, and every config error.

#include "scaling/simulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

#include "scaling/balancer.h"

namespace {

using scaling::PolicyKind;
using scaling::ServiceDistribution;
using scaling::SimulationConfig;
using scaling::SimulationResult;
using ::testing::HasSubstr;

SimulationResult RunOrFail(const SimulationConfig& config, PolicyKind kind) {
  auto result = scaling::Simulate(config, kind);
  EXPECT_TRUE(result.ok()) << scaling::PolicyName(kind) << ": "
                           << (result.ok() ? "" : result.error());
  return result.ok() ? result.value() : SimulationResult{};
}

TEST(SeededRandomTest, SameSeedSameSequence) {
  scaling::SeededRandom a(42);
  scaling::SeededRandom b(42);
  scaling::SeededRandom c(43);
  bool all_equal_to_c = true;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t value = a.Next();
    EXPECT_EQ(value, b.Next()) << "draw " << i << " differs for one seed";
    all_equal_to_c = all_equal_to_c && value == c.Next();
  }
  EXPECT_FALSE(all_equal_to_c) << "seeds 42 and 43 gave the same sequence";
}

TEST(SeededRandomTest, BelowAndUniformStayInRange) {
  scaling::SeededRandom random(1);
  std::vector<int> counts(7, 0);
  constexpr int kDraws = 70000;
  for (int i = 0; i < kDraws; ++i) {
    const std::uint64_t value = random.Below(7);
    ASSERT_LT(value, 7u);
    ++counts[value];
    const double uniform = random.Uniform();
    ASSERT_GT(uniform, 0.0);
    ASSERT_LT(uniform, 1.0);
  }
  for (int value = 0; value < 7; ++value) {
    // 10,000 expected per value; the standard deviation is about 93.
    EXPECT_NEAR(counts[value], kDraws / 7, 600) << "value " << value;
  }
}

TEST(PolicyTest, RoundRobinCycles) {
  scaling::RoundRobin policy;
  scaling::SeededRandom random(1);
  const std::vector<int> outstanding = {9, 0, 4};
  for (std::size_t expected : {0u, 1u, 2u, 0u, 1u}) {
    EXPECT_EQ(policy.Choose(outstanding, random), expected)
        << "round robin ignores the load and takes each server in turn";
  }
}

TEST(PolicyTest, LeastConnectionsPicksMinimumAndRotatesTies) {
  scaling::LeastConnections policy;
  scaling::SeededRandom random(1);
  EXPECT_EQ(policy.Choose(std::vector<int>{3, 1, 2}, random), 1u);
  EXPECT_EQ(policy.Choose(std::vector<int>{5, 5, 0, 7}, random), 2u);

  // Tied servers take turns, starting after the last choice.
  const std::vector<int> tied = {2, 2, 2};
  std::vector<std::size_t> picks;
  for (int i = 0; i < 3; ++i) picks.push_back(policy.Choose(tied, random));
  EXPECT_EQ(std::set<std::size_t>(picks.begin(), picks.end()).size(), 3u)
      << "three requests to three tied servers must reach all three";
}

TEST(PolicyTest, RandomCoversEveryServer) {
  scaling::RandomChoice policy;
  scaling::SeededRandom random(5);
  const std::vector<int> outstanding(5, 0);
  std::set<std::size_t> seen;
  for (int i = 0; i < 200; ++i) seen.insert(policy.Choose(outstanding, random));
  EXPECT_EQ(seen.size(), 5u);
}

TEST(PolicyTest, NamesRoundTrip) {
  for (PolicyKind kind : scaling::kAllPolicies) {
    auto parsed = scaling::ParsePolicyKind(scaling::PolicyName(kind));
    ASSERT_TRUE(parsed.has_value()) << scaling::PolicyName(kind);
    EXPECT_EQ(*parsed, kind);
    EXPECT_EQ(scaling::MakePolicy(kind)->Name(), scaling::PolicyName(kind));
  }
  EXPECT_FALSE(scaling::ParsePolicyKind("fastest").has_value());

  for (const char* name : {"exponential", "bimodal", "lognormal", "pareto"}) {
    auto parsed = scaling::ParseServiceDistribution(name);
    ASSERT_TRUE(parsed.has_value()) << name;
    EXPECT_EQ(scaling::ServiceDistributionName(*parsed), name);
  }
  EXPECT_FALSE(scaling::ParseServiceDistribution("normal").has_value());
}

TEST(SimulatorTest, SingleServerMatchesMM1) {
  // M/M/1 at utilisation 0.5 with mean service 1 ms: the time in system is
  // exponential with rate mu - lambda = 0.5 per ms, so its mean is 2 ms,
  // its median 2 ln 2 = 1.386 ms and its p99 2 ln 100 = 9.21 ms.
  SimulationConfig config;
  config.servers = 1;
  config.utilisation = 0.5;
  config.requests = 500000;
  config.distribution = ServiceDistribution::kExponential;
  const SimulationResult result = RunOrFail(config, PolicyKind::kRandom);

  EXPECT_NEAR(result.mean_latency * 1e3, 2.0, 2.0 * 0.03);
  EXPECT_NEAR(result.p50 * 1e3, 1.386, 1.386 * 0.03);
  EXPECT_NEAR(result.p99 * 1e3, 9.21, 9.21 * 0.05);
  EXPECT_NEAR(result.servers[0].utilisation, 0.5, 0.01);
}

TEST(SimulatorTest, RandomPolicyMatchesPollaczekKhinchine) {
  // Random placement splits a Poisson stream into independent Poisson
  // streams, so each server is an M/G/1 queue. Its mean time in system is
  // E[S] + rho E[S^2] / (2 (1 - rho)); for lognormal shape 1 with mean 1,
  // E[S^2] = e, so at rho = 0.5 the mean is 1 + e / 2 = 2.359 ms.
  SimulationConfig config;
  config.servers = 200;
  config.utilisation = 0.5;
  config.requests = 400000;
  config.distribution = ServiceDistribution::kLognormal;
  const SimulationResult result = RunOrFail(config, PolicyKind::kRandom);

  EXPECT_NEAR(result.mean_latency * 1e3, 1 + std::exp(1.0) / 2, 0.1);
}

TEST(SimulatorTest, LittlesLawHolds) {
  SimulationConfig config;
  config.servers = 50;
  config.utilisation = 0.8;
  config.requests = 100000;
  config.distribution = ServiceDistribution::kBimodal;
  for (PolicyKind kind : scaling::kAllPolicies) {
    const SimulationResult r = RunOrFail(config, kind);
    EXPECT_NEAR(r.mean_in_system, r.arrival_rate * r.mean_latency,
                0.01 * r.mean_in_system)
        << r.policy << ": L (measured from queue lengths) must equal "
        << "lambda W (from latencies)";
  }
}

TEST(SimulatorTest, OneServerAllPoliciesEqual) {
  SimulationConfig config;
  config.servers = 1;
  config.utilisation = 0.7;
  config.requests = 20000;
  const SimulationResult first = RunOrFail(config, PolicyKind::kRoundRobin);
  for (PolicyKind kind : scaling::kAllPolicies) {
    const SimulationResult r = RunOrFail(config, kind);
    EXPECT_EQ(r.p50, first.p50) << r.policy;
    EXPECT_EQ(r.p99, first.p99) << r.policy;
    EXPECT_EQ(r.p999, first.p999) << r.policy;
    EXPECT_EQ(r.mean_latency, first.mean_latency) << r.policy;
  }
}

TEST(SimulatorTest, SameSeedSameResult) {
  SimulationConfig config;
  config.servers = 20;
  config.requests = 20000;
  config.seed = 99;
  const SimulationResult a = RunOrFail(config, PolicyKind::kTwoChoices);
  const SimulationResult b = RunOrFail(config, PolicyKind::kTwoChoices);
  EXPECT_EQ(a.p99, b.p99);
  EXPECT_EQ(a.mean_latency, b.mean_latency);
  EXPECT_EQ(a.duration, b.duration);

  config.seed = 100;
  const SimulationResult c = RunOrFail(config, PolicyKind::kTwoChoices);
  EXPECT_NE(a.mean_latency, c.mean_latency)
      << "another seed must give another workload";
}

TEST(SimulatorTest, PoliciesOrderedUnderSkew) {
  // 200 servers at 70% utilisation, 10% of requests ten times longer.
  SimulationConfig config;
  config.servers = 200;
  config.utilisation = 0.7;
  config.requests = 300000;
  config.distribution = ServiceDistribution::kBimodal;
  const SimulationResult round_robin = RunOrFail(config, PolicyKind::kRoundRobin);
  const SimulationResult random = RunOrFail(config, PolicyKind::kRandom);
  const SimulationResult least = RunOrFail(config, PolicyKind::kLeastConnections);
  const SimulationResult two = RunOrFail(config, PolicyKind::kTwoChoices);

  EXPECT_LT(two.p99, 0.5 * random.p99)
      << "two choices p99 " << two.p99 << " s, random " << random.p99;
  EXPECT_LT(two.p99, round_robin.p99)
      << "two choices p99 " << two.p99 << " s, round robin "
      << round_robin.p99;
  EXPECT_LE(least.p99, two.p99)
      << "least connections with an exact view is the best of the four";
}

TEST(SimulatorTest, ServerStatsAddUp) {
  SimulationConfig config;
  config.servers = 10;
  config.utilisation = 0.6;
  config.requests = 50000;
  const SimulationResult r = RunOrFail(config, PolicyKind::kRoundRobin);
  ASSERT_EQ(r.servers.size(), 10u);
  std::int64_t served = 0;
  for (const scaling::ServerStats& server : r.servers) {
    served += server.served;
    EXPECT_EQ(server.served, 5000) << "round robin gives each server 1/10";
    EXPECT_NEAR(server.utilisation, 0.6, 0.05);
    EXPECT_GE(server.max_outstanding, 1);
  }
  EXPECT_EQ(served, config.requests);
  EXPECT_LE(r.p50, r.p99);
  EXPECT_LE(r.p99, r.p999);
  EXPECT_LE(r.p999, r.max_latency);
}

TEST(SimulatorTest, ConfigErrorsNameTheField) {
  struct Case {
    SimulationConfig config;
    const char* expected;
  };
  std::vector<Case> cases(6);
  cases[0].config.servers = 0;
  cases[0].expected = "invalid servers 0";
  cases[1].config.utilisation = 1.0;
  cases[1].expected = "invalid utilisation 1";
  cases[2].config.utilisation = std::nan("");
  cases[2].expected = "invalid utilisation";
  cases[3].config.requests = 0;
  cases[3].expected = "invalid requests 0";
  cases[4].config.mean_service_seconds = -1;
  cases[4].expected = "invalid mean service time";
  cases[5].config.max_wall_seconds = 0;
  cases[5].expected = "invalid wall-clock limit";

  for (const Case& c : cases) {
    auto result = scaling::Simulate(c.config, PolicyKind::kRandom);
    ASSERT_FALSE(result.ok()) << c.expected;
    EXPECT_THAT(result.error(), HasSubstr(c.expected));
  }
}

// OutOfRange is a broken policy that names a server that does not exist.
class OutOfRange final : public scaling::Policy {
 public:
  std::string_view Name() const override { return "out_of_range"; }
  std::size_t Choose(std::span<const int> outstanding,
                     scaling::RandomSource&) override {
    return outstanding.size();
  }
};

TEST(SimulatorTest, PolicyOutsideServersIsError) {
  SimulationConfig config;
  config.servers = 4;
  OutOfRange policy;
  auto result = scaling::Simulate(config, policy);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error(), HasSubstr("policy out_of_range chose server 4"));
}

TEST(SimulatorTest, WallClockLimitStopsRun) {
  SimulationConfig config;
  config.servers = 100;
  config.requests = 1000000;
  config.max_wall_seconds = 1e-6;
  auto result = scaling::Simulate(config, PolicyKind::kLeastConnections);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error(), HasSubstr("timed out"));
}

}  // namespace
